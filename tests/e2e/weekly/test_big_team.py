"""A 40-person team's weekly report with 30 blockers: split into the thread, never refused.

The week's answers are stored directly (40 people × 5 days through DMs would only slow the
test down); the daily, the report and its delivery go through signed requests and run-due
against the stand-in, which checks every message against Slack's limits and Block Kit.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.demo.standin.harness import running_bot
from bot.demo.standin.server import FakeSlack
from ceremonies.daily.rules import DEFAULT_QUESTIONS
from storage.daily.models import Answer, Prompt
from tests.e2e.conftest import SUNDAY_NOON
from tests.e2e.weekly.test_weekly import FRIDAY_DELIVERY, FRIDAY_TWO_BEFORE, THURSDAY

PEOPLE = [f"UBIG{i:02d}" for i in range(40)]
MONDAY = date(2026, 11, 30)


def blocker_text(i: int) -> str:
    return f"Blocked #{i}: waiting on <!channel> & the {'vendor ' * 20}API keys <@UBIG00>"


def test_a_report_for_40_people_with_30_blockers(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        for user in PEOPLE:
            slack.add_user(user, user.lower(), "Europe/Berlin")
        slack.add_channel("CBIG", "big", PEOPLE)
        with running_bot(slack, tmp_path, SUNDAY_NOON) as bot:
            bot.driver.command(PEOPLE[0], "CBIG", "/daily", "start")
            slack.wait_for(lambda: slack.messages("CBIG"), timeout=30)
            with bot.runtime.services.uow_factory() as uow:
                daily = uow.dailies.daily_in_channel("T0001", "CBIG")
                assert daily is not None
                session = uow.session  # type: ignore[attr-defined]
                for day in (MONDAY + timedelta(days=d) for d in range(5)):
                    at = datetime.combine(day, time(9), UTC)
                    for i, user in enumerate(PEOPLE):
                        prompt = Prompt(
                            team_id="T0001",
                            daily_id=daily.id,
                            user_id=user,
                            local_date=day,
                            status="answered",
                            questions=list(DEFAULT_QUESTIONS),
                            scheduled_at=at,
                            claimed_at=at,
                            sent_at=at,
                            answered_at=at,
                        )
                        session.add(prompt)
                        session.flush()
                        # 30 people raise a blocker of their own on Tuesday, and again on
                        # Wednesday and Thursday: 30 blockers, open for 3 working days.
                        blocked = i < 30 and day.weekday() in (1, 2, 3)
                        texts = ["work", "more work", blocker_text(i) if blocked else "none"]
                        session.add_all(
                            Answer(
                                team_id="T0001",
                                prompt_id=prompt.id,
                                position=k,
                                text=text,
                                created_at=at,
                                updated_at=at,
                            )
                            for k, text in enumerate(texts)
                        )
                uow.commit()
            bot.clock.current = THURSDAY
            bot.driver.command(PEOPLE[0], "CBIG", "/weekly", "start")
            slack.wait_for(lambda: len(slack.messages("CBIG")) >= 2, timeout=30)
            bot.tick(FRIDAY_TWO_BEFORE)
            bot.tick(FRIDAY_DELIVERY)

            everything = slack.messages("CBIG", include_replies=True)
            (report,) = [m for m in everything if m.get("text", "").startswith("Weekly report")]
            thread = [m for m in everything if m.get("thread_ts") == report["ts"] != m["ts"]]
            shown = json.dumps(thread)
            assert all(f"Blocked #{i}:" in shown for i in range(30))
            pages = [m for m in thread if "Blocked #" in json.dumps(m)]
            assert len(pages) >= 2  # split, 15 blockers a message
            assert "<!channel>" not in json.dumps(everything)
        assert slack.violations == []

"""A team's two weeks through signed requests and run-due, and the two reports they give.

Anna owns the report; Ben is blocked three days running (Wednesday to Friday) and unblocked
on Monday; Chitra (Kolkata) never answers; Dan is away on Tuesday of the first week. They hold
a retro with actions, add a risk and raise it, and Anna submits her status in the first week
and not in the second. Every figure the reports show is checked against what happened.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.server import FakeSlack
from tests.fakes import utc

PEOPLE = ("UANNA", "UBEN", "UCHITRA", "UDAN")
SUNDAY = utc(2026, 11, 29, 12, 0)
WEEK_ONE = [date(2026, 11, 30) + timedelta(days=n) for n in range(5)]
WEEK_TWO = [day + timedelta(weeks=1) for day in WEEK_ONE]
BLOCKER = "waiting for the data export from finance"


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Bot]:
    with FakeSlack() as slack:
        slack.add_user("UANNA", "anna", "Europe/Berlin")
        slack.add_user("UBEN", "ben", "Europe/Berlin")
        slack.add_user("UCHITRA", "chitra", "Asia/Kolkata")
        slack.add_user("UDAN", "dan", "Europe/Berlin")
        slack.add_user("UBOSS", "boss", "Europe/Berlin")
        slack.add_user("UROBOT", "robot", is_bot=True)
        slack.add_channel("CTEAM", "team", [*PEOPLE, "UROBOT"])
        slack.add_channel("CEMPTY", "empty", ["UANNA"])
        slack.add_channel("COTHER", "other", ["UANNA", "UBEN"])
        with running_bot(slack, tmp_path, SUNDAY) as bot:
            yield bot
        assert slack.violations == [], slack.violations


def settle(bot: Bot) -> None:
    """Until the bot has no work left and made no Slack call for a moment."""

    def settled() -> bool:
        count = len(bot.slack.calls)
        time.sleep(0.05)
        return bot.runtime.idle() and len(bot.slack.calls) == count

    bot.slack.wait_for(settled, timeout=30)


def command(bot: Bot, user: str, name: str, text: str, channel: str = "CTEAM") -> str:
    before = len(bot.slack.ephemerals(user))
    assert bot.driver.command(user, channel, name, text).status == 200
    settle(bot)
    return json.dumps(bot.slack.ephemerals(user)[before:])


def bot_dms(bot: Bot, user: str) -> list[dict[str, Any]]:
    return [m for m in bot.slack.dm_messages(user) if m.get("bot_id")]


def answer(bot: Bot, user: str, blocker: str = "none") -> None:
    """The person answers the day's three questions in their DM, one message each."""
    for text in (f"{user} worked", f"{user} works on", blocker):
        before = len(bot_dms(bot, user))
        bot.driver.dm(user, text)
        bot.slack.wait_for(lambda b=before: len(bot_dms(bot, user)) > b)


def day_of_dailies(bot: Bot, day: date, blocked: bool) -> None:
    """Prompts at 10:00 in Berlin; Anna, Ben and Dan answer (Dan not when away); Chitra never."""
    bot.tick(utc(day.year, day.month, day.day, 9, 0))
    for user in ("UANNA", "UBEN", "UDAN"):
        if user == "UDAN" and day == WEEK_ONE[1]:
            continue
        answer(bot, user, BLOCKER if user == "UBEN" and blocked else "none")
    bot.tick(utc(day.year, day.month, day.day, 12, 0))  # the nudge for the laggard
    settle(bot)


def hold_retro(bot: Bot) -> None:
    command(bot, "UANNA", "/retro", "start Sprint 7")
    parent = next(m for m in bot.slack.messages("CTEAM") if "Sprint 7" in json.dumps(m))
    for author, text in (
        ("UANNA", "+ Pairing went well"),
        ("UBEN", "Deploys take too long"),
        ("UDAN", "Flaky tests block merges"),
    ):
        bot.driver.post(author, "CTEAM", text, thread_ts=parent["ts"])
    settle(bot)
    command(bot, "UANNA", "/retro", "rate")
    for user, score in (("UANNA", "4"), ("UBEN", "5"), ("UDAN", "3")):
        parent = next(m for m in bot.slack.messages("CTEAM") if m["ts"] == parent["ts"])
        bot.driver.click(user, parent, "retro_rate")
        (view,) = bot.slack.wait_for(lambda u=user: bot.slack.open_views(u))
        inputs = [b for b in view["blocks"] if b["type"] == "input"]
        bot.driver.submit(user, view["id"], {b["block_id"]: {"value": score} for b in inputs})
    settle(bot)
    command(bot, "UANNA", "/retro", "pick")
    with bot.runtime.services.uow_factory() as uow:
        chosen = len(uow.retros.actions(1))
    for position, owner in zip(range(1, chosen + 1), ("UBEN", "UDAN", "UANNA"), strict=False):
        command(bot, "UANNA", "/retro", f"owner {position} <@{owner}|x>")
    command(bot, "UANNA", "/retro", "close")


def add_status(bot: Bot, at: datetime, values: dict[str, dict[str, Any]]) -> None:
    bot.tick(at)
    status_dm = next(m for m in reversed(bot_dms(bot, "UANNA")) if "Add status" in json.dumps(m))
    bot.driver.click("UANNA", status_dm, "weekly_add_status")
    view = bot.slack.wait_for(lambda: bot.slack.open_views("UANNA"))[-1]
    assert bot.driver.submit("UANNA", view["id"], values).status == 200
    settle(bot)


def report_of(bot: Bot, week: str) -> dict[str, Any]:
    with bot.runtime.services.uow_factory() as uow:
        row = uow.weeklies.report_in_channel("T0001", "CTEAM")
        assert row is not None
        sent = uow.weeklies.delivery_of(row.id, week, "report")
        assert sent is not None and sent.sent_at is not None, week
        return dict(sent.content or {})


def reports_in_channel(bot: Bot) -> list[dict[str, Any]]:
    """The report messages (not the status DM nor the thread's details), oldest first."""
    return [m for m in bot.slack.messages("CTEAM") if "Weekly report 2026-W" in json.dumps(m)]


def participation(content: dict[str, Any]) -> dict[str, tuple[int, int]]:
    (section,) = content["report"]["sections"]
    return {
        p["user_id"]: (p["answered"], p["prompted"])
        for p in section["daily"]["participation"]["people"]
    }


def test_two_weeks_of_a_team_and_their_two_reports(team: Bot) -> None:
    bot, slack = team, team.slack
    bot.clock.current = SUNDAY
    command(bot, "UANNA", "/daily", "start")
    command(bot, "UDAN", "/daily", f"away {WEEK_ONE[1]}..{WEEK_ONE[1]}")
    command(bot, "UANNA", "/weekly", "start")

    # /weekly add: a channel with nothing to follow is refused, one with a daily is taken.
    refused = command(bot, "UANNA", "/weekly", "add <#CEMPTY|empty>")
    assert "CEMPTY" in refused and "no daily" in refused.lower(), refused
    command(bot, "UANNA", "/daily", "start", channel="COTHER")
    command(bot, "UANNA", "/weekly", "add <#COTHER|other>")
    command(bot, "UANNA", "/weekly", "remove <#COTHER|other>")
    command(bot, "UANNA", "/daily", "pause", channel="COTHER")  # one daily's prompts here

    # /weekly settings: the modal; Boss is added as a recipient from it.
    assert bot.driver.command("UANNA", "CTEAM", "/weekly", "settings").status == 200
    (modal,) = slack.wait_for(lambda: slack.open_views("UANNA"))
    before = len(slack.ephemerals("UANNA"))
    bot.driver.submit("UANNA", modal["id"], {"sources": {"value": ["CTEAM", "CEMPTY"]}})
    settle(bot)
    told = json.dumps(slack.ephemerals("UANNA")[before:])  # a modal has no reply: told here
    assert "CEMPTY" in told and "no daily" in told.lower(), told
    with bot.runtime.services.uow_factory() as uow:
        row = uow.weeklies.report_in_channel("T0001", "CTEAM")
        assert row is not None and uow.weeklies.sources(row.id) == ["CTEAM"]  # unchanged
    assert bot.driver.command("UANNA", "CTEAM", "/weekly", "settings").status == 200
    (modal,) = slack.wait_for(lambda: slack.open_views("UANNA"))
    assert bot.driver.submit("UANNA", modal["id"], {"recipients": {"value": ["UBOSS"]}}).status
    settle(bot)
    with bot.runtime.services.uow_factory() as uow:
        row = uow.weeklies.report_in_channel("T0001", "CTEAM")
        assert row is not None and list(row.recipients) == ["UBOSS"]

    command(bot, "UANNA", "/weekly", "risk add Vendor API may be late p=2 c=2")

    # Week one.
    for n, day in enumerate(WEEK_ONE):
        bot.clock.current = utc(day.year, day.month, day.day, 8, 0)
        if n == 3:
            hold_retro(bot)
        day_of_dailies(bot, day, blocked=n >= 2)
    add_status(
        bot,
        utc(2026, 12, 4, 13, 0),
        {
            "status": {"value": "on_track"},
            "highlights": {"value": "Importer shipped"},
            "decisions": {"value": "Hire a contractor"},
        },
    )
    bot.tick(utc(2026, 12, 4, 15, 0))
    bot.tick(utc(2026, 12, 4, 15, 5))  # a second tick sends nothing more
    settle(bot)
    week_one = report_of(bot, "2026-W49")
    assert participation(week_one) == {
        "UANNA": (5, 5),
        "UBEN": (5, 5),
        "UCHITRA": (0, 5),
        "UDAN": (4, 4),  # away on Tuesday: not prompted, not missed
    }
    (section,) = week_one["report"]["sections"]
    (blocked,) = section["daily"]["blockers"]
    assert blocked["user_id"] == "UBEN" and blocked["open"] and blocked["times_raised"] == 3
    assert blocked["age_working_days"] == 3
    retro = section["retro"]
    assert len(retro["retros"]) == 1 and retro["chosen"]
    assert all(action["owner_id"] for action in retro["chosen"])
    assert week_one["status"] == "on_track" and not week_one["proposed"]
    (risk,) = week_one["report"]["risks"]
    assert risk["risk"]["text"] == "Vendor API may be late" and risk["mark"] == "new"

    (posted,) = reports_in_channel(bot)
    shown = json.dumps(posted)
    assert "Importer shipped" in shown and "Hire a contractor" in shown
    boss_copy = [m for m in bot_dms(bot, "UBOSS") if "Importer shipped" in json.dumps(m)]
    assert len(boss_copy) == 1
    assert slack.calls_to("files.completeUploadExternal")  # the chart went with it

    # From the report: Ben's blocker into the register, Boss acknowledges the decision.
    thread = slack.thread("CTEAM", posted["ts"])
    offer = next(m for m in [posted, *thread] if "weekly_blocker_to_risk" in json.dumps(m))
    bot.driver.click("UANNA", offer, "weekly_blocker_to_risk")
    bot.driver.click("UBOSS", boss_copy[0], "weekly_acknowledge")  # Boss is not in #team
    settle(bot)
    risks = command(bot, "UANNA", "/weekly", "risk list")
    assert "data export" in risks and "Vendor API" in risks
    acknowledged = json.dumps(next(m for m in slack.messages("CTEAM") if m["ts"] == posted["ts"]))
    assert "boss" in acknowledged.lower().split("acknowledged")[-1]

    # Week two: Ben is unblocked on Monday, the vendor risk is raised, no status is submitted.
    command(bot, "UANNA", "/weekly", "risk update 1 p=3 c=3")
    for day in WEEK_TWO:
        bot.clock.current = utc(day.year, day.month, day.day, 8, 0)
        day_of_dailies(bot, day, blocked=False)
    bot.tick(utc(2026, 12, 11, 13, 0))  # the status DM, left unanswered
    bot.tick(utc(2026, 12, 11, 15, 0))
    settle(bot)
    week_two = report_of(bot, "2026-W50")
    assert participation(week_two) == {
        "UANNA": (5, 5),
        "UBEN": (5, 5),
        "UCHITRA": (0, 5),
        "UDAN": (5, 5),
    }
    assert week_two["proposed"] and week_two["status"] == week_two["report"]["proposal"]["status"]
    marks = {r["risk"]["text"]: r["mark"] for r in week_two["report"]["risks"]}
    assert marks["Vendor API may be late"] == "raised"
    changes = json.dumps(week_two["report"]["changes"])
    assert BLOCKER in changes  # resolved on Monday: what changed says so
    assert len(reports_in_channel(bot)) == 2
    second = json.dumps(reports_in_channel(bot)[-1]).lower()
    assert "proposed" in second
    assert "<!channel>" not in json.dumps(slack.messages("CTEAM"))

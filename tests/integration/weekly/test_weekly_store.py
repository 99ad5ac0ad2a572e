"""The weekly report on a real database: the history it reads, and delivery exactly once."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from ceremonies.core.request import Actor, Request
from ceremonies.daily import setup as daily_setup
from ceremonies.daily.rules import ANSWERED, SENT
from ceremonies.weekly import register, setup
from ceremonies.weekly.compose import compose
from ceremonies.weekly.delivery import REPORT, STATUS_DM, run_due
from ceremonies.weekly.schedule import week_of
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FakeChat, utc

MONDAY = date(2026, 12, 7)
START = utc(2026, 12, 4, 16, 0)  # the Friday before, after its 16:00 (Berlin) delivery
FRIDAY_DELIVERY = utc(2026, 12, 11, 15, 0)  # 16:00 in Berlin
QUESTIONS = ["What did you do yesterday?", "What will you do today?", "Any blockers?"]


def ask(user: str, now: datetime, channel: str = "CTEAM") -> Request:
    return Request("T1", channel, Actor(user), now)


def seed_daily(uow_factory: SqlUnitOfWorkFactory, chat: FakeChat) -> None:
    """UBERLIN blocked three days running, UNEWYORK never answers, UKOLKATA answers."""
    daily_setup.start_daily(uow_factory, chat, ask("UBERLIN", START))
    with uow_factory() as uow:
        daily = uow.dailies.daily_in_channel("T1", "CTEAM")
        assert daily is not None
        for offset in range(5):
            day = MONDAY + timedelta(days=offset)
            at = utc(day.year, day.month, day.day, 9, 0)
            for user in ("UBERLIN", "UNEWYORK", "UKOLKATA"):
                answered = user != "UNEWYORK"
                prompt = uow.dailies.add_prompt(
                    team_id="T1",
                    daily_id=daily.id,
                    user_id=user,
                    local_date=day,
                    status=ANSWERED if answered else SENT,
                    questions=QUESTIONS,
                    scheduled_at=at,
                    claimed_at=at,
                    sent_at=at,
                    answered_at=at + timedelta(minutes=5) if answered else None,
                )
                if answered:
                    blocked = user == "UBERLIN" and offset < 3
                    for position, text in enumerate(
                        ["done x", "do y", "CI is red" if blocked else "no"]
                    ):
                        uow.dailies.add_answer(
                            team_id="T1",
                            prompt_id=prompt.id,
                            position=position,
                            text=text,
                            created_at=at,
                            updated_at=at,
                        )
        uow.commit()


def test_the_report_reads_participation_blockers_and_risks(
    uow_factory: SqlUnitOfWorkFactory, chat: FakeChat
) -> None:
    setup.start_report(uow_factory, chat, ask("UBERLIN", START))
    seed_daily(uow_factory, chat)
    register.add_risk(
        uow_factory, ask("UBERLIN", utc(2026, 12, 8, 10, 0)), "vendor late", 3, 3, None, "k1"
    )
    with uow_factory() as uow:
        row = uow.weeklies.report_in_channel("T1", "CTEAM")
        assert row is not None
        composed = compose(uow, row, week_of(row, FRIDAY_DELIVERY))
    report = composed.report
    (section,) = report.sections
    assert section.daily is not None
    shares = {p.user_id: (p.answered, p.prompted) for p in section.daily.participation.people}
    assert shares == {"UBERLIN": (5, 5), "UNEWYORK": (0, 5), "UKOLKATA": (5, 5)}
    (blocker,) = section.daily.blockers
    assert (blocker.user_id, blocker.age_working_days, blocker.open) == ("UBERLIN", 3, False)
    assert [r.risk.number for r in report.risks] == [1]
    assert report.proposal.status == "off_track"  # a rank-9 risk is open
    assert [f.label for f in composed.trend][-1] == "2026-W50"


def test_three_racing_ticks_deliver_once(uow_factory: SqlUnitOfWorkFactory, chat: FakeChat) -> None:
    setup.start_report(uow_factory, chat, ask("UBERLIN", START))
    setup.set_recipients(uow_factory, chat, ask("UBERLIN", START), ["UKOLKATA"])
    seed_daily(uow_factory, chat)
    barrier = threading.Barrier(3)
    failures: list[str] = []

    def tick(at: datetime) -> None:
        barrier.wait()
        failures.extend(run_due(uow_factory, chat, at).failures)

    for at in (FRIDAY_DELIVERY - timedelta(hours=2), FRIDAY_DELIVERY):
        threads = [threading.Thread(target=tick, args=(at,)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    templates = [s.message.template for s in chat.sent]
    assert templates.count("weekly/status_dm") == 1
    assert templates.count("weekly/report") == 2  # the channel, and the recipient's DM
    with uow_factory() as uow:
        row = uow.weeklies.report_in_channel("T1", "CTEAM")
        assert row is not None
        sent = uow.weeklies.delivery_of(row.id, "2026-W50", REPORT)
        assert sent is not None and sent.sent_at is not None and not sent.late
        assert sent.content is not None and sent.content["week"] == "2026-W50"
        assert uow.weeklies.delivery_of(row.id, "2026-W50", STATUS_DM) is not None
        assert row.next_due_at == utc(2026, 12, 18, 13, 0)  # next Friday, 2 hours ahead

"""The weekly report's services on the in-memory unit of work: setting up, sources, risks.

No database: the fake unit of work keeps the SQL stores' promises (tests/unit/test_fake_uow.py).
The report is #team's (CTEAM), started by UOWNER in Europe/Berlin on Monday 7 December 2026
(ISO week 2026-W50); its default delivery is Friday 11 December, 16:00 there (15:00 UTC).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request
from ceremonies.weekly import register, setup
from ceremonies.weekly.ports import WeeklyStore
from storage.weekly.store import SqlWeeklyStore
from tests.fake_uow import (
    Daily,
    FakeUnitOfWorkFactory,
    FakeWeeklyStore,
    WeeklyReportRow,
    WeeklyRiskLevelRow,
    WeeklyRiskRow,
    WeeklySourceRow,
)
from tests.fakes import FakeChat, utc

BERLIN = "Europe/Berlin"
START = utc(2026, 12, 7, 9, 0)  # Monday, 10:00 in Berlin
DELIVERY = utc(2026, 12, 11, 15, 0)  # Friday, 16:00 in Berlin
HOUR = timedelta(hours=1)


def ask(user: str = "UOWNER", now: datetime = START, channel: str = "CTEAM") -> Request:
    return Request("T1", channel, Actor(user), now)


def refusal(call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as refused:
        call()
    return refused.value


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    chat = FakeChat()
    for user in ("UOWNER", "UDEV", "UBOSS", "UCTO"):
        chat.add_user(user, BERLIN)
    chat.add_user("UNEWYORK", "America/New_York")
    chat.add_user("UBOT", is_bot=True)
    chat.add_user("UGONE", deleted=True)
    return chat


@pytest.fixture
def started(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat) -> setup.WeeklySettings:
    return setup.start_report(uow_factory, chat, ask())


def add_daily(uow_factory: FakeUnitOfWorkFactory, channel: str) -> None:
    with uow_factory() as uow:
        uow.dailies.add_daily(
            team_id="T1",
            channel_id=channel,
            owner_id="UDEV",
            prompt_time=time(10, 0),
            weekdays=frozenset(range(5)),
            questions=["Yesterday?", "Today?", "Blockers?"],
            created_at=START - timedelta(days=30),
        )
        uow.commit()


def report_row(uow_factory: FakeUnitOfWorkFactory) -> WeeklyReportRow:
    (row,) = uow_factory.rows(WeeklyReportRow)
    return row


def test_the_fake_store_has_the_ports_and_the_sql_stores_methods() -> None:
    for source in (WeeklyStore, SqlWeeklyStore):
        for name, method in inspect.getmembers(source, inspect.isfunction):
            if not name.startswith("_"):
                wanted = inspect.signature(method).parameters
                got = inspect.signature(getattr(FakeWeeklyStore, name)).parameters
                assert got.keys() == wanted.keys(), name


# starting and settings


def test_start_defaults_to_friday_16_in_the_callers_zone_reading_its_own_channel(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    settings = setup.start_report(uow_factory, chat, ask("UNEWYORK"))
    assert (settings.owner_id, settings.tz) == ("UNEWYORK", "America/New_York")
    assert (settings.weekday, settings.at) == (4, time(16, 0))
    assert settings.sources == ("CTEAM",) and settings.recipients == ()
    assert not settings.paused
    # Friday 11 December, 16:00 in New York (EST, UTC-5)
    assert settings.next_delivery == utc(2026, 12, 11, 21, 0)
    row = report_row(uow_factory)
    assert row.next_due_at == utc(2026, 12, 11, 19, 0)  # the status DM, 2 hours ahead
    assert row.broken_told == [] and row.created_at == START
    assert [s.channel_id for s in uow_factory.rows(WeeklySourceRow)] == ["CTEAM"]


def test_a_channel_starts_one_report_only(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    again = refusal(lambda: setup.start_report(uow_factory, chat, ask("UDEV", START + HOUR)))
    assert again.code == "weekly_already_started"
    assert len(uow_factory.rows(WeeklyReportRow)) == 1
    assert report_row(uow_factory).owner_id == "UOWNER"
    # another channel may have its own
    other = setup.start_report(uow_factory, chat, ask("UDEV", channel="COTHER"))
    assert other.sources == ("COTHER",) and other.report_id != started.report_id


def test_settings_without_a_report_are_refused(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    assert refusal(lambda: setup.settings(uow_factory, ask())).code == "weekly_not_started"
    assert refusal(lambda: setup.set_paused(uow_factory, ask(), True)).code == (
        "weekly_not_started"
    )


def test_a_source_must_hold_a_ceremony(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    nothing = refusal(lambda: setup.add_source(uow_factory, chat, ask(), "CEMPTY"))
    assert (nothing.code, nothing.params) == ("weekly_nothing_to_follow", {"channel": "CEMPTY"})
    add_daily(uow_factory, "CDAILY")
    settings = setup.add_source(uow_factory, chat, ask(now=START + HOUR), "CDAILY")
    assert settings.sources == ("CTEAM", "CDAILY")
    known = refusal(lambda: setup.add_source(uow_factory, chat, ask(), "CDAILY"))
    assert known.code == "weekly_source_known"
    stored = uow_factory.rows(WeeklySourceRow)
    assert [(s.channel_id, s.added_at) for s in stored] == [
        ("CTEAM", START),
        ("CDAILY", START + HOUR),
    ]


def test_a_daily_of_another_workspace_is_nothing_to_follow(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    add_daily(uow_factory, "CDAILY")
    request = Request("T2", "CTEAM", Actor("UOWNER"), START)
    setup.start_report(uow_factory, chat, request)
    refused = refusal(lambda: setup.add_source(uow_factory, chat, request, "CDAILY"))
    assert refused.code == "weekly_nothing_to_follow"


def test_removing_a_source(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    unknown = refusal(lambda: setup.remove_source(uow_factory, ask(), "CNEVER"))
    assert (unknown.code, unknown.params) == ("weekly_source_unknown", {"channel": "CNEVER"})
    settings = setup.remove_source(uow_factory, ask(), "CTEAM")
    assert settings.sources == ()
    assert uow_factory.rows(WeeklySourceRow) == []
    assert refusal(lambda: setup.remove_source(uow_factory, ask(), "CTEAM")).code == (
        "weekly_source_unknown"
    )


def test_set_time_moves_the_delivery_and_the_status_dm_two_hours_ahead(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    assert report_row(uow_factory).next_due_at == DELIVERY - 2 * HOUR
    # Thursday 10:00 in Berlin: 09:00 UTC on 10 December
    settings = setup.set_time(uow_factory, ask(now=START + HOUR), 3, time(10, 0))
    assert (settings.weekday, settings.at) == (3, time(10, 0))
    assert settings.next_delivery == utc(2026, 12, 10, 9, 0)
    assert report_row(uow_factory).next_due_at == utc(2026, 12, 10, 7, 0)
    # Moved to within the two hours ahead: the status DM is due at once.
    now = utc(2026, 12, 10, 8, 0)
    setup.set_time(uow_factory, ask(now=now), 3, time(10, 30))
    assert report_row(uow_factory).next_due_at == now
    # Moved to a day already past this week: next week's.
    settings = setup.set_time(uow_factory, ask(now=now), 0, time(9, 0))
    assert settings.next_delivery == utc(2026, 12, 14, 8, 0)
    assert report_row(uow_factory).next_due_at == utc(2026, 12, 14, 6, 0)


def test_recipients_are_people(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    for who in ("UBOT", "UGONE"):
        refused = refusal(
            lambda who=who: setup.set_recipients(uow_factory, chat, ask(), ["UBOSS", who])
        )
        assert (refused.code, refused.params) == ("weekly_recipient_is_bot", {"user": who})
    assert report_row(uow_factory).recipients == []
    settings = setup.set_recipients(uow_factory, chat, ask(), ["UBOSS", "UCTO", "UBOSS"])
    assert settings.recipients == ("UBOSS", "UCTO")
    assert report_row(uow_factory).recipients == ["UBOSS", "UCTO"]
    many = [f"U{n}" for n in range(21)]
    refused = refusal(lambda: setup.set_recipients(uow_factory, chat, ask(), many))
    assert (refused.code, refused.params) == ("weekly_too_many_recipients", {"limit": 20})


def test_pause_clears_next_due_and_resume_schedules_again(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    settings = setup.set_paused(uow_factory, ask(now=START + HOUR), True)
    assert settings.paused and settings.next_delivery is None
    assert report_row(uow_factory).next_due_at is None
    settings = setup.set_paused(uow_factory, ask(now=START + 2 * HOUR), False)
    assert not settings.paused and settings.next_delivery == DELIVERY
    assert report_row(uow_factory).next_due_at == DELIVERY - 2 * HOUR


def test_apply_settings_changes_everything_at_once(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    add_daily(uow_factory, "CDAILY")
    report_id = started.report_id

    def apply(sources: list[str], recipients: list[str]) -> setup.WeeklySettings:
        return setup.apply_settings(
            uow_factory,
            chat,
            ask(now=START + HOUR),
            report_id,
            weekday=3,
            at=time(15, 0),
            recipients=recipients,
            sources=sources,
        )

    assert refusal(lambda: apply(["CTEAM", "CEMPTY"], [])).code == "weekly_nothing_to_follow"
    assert refusal(lambda: apply(["CDAILY"], ["UBOT"])).code == "weekly_recipient_is_bot"
    assert report_row(uow_factory).weekday == 4  # nothing was changed
    settings = apply(["CDAILY"], ["UBOSS"])
    assert settings.sources == ("CDAILY",) and settings.recipients == ("UBOSS",)
    assert settings.next_delivery == utc(2026, 12, 10, 14, 0)  # Thursday 15:00 in Berlin
    assert report_row(uow_factory).next_due_at == utc(2026, 12, 10, 12, 0)


# the risk register


def add_risk(
    uow_factory: FakeUnitOfWorkFactory,
    text: str,
    p: int,
    c: int,
    key: str | None,
    now: datetime = START,
    owner: str | None = None,
) -> register.RiskSeen:
    return register.add_risk(uow_factory, ask(now=now), text, p, c, owner, key)


def test_risks_are_numbered_updated_and_closed(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    first = add_risk(uow_factory, "Vendor API late", 2, 3, "req-1", owner="UDEV")
    second = add_risk(uow_factory, "Key person on leave", 1, 2, "req-2", START + HOUR)
    assert (first.number, first.p, first.c, first.owner_id) == (1, 2, 3, "UDEV")
    assert (second.number, second.opened_at, second.closed_at) == (2, START + HOUR, None)
    later = START + 3 * HOUR
    updated = register.update_risk(uow_factory, ask(now=later), 1, 3, None, "UBOSS")
    assert (updated.p, updated.c, updated.owner_id) == (3, 3, "UBOSS")
    # only the owner changes: no new level
    register.update_risk(uow_factory, ask(now=later), 2, None, None, "UDEV")
    closed = register.close_risk(uow_factory, ask(now=later), 2)
    assert closed.closed_at == later
    levels = [(v.risk_id, v.p, v.c, v.since) for v in uow_factory.rows(WeeklyRiskLevelRow)]
    first_id, second_id = (r.id for r in uow_factory.rows(WeeklyRiskRow))
    assert levels == [
        (first_id, 2, 3, START),
        (second_id, 1, 2, START + HOUR),
        (first_id, 3, 3, later),
    ]
    stored = {r.number: r for r in uow_factory.rows(WeeklyRiskRow)}
    assert (stored[1].p, stored[1].owner_id, stored[1].closed_at) == (3, "UBOSS", None)
    assert (stored[2].owner_id, stored[2].closed_at) == ("UDEV", later)
    # the list shows open risks only
    assert [r.number for r in register.list_risks(uow_factory, ask(now=later))] == [1]


def test_a_closed_risk_is_not_updated_nor_closed_again(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    add_risk(uow_factory, "Vendor API late", 2, 3, None)
    register.close_risk(uow_factory, ask(now=START + HOUR), 1)
    for call in (
        lambda: register.update_risk(uow_factory, ask(), 1, 3, 3, None),
        lambda: register.close_risk(uow_factory, ask(), 1),
    ):
        refused = refusal(call)
        assert (refused.code, refused.params) == ("weekly_risk_closed", {"number": 1})
    assert uow_factory.rows(WeeklyRiskRow)[0].closed_at == START + HOUR
    assert len(uow_factory.rows(WeeklyRiskLevelRow)) == 1


def test_an_unknown_risk_number_says_how_many_there_are(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    empty = refusal(lambda: register.close_risk(uow_factory, ask(), 1))
    assert (empty.code, empty.params) == ("weekly_risk_unknown", {"number": 1, "count": 0})
    add_risk(uow_factory, "Vendor API late", 2, 3, None)
    add_risk(uow_factory, "Budget", 3, 3, None)
    refused = refusal(lambda: register.update_risk(uow_factory, ask(), 7, 1, 1, None))
    assert (refused.code, refused.params) == ("weekly_risk_unknown", {"number": 7, "count": 2})


def test_a_replayed_add_adds_nothing(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    first = add_risk(uow_factory, "Vendor API late", 2, 3, "cmd:T1:abc")
    again = add_risk(uow_factory, "Vendor API late", 2, 3, "cmd:T1:abc", START + HOUR)
    assert (again.number, again.opened_at) == (first.number, START) == (1, START)
    assert len(uow_factory.rows(WeeklyRiskRow)) == 1
    assert len(uow_factory.rows(WeeklyRiskLevelRow)) == 1
    # without a request key, the same text is a second risk
    add_risk(uow_factory, "Vendor API late", 2, 3, None)
    add_risk(uow_factory, "Vendor API late", 2, 3, None)
    assert [r.number for r in uow_factory.rows(WeeklyRiskRow)] == [1, 2, 3]


def test_each_report_numbers_its_own_risks(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    add_risk(uow_factory, "Vendor API late", 2, 3, None)
    setup.start_report(uow_factory, chat, ask("UDEV", channel="COTHER"))
    other = register.add_risk(
        uow_factory, ask("UDEV", channel="COTHER"), "Hiring", 2, 2, None, None
    )
    assert other.number == 1
    numbers = sorted((r.report_id, r.number) for r in uow_factory.rows(WeeklyRiskRow))
    assert [n for _, n in numbers] == [1, 1]


def test_risk_text_is_cut_to_the_limit(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    from ceremonies.weekly.risks import MAX_RISK_TEXT

    seen = add_risk(uow_factory, "x" * (MAX_RISK_TEXT + 50), 1, 1, None)
    assert len(seen.text) == MAX_RISK_TEXT


def test_a_daily_elsewhere_is_found_by_what_is_in(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    add_daily(uow_factory, "CDAILY")
    with uow_factory() as uow:
        assert setup.what_is_in(uow, "T1", "CDAILY", START) == ["daily"]
        assert setup.what_is_in(uow, "T1", "CEMPTY", START) == []
        (daily,) = uow._open().rows(Daily)
        history = uow.daily_history.daily_history("T1", "CDAILY", date(2026, 12, 7), START.date())
        assert history is not None and history.days == () and history.participants == ()
        assert daily.channel_id == "CDAILY"

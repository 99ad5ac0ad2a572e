"""The on-call services on the in-memory unit of work: starting, changing and reading a rotation.

No database: the fake unit of work keeps the SQL stores' promises (tests/unit/test_fake_uow.py).
The rotation is UA, UB, UC in Europe/Berlin, weekly, handing off on Mondays at 10:00 there.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request
from ceremonies.core.time_model import DateRange
from ceremonies.oncall import changes, handoffs, reports, setup
from tests.fake_uow import FakeUnitOfWorkFactory, Note, Rotation, RotationVersionRow, ShiftRow
from tests.fake_uow import Window as WindowRow
from tests.fakes import FakeChat, utc

START = utc(2026, 12, 3, 14, 0)  # a Thursday, 15:00 in Berlin
MONDAY = utc(2026, 12, 7, 9, 0)  # 10:00 in Berlin: the first handoff
WEEK = timedelta(weeks=1)


def ask(user: str = "UA", now: datetime = START, channel: str = "CONCALL") -> Request:
    return Request("T1", channel, Actor(user), now)


def refusal(call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as refused:
        call()
    return refused.value


def order(uow_factory: FakeUnitOfWorkFactory, count: int, now: datetime = START) -> list[str]:
    return [s.user_id for s in reports.schedule(uow_factory, ask(now=now), count)]


def dms(chat: FakeChat, template: str) -> list[str]:
    return sorted(m.channel for m in chat.sent if m.message.template == template)


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    chat = FakeChat()
    for user in ("UA", "UB", "UC", "UD"):
        chat.add_user(user, "Europe/Berlin")
    chat.add_user("UNEWYORK", "America/New_York")
    chat.add_user("UBOT", is_bot=True)
    return chat


@pytest.fixture
def started(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat) -> setup.Settings:
    return setup.start_rotation(uow_factory, chat, ask(), ["UA", "UB", "UC"])


# starting


@pytest.mark.parametrize(
    ("caller", "first_handoff"),
    [("UA", MONDAY), ("UNEWYORK", utc(2026, 12, 7, 15, 0))],  # Monday 10:00 in New York
)
def test_start_puts_the_first_person_on_call_until_the_first_monday_ten_in_the_callers_zone(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, caller: str, first_handoff: datetime
) -> None:
    started = setup.start_rotation(uow_factory, chat, ask(caller), ["UA", "UB", "UC", "UA"])
    assert started.current.tz == chat.profiles[caller].tz and started.pending is None
    assert started.current.members == ("UA", "UB", "UC")
    first, second = started.next_shifts[:2]
    assert (first.user_id, first.start, first.end) == ("UA", START, first_handoff)
    assert (second.user_id, second.end - second.start) == ("UB", WEEK)
    who = reports.who(uow_factory, ask(caller))
    assert who.now == first and who.next == second
    (rotation,) = uow_factory.rows(Rotation)
    assert rotation.owner_id == caller and set(rotation.member_tz) == {"UA", "UB", "UC"}
    assert rotation.next_due_at == first_handoff - timedelta(hours=24)  # UB's 24-hour notice
    # The start's reply announces the first shift: run-due will not announce it again.
    (shift,) = uow_factory.rows(ShiftRow)
    assert (shift.user_id, shift.announced_at) == ("UA", START)
    assert chat.sent == []


def test_a_bot_cannot_be_on_call_and_nothing_is_kept(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    refused = refusal(lambda: setup.start_rotation(uow_factory, chat, ask(), ["UA", "UBOT"]))
    assert (refused.code, refused.params) == ("oncall_not_a_person", {"user_id": "UBOT"})
    assert uow_factory.rows(Rotation) == [] and uow_factory.commits == 0


def test_a_second_start_in_the_channel_is_refused(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    refused = refusal(lambda: setup.start_rotation(uow_factory, chat, ask("UB"), ["UB"]))
    assert refused.code == "oncall_exists"
    assert len(uow_factory.rows(Rotation)) == 1
    assert reports.who(uow_factory, ask()).now.user_id == "UA"  # type: ignore[union-attr]


# changing the settings


def test_a_change_starts_at_the_next_handoff_and_a_second_one_before_it_edits_it(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    daily = setup.change_rotation(uow_factory, chat, ask(), lambda v: replace(v, shift="daily"))
    assert daily.current == started.current
    assert daily.pending is not None and daily.pending.effective_from == MONDAY
    later = ask(now=START + timedelta(hours=1))
    nine = setup.change_rotation(
        uow_factory, chat, later, lambda v: replace(v, handoff_time=time(9, 0))
    )
    assert len(uow_factory.rows(RotationVersionRow)) == 2
    assert nine.pending == replace(daily.pending, handoff_time=time(9, 0))
    coming = reports.schedule(uow_factory, later, 4)
    assert [(s.user_id, s.start) for s in coming] == [
        ("UA", START),  # the current shift stays
        ("UB", MONDAY),
        ("UC", utc(2026, 12, 8, 8, 0)),  # daily, at 09:00 in Berlin
        ("UA", utc(2026, 12, 9, 8, 0)),
    ]
    # Once the pending version is in force, a change is a new version from the next handoff.
    tuesday = ask(now=MONDAY + timedelta(hours=1))
    weekly = setup.change_rotation(uow_factory, chat, tuesday, lambda v: replace(v, shift="weekly"))
    assert len(uow_factory.rows(RotationVersionRow)) == 3
    assert weekly.pending is not None and weekly.pending.effective_from == utc(2026, 12, 8, 8, 0)


def test_adding_then_removing_a_member_edits_the_one_pending_version(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    added = setup.add_member(uow_factory, chat, ask(), "UD")
    assert added.current.members == ("UA", "UB", "UC")
    assert added.pending is not None and added.pending.members == ("UA", "UB", "UC", "UD")
    assert order(uow_factory, 5) == ["UA", "UB", "UC", "UD", "UA"]
    (rotation,) = uow_factory.rows(Rotation)
    assert rotation.member_tz["UD"] == "Europe/Berlin"
    removed = setup.remove_member(uow_factory, chat, ask(), "UB")
    assert removed.pending is not None and removed.pending.members == ("UA", "UC", "UD")
    assert removed.pending.effective_from == MONDAY
    assert len(uow_factory.rows(RotationVersionRow)) == 2
    assert order(uow_factory, 5) == ["UA", "UC", "UD", "UA", "UC"]


def test_a_new_order_starts_with_the_first_listed_at_the_next_handoff(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    setup.reorder(uow_factory, chat, ask(), ["UC", "UA", "UB"])
    assert order(uow_factory, 4) == ["UA", "UC", "UA", "UB"]
    again = setup.reorder(uow_factory, chat, ask(), ["UB", "UC", "UA"])
    assert again.pending is not None and again.pending.restart
    assert len(uow_factory.rows(RotationVersionRow)) == 2
    assert order(uow_factory, 4) == ["UA", "UB", "UC", "UA"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda f, c: setup.add_member(f, c, ask(), "UB"), "oncall_already_member"),
        (lambda f, c: setup.add_member(f, c, ask(), "UBOT"), "oncall_not_a_person"),
        (lambda f, c: setup.remove_member(f, c, ask(), "UD"), "oncall_not_member"),
        (lambda f, c: setup.reorder(f, c, ask(), ["UA", "UB"]), "oncall_order_mismatch"),
        (lambda f, c: setup.reorder(f, c, ask(), ["UA", "UA", "UB"]), "oncall_order_mismatch"),
        (lambda f, c: setup.add_member(f, c, ask(channel="COTHER"), "UD"), "oncall_none_here"),
    ],
)
def test_a_change_that_cannot_be_made_is_refused_and_adds_no_version(
    uow_factory: FakeUnitOfWorkFactory,
    chat: FakeChat,
    started: setup.Settings,
    change: Callable[[FakeUnitOfWorkFactory, FakeChat], object],
    code: str,
) -> None:
    assert refusal(lambda: change(uow_factory, chat)).code == code
    assert len(uow_factory.rows(RotationVersionRow)) == 1
    assert chat.sent == []


def test_a_country_is_set_for_the_rotation_or_for_one_member(
    uow_factory: FakeUnitOfWorkFactory, started: setup.Settings
) -> None:
    assert setup.set_country(uow_factory, ask(), None, "DE").country == "DE"
    assert setup.set_country(uow_factory, ask(), "UB", "US").member_country == {"UB": "US"}
    cleared = setup.set_country(uow_factory, ask(), "UB", None)
    assert (cleared.country, cleared.member_country) == ("DE", {})
    refused = refusal(lambda: setup.set_country(uow_factory, ask(), "UD", "FR"))
    assert (refused.code, refused.params) == ("oncall_not_member", {"user_id": "UD"})


# absences and overrides


def test_an_absence_replans_and_tells_each_affected_person_once(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    days = DateRange(date(2026, 12, 8), date(2026, 12, 9))
    assert changes.away(uow_factory, chat, ask("UB"), "UB", days) == ["UB", "UC"]
    coming = reports.schedule(uow_factory, ask(), 5)
    assert [s.user_id for s in coming] == ["UA", "UC", "UB", "UA", "UB"]
    assert (coming[1].reason, coming[1].scheduled_id) == ("absence", "UB")
    assert dms(chat, "oncall/notice_changed") == ["DUB", "DUC"]
    (to_ub,) = chat.to("DUB")
    assert to_ub.message.context["old"] == [[MONDAY.isoformat(), (MONDAY + WEEK).isoformat()]]
    assert to_ub.message.context["new"] == [
        [(MONDAY + WEEK).isoformat(), (MONDAY + 2 * WEEK).isoformat()]
    ]


def test_only_the_owner_marks_someone_else_away(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    days = DateRange(date(2026, 12, 8), date(2026, 12, 9))
    refused = refusal(lambda: changes.away(uow_factory, chat, ask("UC"), "UB", days))
    assert refused.code == "oncall_not_owner_away"
    assert refusal(lambda: changes.away(uow_factory, chat, ask(), "UD", days)).code == (
        "oncall_not_member"
    )
    assert changes.away(uow_factory, chat, ask("UA"), "UB", days) == ["UB", "UC"]


def test_an_override_window_replaces_whoever_is_scheduled_once_per_request(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    window = (utc(2026, 12, 8, 9, 0), utc(2026, 12, 9, 9, 0))
    for _ in range(2):  # the same Slack request, replayed
        shift = changes.override(uow_factory, chat, ask(), "UC", window, "req-1")
        assert (shift.user_id, shift.start, shift.end, shift.reason) == ("UC", *window, "override")
    assert len(uow_factory.rows(WindowRow)) == 1
    coming = reports.schedule(uow_factory, ask(), 5)
    assert [(s.user_id, s.start) for s in coming] == [
        ("UA", START),
        ("UB", MONDAY),
        ("UC", window[0]),
        ("UB", window[1]),
        ("UC", MONDAY + WEEK),
    ]
    assert coming[2].scheduled_id == "UB"
    assert dms(chat, "oncall/notice_changed") == ["DUB", "DUC"]


def test_an_override_of_the_rest_of_the_shift_starts_now(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    later = START + timedelta(hours=2)
    shift = changes.override(uow_factory, chat, ask(now=later), "UC", None, "req-1")
    assert (shift.user_id, shift.start, shift.end) == ("UC", later, MONDAY)
    assert reports.who(uow_factory, ask(now=later)).now.user_id == "UC"  # type: ignore[union-attr]
    (rotation,) = uow_factory.rows(Rotation)
    assert rotation.next_due_at is not None and rotation.next_due_at <= later  # due at once


@pytest.mark.parametrize(
    ("window", "code"),
    [
        ((START + timedelta(days=2), START + timedelta(days=1)), "oncall_window_reversed"),
        ((START + timedelta(days=1), START + timedelta(days=92)), "oncall_window_too_long"),
        ((START - timedelta(days=2), START - timedelta(days=1)), "oncall_window_past"),
        ((utc(2026, 12, 8, 9, 0), utc(2026, 12, 9, 9, 0)), "oncall_override_away"),
    ],
)
def test_an_override_that_cannot_be_is_refused_and_changes_nothing(
    uow_factory: FakeUnitOfWorkFactory,
    chat: FakeChat,
    started: setup.Settings,
    window: tuple[datetime, datetime],
    code: str,
) -> None:
    changes.away(
        uow_factory, chat, ask("UC"), "UC", DateRange(date(2026, 12, 9), date(2026, 12, 9))
    )
    before, told = order(uow_factory, 5), len(chat.sent)
    assert refusal(lambda: changes.override(uow_factory, chat, ask(), "UC", window)).code == code
    assert refusal(lambda: changes.override(uow_factory, chat, ask(), "UBOT", window)).code == (
        "oncall_not_a_person"
    )
    assert uow_factory.rows(WindowRow) == []
    assert order(uow_factory, 5) == before and len(chat.sent) == told


# handoff notes


def test_only_the_person_on_call_adds_a_note_and_a_replay_adds_it_once(
    uow_factory: FakeUnitOfWorkFactory, started: setup.Settings
) -> None:
    refused = refusal(lambda: changes.add_note(uow_factory, ask("UB"), "not mine", None))
    assert (refused.code, refused.params) == ("oncall_note_not_on_call", {"user_id": "UA"})
    too_long = refusal(lambda: changes.add_note(uow_factory, ask(), "x" * 2001, None))
    assert (too_long.code, too_long.params) == (
        "oncall_note_too_long",
        {"length": 2001, "limit": 2000},
    )
    assert refusal(lambda: changes.add_note(uow_factory, ask(), "   ", None)).code == (
        "oncall_note_empty"
    )
    for _ in range(2):
        shift = changes.add_note(uow_factory, ask(), " disk on db-2 at 91% ", "note-1")
        assert (shift.user_id, shift.start) == ("UA", START)
    (note,) = uow_factory.rows(Note)
    assert (note.text, note.user_id, note.shift_start) == ("disk on db-2 at 91%", "UA", START)


# reading the rotation


def test_who_and_schedule_read_the_plan_without_a_tick(
    uow_factory: FakeUnitOfWorkFactory, started: setup.Settings
) -> None:
    assert refusal(lambda: reports.who(uow_factory, ask(channel="COTHER"))).code == (
        "oncall_none_here"
    )
    monday_noon = ask(now=MONDAY + timedelta(hours=3))
    who = reports.who(uow_factory, monday_noon)
    assert (who.now.user_id, who.next.user_id, who.tz) == ("UB", "UC", "Europe/Berlin")  # type: ignore[union-attr]
    coming = reports.schedule(uow_factory, ask(), 6)
    assert [s.user_id for s in coming] == ["UA", "UB", "UC", "UA", "UB", "UC"]
    assert all(a.end == b.start for a, b in itertools.pairwise(coming))
    assert len(reports.schedule(uow_factory, ask(), 52)) == 52
    for count in (0, 53):
        refused = refusal(lambda count=count: reports.schedule(uow_factory, ask(), count))
        assert (refused.code, refused.params) == ("oncall_schedule_count", {"limit": 52})


def test_history_counts_shifts_days_weekend_days_and_holidays_by_country(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    for week in range(4):  # the handoffs of Dec 7, 14, 21 and 28
        handoffs.run_due(uow_factory, chat, MONDAY + week * WEEK)
    now = ask(now=MONDAY + 3 * WEEK + timedelta(hours=1))  # Dec 28, 11:00 in Berlin

    def loads() -> list[tuple[str, int, int, int, int]]:
        found = reports.history(uow_factory, now, 4).loads
        return [(x.user_id, x.shifts, x.days, x.weekend_days, x.holiday_days) for x in found]

    history = reports.history(uow_factory, now, 4)
    assert [s.user_id for s in history.shifts] == ["UA", "UB", "UC", "UA", "UB"]
    # A day counts for whoever is on call at noon in Berlin; UB's day 28 is not reached yet.
    assert loads() == [("UA", 2, 10, 4, 0), ("UB", 2, 7, 2, 0), ("UC", 1, 7, 2, 0)]
    setup.set_country(uow_factory, ask(), None, "DE")  # Dec 25 and 26, in UA's second week
    assert loads()[0] == ("UA", 2, 10, 4, 2)
    setup.set_country(uow_factory, ask(), "UA", "US")  # their own country wins: Dec 25 only
    assert loads()[0] == ("UA", 2, 10, 4, 1)
    for weeks in (0, 105):
        refused = refusal(lambda weeks=weeks: reports.history(uow_factory, now, weeks))
        assert (refused.code, refused.params) == ("oncall_history_weeks", {"limit": 104})

"""On-call rotations on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL says)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request
from ceremonies.core.time_model import DateRange
from ceremonies.oncall import changes, exchanges, handoffs, reports, setup
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FakeChat

START = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # a Thursday, 15:00 in Berlin
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 10:00 in Berlin: the first handoff


def ask(user: str = "UA", now: datetime = START) -> Request:
    return Request("T1", "CONCALL", Actor(user), now)


@pytest.fixture
def people(chat: FakeChat) -> FakeChat:
    for user in ("UA", "UB", "UC"):
        chat.add_user(user, "Europe/Berlin")
    chat.usergroups["SONCALL"] = []
    return chat


@pytest.fixture
def rotation(uow_factory: SqlUnitOfWorkFactory, people: FakeChat) -> setup.Settings:
    return setup.start_rotation(uow_factory, people, ask(), ["UA", "UB", "UC"])


def templates(chat: FakeChat) -> list[tuple[str, str]]:
    return [(m.channel, m.message.template) for m in chat.sent]


def test_start_puts_the_first_person_on_call_until_monday_ten_berlin(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings
) -> None:
    who = reports.who(uow_factory, ask())
    assert who.now is not None and who.now.user_id == "UA"
    assert (who.now.start, who.now.end) == (START, MONDAY)
    assert who.next is not None and who.next.user_id == "UB"
    assert [s.user_id for s in rotation.next_shifts] == ["UA", "UB", "UC", "UA", "UB", "UC"]


def test_a_second_start_is_refused_and_changes_nothing(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    with pytest.raises(Refusal) as refused:
        setup.start_rotation(uow_factory, people, ask("UB"), ["UB"])
    assert refused.value.code == "oncall_exists"
    assert reports.who(uow_factory, ask()).now.user_id == "UA"  # type: ignore[union-attr]


def test_a_bot_cannot_be_on_call(uow_factory: SqlUnitOfWorkFactory, people: FakeChat) -> None:
    with pytest.raises(Refusal) as refused:
        setup.start_rotation(uow_factory, people, ask(), ["UA", "UBOT"])
    assert refused.value.code == "oncall_not_a_person"
    with uow_factory() as uow:
        assert uow.oncalls.rotation_in_channel("T1", "CONCALL") is None


def test_three_racing_run_dues_announce_each_handoff_once(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    setup.set_usergroup(uow_factory, ask(), "SONCALL")
    at = MONDAY + timedelta(seconds=30)
    with ThreadPoolExecutor(3) as pool:
        reports_ = list(pool.map(lambda _: handoffs.run_due(uow_factory, people, at), range(3)))
    assert sum(r.handoffs for r in reports_) == 1
    assert templates(people).count(("CONCALL", "oncall/handoff")) == 1
    assert templates(people).count(("DUB", "oncall/handoff_dm")) == 1
    assert people.usergroups["SONCALL"] == ["UB"]
    assert not any(r.failures for r in reports_)
    # and nothing more on the next ticks
    handoffs.run_due(uow_factory, people, at + timedelta(minutes=1))
    assert templates(people).count(("CONCALL", "oncall/handoff")) == 1


def test_the_24_hour_notice_goes_once_before_the_shift(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    for hours in (23, 12, 1):
        handoffs.run_due(uow_factory, people, MONDAY - timedelta(hours=hours))
    assert templates(people) == [("DUB", "oncall/notice_ahead")]


def test_after_downtime_missed_handoffs_are_recorded_and_the_running_one_posted_late_once(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    three_weeks_on = MONDAY + timedelta(weeks=1, hours=3)  # UB's shift and UC's started
    first = handoffs.run_due(uow_factory, people, three_weeks_on)
    again = handoffs.run_due(uow_factory, people, three_weeks_on + timedelta(minutes=1))
    assert (first.handoffs, first.late, again.handoffs) == (1, 1, 0)
    posted = [m for m in people.sent if m.message.template == "oncall/handoff"]
    assert len(posted) == 1
    context = posted[0].message.context
    assert context["shift"]["user_id"] == "UC" and context["shift"]["late"]
    assert [m["user_id"] for m in context["missed"]] == ["UB"]
    history = reports.history(uow_factory, ask(now=three_weeks_on), 4)
    assert [s.user_id for s in history.shifts] == ["UA", "UB", "UC"]


def test_an_absence_skips_the_person_and_they_take_the_next_shift_they_can(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    told = changes.away(
        uow_factory, people, ask("UB"), "UB", DateRange(date(2026, 12, 8), date(2026, 12, 9))
    )
    assert told == ["UB", "UC"]
    coming = reports.schedule(uow_factory, ask(), 5)
    assert [s.user_id for s in coming] == ["UA", "UC", "UB", "UA", "UB"]
    assert coming[1].reason == "absence"
    # each person told once, listing what moved
    dms = [m for m in people.sent if m.message.template == "oncall/notice_changed"]
    assert sorted(m.channel for m in dms) == ["DUB", "DUC"]


def test_override_for_the_rest_of_the_shift_is_announced_by_the_next_tick(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    later = START + timedelta(hours=2)
    shift = changes.override(uow_factory, people, ask(now=later), "UC", None, "req-1")
    assert (shift.user_id, shift.end) == ("UC", MONDAY)
    # the same request replayed adds nothing
    changes.override(uow_factory, people, ask(now=later), "UC", None, "req-1")
    with uow_factory() as uow:
        rotation_row = uow.oncalls.rotation_in_channel("T1", "CONCALL")
        assert rotation_row is not None
        assert len(uow.oncalls.windows(rotation_row.id)) == 1
        assert rotation_row.next_due_at is not None and rotation_row.next_due_at <= later
    handoffs.run_due(uow_factory, people, later + timedelta(seconds=10))
    posted = [m for m in people.sent if m.message.template == "oncall/handoff"]
    assert [m.message.context["shift"]["user_id"] for m in posted] == ["UC"]
    assert reports.who(uow_factory, ask(now=later + timedelta(minutes=1))).now.user_id == "UC"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("window", "code"),
    [
        ((START + timedelta(days=2), START + timedelta(days=1)), "oncall_window_reversed"),
        ((START, START + timedelta(days=91)), "oncall_window_too_long"),
    ],
)
def test_bad_overrides_are_refused_and_change_nothing(
    uow_factory: SqlUnitOfWorkFactory,
    rotation: setup.Settings,
    people: FakeChat,
    window: tuple[datetime, datetime],
    code: str,
) -> None:
    with pytest.raises(Refusal) as refused:
        changes.override(uow_factory, people, ask(), "UB", window)
    assert refused.value.code == code
    assert reports.who(uow_factory, ask()).now.user_id == "UA"  # type: ignore[union-attr]


def test_a_note_by_the_person_on_call_reaches_the_next_handoff(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    with pytest.raises(Refusal) as refused:
        changes.add_note(uow_factory, ask("UB"), "not mine", None)
    assert refused.value.code == "oncall_note_not_on_call"
    with pytest.raises(Refusal) as too_long:
        changes.add_note(uow_factory, ask("UA"), "x" * 50_000, None)
    assert too_long.value.code == "oncall_note_too_long"
    changes.add_note(uow_factory, ask("UA"), "disk on db-2 at 91% <!channel>", None)
    handoffs.run_due(uow_factory, people, MONDAY)
    posted = next(m for m in people.sent if m.message.template == "oncall/handoff")
    assert posted.message.context["notes"] == [
        {"user_id": "UA", "text": "disk on db-2 at 91% <!channel>"}
    ]


def test_settings_change_from_the_next_handoff_and_the_current_shift_stays(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    from dataclasses import replace

    changed = setup.change_rotation(uow_factory, people, ask(), lambda v: replace(v, shift="daily"))
    assert changed.pending is not None and changed.pending.effective_from == MONDAY
    coming = reports.schedule(uow_factory, ask(), 4)
    assert (coming[0].user_id, coming[0].end) == ("UA", MONDAY)
    assert [s.end - s.start for s in coming[1:]] == [timedelta(days=1)] * 3
    assert [s.user_id for s in coming[1:]] == ["UB", "UC", "UA"]


def test_an_accepted_swap_is_who_the_handoff_goes_to(
    uow_factory: SqlUnitOfWorkFactory, rotation: setup.Settings, people: FakeChat
) -> None:
    asked = exchanges.ask_swap(uow_factory, people, ask("UB"), "UC")
    exchanges.answer_swap(uow_factory, people, "T1", Actor("UC"), asked.swap_id, True, START)
    with pytest.raises(Refusal) as again:
        exchanges.answer_swap(uow_factory, people, "T1", Actor("UC"), asked.swap_id, True, START)
    assert again.value.code == "oncall_already_answered"
    # exactly at the handoff instant, and a week later at the next one
    handoffs.run_due(uow_factory, people, MONDAY)
    handoffs.run_due(uow_factory, people, MONDAY + timedelta(weeks=1))
    posted = [
        m.message.context["shift"] for m in people.sent if m.message.template == "oncall/handoff"
    ]
    assert [(p["user_id"], p["reason"]) for p in posted] == [("UC", "swap"), ("UB", "swap")]

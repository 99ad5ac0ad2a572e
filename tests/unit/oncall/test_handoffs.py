"""Run-due for the on-call rotations on the in-memory unit of work: handoffs and notices.

The rotation is UA, UB, UC in Europe/Berlin, weekly, handing off on Mondays at 10:00 there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ceremonies.core.request import Actor, Request
from ceremonies.oncall import changes, handoffs, reports, setup
from tests.fake_uow import FakeUnitOfWorkFactory, Rotation, ShiftRow
from tests.fakes import FakeChat, utc

START = utc(2026, 12, 3, 14, 0)  # a Thursday, 15:00 in Berlin
MONDAY = utc(2026, 12, 7, 9, 0)  # 10:00 in Berlin: the first handoff
WEEK = timedelta(weeks=1)
MINUTE = timedelta(minutes=1)


def ask(user: str = "UA", now: datetime = START) -> Request:
    return Request("T1", "CONCALL", Actor(user), now)


def sent(chat: FakeChat) -> list[tuple[str, str]]:
    return [(m.channel, m.message.template) for m in chat.sent]


def posted_handoffs(chat: FakeChat) -> list[dict]:
    return [dict(m.message.context) for m in chat.to("CONCALL", "oncall/handoff")]


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    chat = FakeChat()
    for user in ("UA", "UB", "UC"):
        chat.add_user(user, "Europe/Berlin")
    chat.usergroups["SONCALL"] = []
    return chat


@pytest.fixture
def started(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat) -> setup.Settings:
    return setup.start_rotation(uow_factory, chat, ask(), ["UA", "UB", "UC"])


def test_each_handoff_is_announced_once_to_the_channel_the_incoming_person_and_the_group(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    setup.set_usergroup(uow_factory, ask(), "SONCALL", "oncall")
    assert handoffs.run_due(uow_factory, chat, START + timedelta(hours=1)).handoffs == 0
    report = handoffs.run_due(uow_factory, chat, MONDAY + timedelta(seconds=30))
    assert (report.handoffs, report.usergroups, report.late, report.failures) == (1, 1, 0, [])
    for minutes in (1, 2, 10):  # and nothing more on the next ticks
        handoffs.run_due(uow_factory, chat, MONDAY + minutes * MINUTE)
    assert sent(chat) == [("CONCALL", "oncall/handoff"), ("DUB", "oncall/handoff_dm")]
    (context,) = posted_handoffs(chat)
    assert context["shift"]["user_id"] == "UB" and context["shift"]["previous_user_id"] == "UA"
    assert context["shift"]["start"] == MONDAY.isoformat() and not context["shift"]["late"]
    assert context["next"]["user_id"] == "UC" and context["missed"] == []
    assert chat.usergroups["SONCALL"] == ["UB"]
    shift = next(s for s in uow_factory.rows(ShiftRow) if s.user_id == "UB")
    assert shift.announced_at == MONDAY + timedelta(seconds=30) and shift.channel_ts


def test_without_a_user_group_none_is_set(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    report = handoffs.run_due(uow_factory, chat, MONDAY)
    assert (report.handoffs, report.usergroups) == (1, 0)
    assert chat.usergroups["SONCALL"] == []


def test_the_24_hour_notice_goes_once_before_the_shift(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    for hours in (25, 23, 12, 1):
        handoffs.run_due(uow_factory, chat, MONDAY - timedelta(hours=hours))
    assert sent(chat) == [("DUB", "oncall/notice_ahead")]
    (notice,) = chat.sent
    assert notice.message.context["start"] == MONDAY.isoformat()
    assert notice.message.context["tz"] == "Europe/Berlin"


def test_after_downtime_missed_shifts_are_recorded_and_one_late_announcement_lists_them(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    back = MONDAY + WEEK + timedelta(hours=3)  # UB's shift and UC's started meanwhile
    first = handoffs.run_due(uow_factory, chat, back)
    again = handoffs.run_due(uow_factory, chat, back + MINUTE)
    assert (first.handoffs, first.late, again.handoffs, again.late) == (1, 1, 0, 0)
    (context,) = posted_handoffs(chat)
    assert context["shift"]["user_id"] == "UC" and context["shift"]["late"]
    assert [(m["user_id"], m["start"]) for m in context["missed"]] == [("UB", MONDAY.isoformat())]
    assert chat.to("DUC", "oncall/handoff_dm") and not chat.to("DUB", "oncall/handoff_dm")
    rows = uow_factory.rows(ShiftRow)
    assert [(s.user_id, s.announced_at is not None) for s in rows] == [
        ("UA", True),
        ("UB", True),
        ("UC", True),
    ]
    history = reports.history(uow_factory, ask(now=back), 4)
    assert [s.user_id for s in history.shifts] == ["UA", "UB", "UC"]


def test_a_failed_channel_post_stays_unannounced_and_a_tick_after_the_lease_posts_it(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    chat.fail_posts_to.add("CONCALL")
    failed = handoffs.run_due(uow_factory, chat, MONDAY)
    assert failed.handoffs == 0 and failed.failures
    (shift,) = [s for s in uow_factory.rows(ShiftRow) if s.user_id == "UB"]
    assert shift.announced_at is None and shift.failure == "chat.postMessage: connection reset"
    (rotation,) = uow_factory.rows(Rotation)
    assert rotation.next_due_at is not None
    assert rotation.next_due_at <= MONDAY + 3 * MINUTE  # to be tried again soon
    chat.fail_posts_to.clear()
    recovered = handoffs.run_due(uow_factory, chat, MONDAY + 3 * MINUTE)
    assert (recovered.handoffs, recovered.recovered) == (1, 1)
    handoffs.run_due(uow_factory, chat, MONDAY + 4 * MINUTE)
    assert sent(chat) == [("CONCALL", "oncall/handoff"), ("DUB", "oncall/handoff_dm")]


def test_a_failed_channel_post_is_retried_by_the_following_minutely_ticks(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    chat.fail_posts_to.add("CONCALL")
    handoffs.run_due(uow_factory, chat, MONDAY)
    chat.fail_posts_to.clear()
    for minutes in range(1, 6):  # the in-process scheduler ticks every minute
        handoffs.run_due(uow_factory, chat, MONDAY + minutes * MINUTE)
    assert sent(chat) == [("CONCALL", "oncall/handoff"), ("DUB", "oncall/handoff_dm")]


def test_an_override_of_the_rest_of_the_shift_is_announced_by_the_next_tick(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    later = START + timedelta(hours=2)
    changes.override(uow_factory, chat, ask(now=later), "UC", None, "req-1")
    handoffs.run_due(uow_factory, chat, later + timedelta(seconds=10))
    handoffs.run_due(uow_factory, chat, later + MINUTE)
    (context,) = posted_handoffs(chat)
    assert (context["shift"]["user_id"], context["shift"]["previous_user_id"]) == ("UC", "UA")
    # and at Monday the rotation goes on as planned: UC hands over to UB
    handoffs.run_due(uow_factory, chat, MONDAY)
    assert [c["shift"]["user_id"] for c in posted_handoffs(chat)] == ["UC", "UB"]


def test_the_notes_of_a_shift_reach_its_handoff(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    changes.add_note(uow_factory, ask(), "disk on db-2 at 91% <!channel>", None)
    handoffs.run_due(uow_factory, chat, MONDAY)
    (context,) = posted_handoffs(chat)
    assert context["notes"] == [{"user_id": "UA", "text": "disk on db-2 at 91% <!channel>"}]

"""Swaps and covers on the in-memory unit of work: asked, answered once, applied once.

The rotation is UA, UB, UC in Europe/Berlin, weekly, handing off on Mondays at 10:00 there:
UA until Dec 7, UB until Dec 14, UC until Dec 21, then UA again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request
from ceremonies.core.time_model import DateRange
from ceremonies.oncall import changes, exchanges, reports, setup
from tests.fake_uow import Cover, FakeUnitOfWorkFactory, Swap
from tests.fake_uow import Window as WindowRow
from tests.fakes import FakeChat, utc

START = utc(2026, 12, 3, 14, 0)  # a Thursday, 15:00 in Berlin
MONDAY = utc(2026, 12, 7, 9, 0)  # 10:00 in Berlin: UB's shift starts
WEEK = timedelta(weeks=1)
LATER = START + timedelta(hours=1)


def ask(user: str = "UA", now: datetime = START) -> Request:
    return Request("T1", "CONCALL", Actor(user), now)


def refusal(call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as refused:
        call()
    return refused.value


def plan(uow_factory: FakeUnitOfWorkFactory) -> list[tuple[str, datetime, str]]:
    return [(s.user_id, s.start, s.reason) for s in reports.schedule(uow_factory, ask(), 4)]


def sent(chat: FakeChat) -> list[tuple[str, str]]:
    return [(m.channel, m.message.template) for m in chat.sent]


def answer(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, user: str, swap_id: int, accept: bool
) -> exchanges.SwapAsked:
    return exchanges.answer_swap(uow_factory, chat, "T1", Actor(user), swap_id, accept, LATER)


def take(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, user: str, cover_id: int) -> object:
    return exchanges.take_cover(uow_factory, chat, "T1", Actor(user), cover_id, LATER)


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    chat = FakeChat()
    for user in ("UA", "UB", "UC", "UD"):
        chat.add_user(user, "Europe/Berlin")
    return chat


@pytest.fixture
def started(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat) -> setup.Settings:
    return setup.start_rotation(uow_factory, chat, ask(), ["UA", "UB", "UC"])


@pytest.fixture
def asked(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> exchanges.SwapAsked:
    """UB asks UC to swap their next shifts."""
    return exchanges.ask_swap(uow_factory, chat, ask("UB"), "UC", "swap-1")


ASIS = [("UA", START, "scheduled"), ("UB", MONDAY, "scheduled"), ("UC", MONDAY + WEEK, "scheduled")]


# swaps


def test_a_swap_is_asked_of_the_partner_and_changes_nothing_yet(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, asked: exchanges.SwapAsked
) -> None:
    assert (asked.first.user_id, asked.first.start) == ("UB", MONDAY)
    assert (asked.second.user_id, asked.second.start) == ("UC", MONDAY + WEEK)
    assert sent(chat) == [("DUC", "oncall/swap_request")]
    (row,) = uow_factory.rows(Swap)
    assert (row.status, row.answered_at) == ("asked", None)
    assert plan(uow_factory)[:3] == ASIS


def test_a_swap_with_oneself_or_a_non_member_is_refused(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    assert refusal(lambda: exchanges.ask_swap(uow_factory, chat, ask("UB"), "UB")).code == (
        "oncall_swap_self"
    )
    refused = refusal(lambda: exchanges.ask_swap(uow_factory, chat, ask("UB"), "UD"))
    assert (refused.code, refused.params) == ("oncall_not_member", {"user_id": "UD"})
    assert uow_factory.rows(Swap) == [] and chat.sent == []


def test_only_the_partner_answers_and_accepting_exchanges_the_two_turns_once(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, asked: exchanges.SwapAsked
) -> None:
    for someone in ("UA", "UB"):
        refused = refusal(lambda s=someone: answer(uow_factory, chat, s, asked.swap_id, True))
        assert (refused.code, refused.params) == ("oncall_swap_not_yours", {"user_id": "UC"})
    done = answer(uow_factory, chat, "UC", asked.swap_id, True)
    assert (done.first.start, done.second.start) == (MONDAY, MONDAY + WEEK)
    assert plan(uow_factory)[:3] == [
        ("UA", START, "scheduled"),
        ("UC", MONDAY, "swap"),
        ("UB", MONDAY + WEEK, "swap"),
    ]
    (row,) = uow_factory.rows(Swap)
    assert (row.status, row.answered_at) == ("accepted", LATER)
    assert sent(chat)[1:] == [
        ("DUB", "oncall/notice_changed"),
        ("DUC", "oncall/notice_changed"),
        ("CONCALL", "oncall/swap_done"),
    ]
    for again in (True, False):
        refused = refusal(lambda a=again: answer(uow_factory, chat, "UC", asked.swap_id, a))
        assert refused.code == "oncall_already_answered"
    assert len(chat.sent) == 4 and plan(uow_factory)[1][0] == "UC"


def test_declining_changes_nothing_and_tells_the_asker(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, asked: exchanges.SwapAsked
) -> None:
    answer(uow_factory, chat, "UC", asked.swap_id, False)
    assert plan(uow_factory)[:3] == ASIS
    assert sent(chat)[1:] == [("DUB", "oncall/swap_declined")]
    (row,) = uow_factory.rows(Swap)
    assert row.status == "declined"
    refused = refusal(lambda: answer(uow_factory, chat, "UC", asked.swap_id, True))
    assert refused.code == "oncall_already_answered"


def _ub_away_on_tuesday(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat) -> None:
    """UB is away during their turn: UC takes it, UB takes UC's, before the swap is answered."""
    changes.away(
        uow_factory, chat, ask("UB"), "UB", DateRange(date(2026, 12, 8), date(2026, 12, 8))
    )


def test_a_swap_whose_turns_moved_meanwhile_is_stale_and_changes_nothing(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, asked: exchanges.SwapAsked
) -> None:
    _ub_away_on_tuesday(uow_factory, chat)
    replanned, told = plan(uow_factory), len(chat.sent)
    assert replanned[1] == ("UC", MONDAY, "absence")
    refused = refusal(lambda: answer(uow_factory, chat, "UC", asked.swap_id, True))
    assert refused.code == "oncall_swap_stale"
    assert plan(uow_factory) == replanned and len(chat.sent) == told
    assert [s.status for s in uow_factory.rows(Swap)] != ["accepted"]


def test_a_stale_answer_is_recorded_and_a_second_answer_is_told_so(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, asked: exchanges.SwapAsked
) -> None:
    _ub_away_on_tuesday(uow_factory, chat)
    refusal(lambda: answer(uow_factory, chat, "UC", asked.swap_id, True))
    (row,) = uow_factory.rows(Swap)
    assert (row.status, row.answered_at) == ("stale", LATER)
    refused = refusal(lambda: answer(uow_factory, chat, "UC", asked.swap_id, True))
    assert refused.code == "oncall_already_answered"


def test_a_swap_the_partner_can_no_longer_take_is_not_announced_as_done(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, asked: exchanges.SwapAsked
) -> None:
    # UC is away on Tuesday, inside UB's turn that the swap would give them.
    changes.away(
        uow_factory, chat, ask("UC"), "UC", DateRange(date(2026, 12, 8), date(2026, 12, 8))
    )
    assert plan(uow_factory)[:3] == ASIS  # UC's own turns are untouched
    with pytest.raises(Refusal):
        answer(uow_factory, chat, "UC", asked.swap_id, True)
    assert ("CONCALL", "oncall/swap_done") not in sent(chat)


# covers


def test_a_cover_goes_to_the_first_member_who_takes_it(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.Settings
) -> None:
    days = DateRange(date(2026, 12, 8), date(2026, 12, 9))
    cover = exchanges.ask_cover(uow_factory, ask("UB"), None, days, "cover-1")
    tuesday, thursday = utc(2026, 12, 7, 23, 0), utc(2026, 12, 9, 23, 0)  # midnights in Berlin
    assert (cover.requester_id, cover.start, cover.end) == ("UB", tuesday, thursday)
    assert refusal(lambda: take(uow_factory, chat, "UB", cover.cover_id)).code == (
        "oncall_cover_own"
    )
    take(uow_factory, chat, "UC", cover.cover_id)
    refused = refusal(lambda: take(uow_factory, chat, "UA", cover.cover_id))
    assert (refused.code, refused.params) == ("oncall_cover_taken", {"user_id": "UC"})
    (row,) = uow_factory.rows(Cover)
    assert (row.taker_id, row.taken_at) == ("UC", LATER)
    (window,) = uow_factory.rows(WindowRow)
    assert (window.user_id, window.reason, window.starts_at, window.ends_at) == (
        "UC",
        "cover",
        tuesday,
        thursday,
    )
    assert plan(uow_factory) == [
        ("UA", START, "scheduled"),
        ("UB", MONDAY, "scheduled"),
        ("UC", tuesday, "cover"),
        ("UB", thursday, "scheduled"),
    ]
    assert ("DUB", "oncall/cover_taken_dm") in sent(chat)


def test_a_cover_of_the_whole_next_shift_and_who_may_ask_for_someone_else(
    uow_factory: FakeUnitOfWorkFactory, started: setup.Settings
) -> None:
    whole = exchanges.ask_cover(uow_factory, ask("UB"), None, None)
    assert (whole.start, whole.end) == (MONDAY, MONDAY + WEEK)
    refused = refusal(lambda: exchanges.ask_cover(uow_factory, ask("UC"), "UB", None))
    assert (refused.code, refused.params) == ("oncall_not_owner_cover", {"user_id": "UB"})
    by_owner = exchanges.ask_cover(uow_factory, ask("UA"), "UC", None)
    assert (by_owner.requester_id, by_owner.asked_by) == ("UC", "UA")
    outside = DateRange(date(2027, 1, 5), date(2027, 1, 6))
    refused = refusal(lambda: exchanges.ask_cover(uow_factory, ask("UB"), None, outside))
    assert refused.code == "oncall_cover_outside"
    assert len(uow_factory.rows(Cover)) == 2

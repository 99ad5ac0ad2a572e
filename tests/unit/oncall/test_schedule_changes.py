"""The on-call schedule over two whole years: swaps, checkpoints, versions and overrides.

Properties checked by hypothesis against the independent models in `schedule_strategies`:
swaps keep everyone's number of turns, planning from a checkpoint gives the same turns, and
a new version keeps the past and leaves no gap; plus the regression tests the properties
found (an override after the planned turns, a swap dropped before a checkpoint).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time

from hypothesis import given, settings
from hypothesis import strategies as st

from ceremonies.core.time_model import DateRange, Person
from ceremonies.oncall.plan import Checkpoint, Swap, Window, plan
from ceremonies.oncall.rotation import DAILY, WEEKLY, RotationVersion
from tests.unit.oncall.schedule_strategies import (
    Change,
    Scenario,
    assert_handoffs,
    assert_one_on_call_throughout,
    assert_turns_back_to_back,
    changes,
    clipped,
    expected_holders,
    is_away,
    picks,
    scenarios,
)

# --- overrides -----------------------------------------------------------------


def test_an_override_after_the_planned_turns_leaves_no_hole() -> None:
    # Found by the properties: turns used to stop at `until`, leaving a hole before it.
    version = RotationVersion(
        datetime(2026, 1, 5, 10, tzinfo=UTC), ("ana", "ben"), WEEKLY, 0, time(10), "UTC"
    )
    override = Window(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC), "ana")
    p = plan([version], {}, datetime(2026, 2, 1, tzinfo=UTC), windows=[override])
    assert_one_on_call_throughout(p)
    assert p.on_call_at(datetime(2026, 2, 15, tzinfo=UTC)) is not None


# --- swaps -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(scenarios(windows=False))
def test_swaps_keep_everyones_number_of_turns(s: Scenario) -> None:
    base = plan([s.version], s.people, s.until)
    _, swaps = s.materialize(base.turns)
    p = plan([s.version], s.people, s.until, swaps=swaps)
    assert p.turns == base.turns  # swaps change who holds a turn, not the queue
    assert_one_on_call_throughout(p)
    holders = []
    for turn in p.turns:
        shift = p.on_call_at(turn.start)
        assert shift is not None
        assert shift.end >= turn.end  # one person holds the whole turn
        holders.append(shift.user_id)
    assert holders == expected_holders(base.turns, swaps, s.people)
    assert Counter(holders) == Counter(t.user_id for t in base.turns)
    for turn, holder in zip(p.turns, holders, strict=True):
        if holder != turn.user_id:
            assert not is_away(s.people.get(holder), turn.start, turn.end)


# --- checkpoints -----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(changes(), st.booleans(), picks)
def test_planning_from_a_checkpoint_gives_the_same_turns(
    change: Change, versioned: bool, pick: int
) -> None:
    versions = [change.first, change.second] if versioned else [change.first]
    full = plan(versions, change.people, change.until)
    k = pick % len(full.turns)
    turn = full.turns[k]
    checkpoint = Checkpoint(
        start=turn.start, user_id=turn.user_id, reason=turn.reason, after=turn.after
    )
    resumed = plan(versions, change.people, change.until, checkpoint=checkpoint)
    assert resumed.origin == turn.start
    head = resumed.turns[0]
    # The checkpoint records who took the turn, not whom the queue had in front.
    assert (head.start, head.end, head.user_id, head.reason, head.after) == (
        turn.start,
        turn.end,
        turn.user_id,
        turn.reason,
        turn.after,
    )
    assert resumed.turns[1:] == full.turns[k + 1 :]
    assert clipped(resumed, turn.start, change.until) == clipped(full, turn.start, change.until)


def test_a_swap_dropped_before_a_checkpoint_stays_dropped_after_it() -> None:
    # Found by the properties: the later half used to apply alone after a checkpoint.
    version = RotationVersion(
        datetime(2026, 1, 1, 10, tzinfo=UTC), ("ana", "ben"), DAILY, 0, time(10), "UTC"
    )
    away = (DateRange(date(2026, 1, 1), date(2026, 1, 1)),)
    team = {"ana": Person("UTC"), "ben": Person("UTC", None, away)}
    until = datetime(2026, 1, 10, tzinfo=UTC)
    first, second = plan([version], team, until).turns[:2]
    swaps = [Swap(first.start, first.user_id, second.start, second.user_id)]
    full = plan([version], team, until, swaps=swaps)
    checkpoint = Checkpoint(second.start, second.user_id, second.reason, second.after)
    resumed = plan([version], team, until, swaps=swaps, checkpoint=checkpoint)
    assert clipped(resumed, second.start, until) == clipped(full, second.start, until)


# --- versions --------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(changes())
def test_a_new_version_keeps_the_past_and_leaves_no_gap(change: Change) -> None:
    first, second, until = change.first, change.second, change.until
    at = second.effective_from
    both = plan([first, second], change.people, until)
    alone = plan([first], change.people, until)
    assert_turns_back_to_back(both.turns, first.effective_from)
    assert_one_on_call_throughout(both)

    before = [t for t in both.turns if t.start < at]
    assert before == [t for t in alone.turns if t.start < at]
    assert before[-1].end == at  # the change is a handoff: no gap, no overlap
    assert clipped(both, first.effective_from, at) == clipped(alone, first.effective_from, at)

    after = [t for t in both.turns if t.start >= at]
    assert after[0].start == at
    assert all(t.user_id in second.members for t in after)
    assert_handoffs(second, [t.end for t in after], first=False)

    n = len(second.members)
    owed = [u for u in before[-1].after.owed if u in second.members]
    if second.restart:
        assert after[0].scheduled_id == (owed[0] if owed else second.members[0])
    if all(not p.absences for p in change.people.values()):
        # Without absences: the first member of the old order after the last one on call
        # who is still a member goes next (the first listed one after a restart), then the
        # new order cycles.
        last = first.members.index(before[-1].user_id)
        old = first.members[last + 1 :] + first.members[: last + 1]
        nxt = second.members[0] if second.restart else next(u for u in old if u in second.members)
        offset = second.members.index(nxt)
        assert [t.user_id for t in after] == [
            second.members[(offset + j) % n] for j in range(len(after))
        ]

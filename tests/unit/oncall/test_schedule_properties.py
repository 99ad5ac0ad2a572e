"""The on-call schedule over two whole years: instants, handoffs, absences, fairness.

Rotations in six zones (four with DST, Chatham's 45-minute offsets, two without), daily,
weekly and two-week shifts, handoffs at random local times and at the edges of each zone's
DST gap and repeated hour, random absences (in each person's own zone), overrides, covers
and swaps. Each property is checked against an independent model: absences are read from
local dates, wall-clock times by scanning the clock around the instant, and who is on call
by replaying the rules (swaps, then windows, later over earlier) on the base turns.

Here: exactly one person on call at every instant, every handoff at its local wall-clock
time, nobody on call inside their own absence, and fair turns (skip-and-owe). Swaps,
checkpoints, versions and overrides are in `test_schedule_changes`; the strategies, models
and shared assertions in `schedule_strategies`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

from hypothesis import event, given, settings
from hypothesis import strategies as st

from ceremonies.oncall.plan import plan
from ceremonies.oncall.rotation import RotationVersion, next_handoff
from ceremonies.oncall.turns import ABSENCE, SCHEDULED
from tests.unit.oncall.schedule_strategies import (
    HORIZON,
    SECOND,
    TICK,
    Scenario,
    assert_handoffs,
    assert_one_on_call_throughout,
    assert_turns_back_to_back,
    away_for,
    expected_holders,
    expected_on_call,
    is_away,
    picks,
    rotations,
    scenarios,
    skip_and_owe,
)

# --- exactly one person on call ------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.lists(st.integers(0, HORIZON // SECOND - 1), min_size=1, max_size=30))
def test_exactly_one_person_is_on_call_at_every_instant(s: Scenario, offsets: list[int]) -> None:
    base = plan([s.version], s.people, s.until)
    windows, swaps = s.materialize(base.turns)
    p = plan([s.version], s.people, s.until, swaps=swaps, windows=windows)
    assert p.origin == s.version.effective_from
    assert_turns_back_to_back(p.turns, p.origin)
    assert_one_on_call_throughout(p)
    assert p.on_call_at(p.origin - TICK) is None

    holders = expected_holders(base.turns, swaps, s.people)
    edges = [w.start for w in windows] + [w.end for w in windows]
    instants = [p.origin + k * SECOND for k in offsets]
    instants += [t for t in edges if p.origin <= t < p.until]
    instants += [t.start for t in p.turns[:20]] + [t.end - TICK for t in p.turns[:20]]
    for instant in instants:
        found = p.on_call_at(instant)
        scan = [sh for sh in p.shifts if sh.start <= instant < sh.end]
        assert found is not None
        assert scan == [found]
        assert p.after(instant, 1) == [found]
        assert found.user_id == expected_on_call(instant, p.turns, holders, windows, s.people)


# --- handoffs at their local wall-clock time -----------------------------------


@settings(max_examples=80, deadline=None)
@given(rotations(), st.lists(st.integers(0, HORIZON // SECOND - 1), max_size=5))
def test_every_handoff_happens_at_its_local_wall_clock_time(
    version: RotationVersion, offsets: list[int]
) -> None:
    until = version.effective_from + HORIZON
    p = plan([version], {}, until)
    assert_turns_back_to_back(p.turns, version.effective_from)
    assert p.turns[-1].start < until <= p.turns[-1].end
    boundaries = [t.end for t in p.turns]
    assert_handoffs(version, boundaries, first=True)
    for offset in offsets:
        instant = version.effective_from + offset * SECOND
        assert next_handoff([version], instant) == min(b for b in boundaries if b > instant)


# --- absences --------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_nobody_is_on_call_inside_their_own_absence_while_someone_else_is_free(
    s: Scenario,
) -> None:
    members = s.version.members
    base = plan([s.version], s.people, s.until)
    windows, swaps = s.materialize(base.turns)
    p = plan([s.version], s.people, s.until, swaps=swaps, windows=windows)
    for turn in p.turns:
        away = away_for(s.people, members, turn)
        # Uncovered exactly when everyone is away; otherwise someone free takes the turn.
        assert turn.uncovered == (away == set(members))
        if turn.uncovered:
            event("uncovered turn: everyone away")
        else:
            assert turn.user_id not in away
            assert turn.reason == (SCHEDULED if turn.user_id == turn.scheduled_id else ABSENCE)
            if turn.reason == ABSENCE:
                assert turn.scheduled_id in away
                event("turn taken for someone away")
    # The final shifts, swaps and overrides laid on: each piece of a shift within a turn
    # is free for its person unless it is that uncovered turn's own holder.
    starts = [t.start for t in p.turns]
    last_end = p.turns[-1].end
    for shift in p.shifts:
        first = max(bisect_right(starts, shift.start) - 1, 0)
        for turn in p.turns[first:]:
            if turn.start >= shift.end:
                break
            lo, hi = max(shift.start, turn.start), min(shift.end, turn.end)
            if is_away(s.people.get(shift.user_id), lo, hi):
                assert turn.uncovered
                assert shift.user_id == turn.user_id
        if shift.end > last_end:  # an override running past the last turn
            assert not is_away(s.people.get(shift.user_id), max(shift.start, last_end), shift.end)


# --- fairness --------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(scenarios(absent=False, windows=False, swaps=False), picks, st.integers(1, 5))
def test_whole_cycles_without_absences_give_everyone_the_same_number_of_turns(
    s: Scenario, first_cycle: int, cycles: int
) -> None:
    members = s.version.members
    n = len(members)
    turns = plan([s.version], s.people, s.until).turns
    assert [t.user_id for t in turns] == [members[i % n] for i in range(len(turns))]
    assert all(t.reason == SCHEDULED and not t.uncovered for t in turns)
    # Any n consecutive turns (so any run of whole cycles) hold each member exactly once.
    for i in range(len(turns) - n + 1):
        assert sorted(t.user_id for t in turns[i : i + n]) == sorted(members)
    whole = len(turns) // n
    k = first_cycle % whole
    m = min(cycles, whole - k)
    counts = Counter(t.user_id for t in turns[k * n : (k + m) * n])
    assert counts == dict.fromkeys(members, m)


@settings(max_examples=80, deadline=None)
@given(scenarios(windows=False, swaps=False))
def test_absences_postpone_turns_without_losing_or_gaining_any(s: Scenario) -> None:
    """Skip-and-owe, exactly: every turn the cycle hands out is taken or still owed.

    After P passes of the cycle (starting at the first member) member i has been handed
    P // n + (i < P % n) turns; each has been taken or is owed, and a member is owed only
    turns they were away for. So at every moment nobody is more than one turn behind anyone
    else except by turns they missed, and when nothing is owed the counts are exactly the
    cycle's (they differ by at most one). After the last absence owed turns are repaid one
    a turn, front first, and by the horizon counts differ by at most one. And each turn
    goes exactly where a plain model of the queue (`skip_and_owe`) says.
    """
    members = s.version.members
    n = len(members)
    turns = plan([s.version], s.people, s.until).turns
    taken: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    away_at = [away_for(s.people, members, t) for t in turns]
    quiet_from = max((i + 1 for i, away in enumerate(away_at) if away), default=0)
    assert [(t.user_id, t.scheduled_id) for t in turns] == skip_and_owe(members, away_at)
    for index, (turn, away) in enumerate(zip(turns, away_at, strict=True)):
        missed.update(away)
        taken[turn.user_id] += 1
        owed = turn.after.owed
        passes = index + 1 + len(owed)
        assert set(owed) <= set(members)
        assert turn.after.next_index == passes % n
        for i, user in enumerate(members):
            assert taken[user] + owed.count(user) == passes // n + (i < passes % n)
            assert owed.count(user) <= missed[user]
            assert max(taken.values()) - taken[user] <= 1 + owed.count(user)
        if not owed:
            assert max(taken.values()) - min(taken[u] for u in members) <= 1
        if index >= max(quiet_from, 1) and (before := turns[index - 1].after.owed):
            # Everyone free: the oldest owed turn is repaid first.
            event("owed turn repaid")
            assert turn.user_id == before[0]
            assert owed == before[1:]
    owed_when_quiet = len(turns[quiet_from - 1].after.owed) if quiet_from else 0
    if owed_when_quiet > len(turns) - quiet_from:
        event("horizon too short to repay")  # does not happen with these absences
        return
    counts = [taken[u] for u in members]
    mean = len(turns) / n
    assert turns[-1].after.owed == ()
    assert max(counts) - min(counts) <= 1
    assert all(abs(c - mean) < 1 for c in counts)
    # Exactly the first (turns mod n) members in the order are one ahead.
    ahead = [u for u in members if taken[u] > len(turns) // n]
    assert ahead == list(members[: len(turns) % n])

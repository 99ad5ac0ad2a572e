"""Shared pieces of the on-call schedule properties: strategies, models and assertions.

Not a test module: `test_schedule_properties` and `test_schedule_changes` import from it.
Holds the constants (zones, shifts, DST edges, the two-year horizon), the hypothesis
strategies (rotations, people with absences, scenarios with overrides and swaps, version
changes), the independent reference models (absences read from local dates, swaps and
windows replayed on the base turns, skip-and-owe) and the shared assertion helpers
(handoffs at their wall-clock time, exactly one person on call, turns back to back).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import event
from hypothesis import strategies as st

from ceremonies.core.time_model import DateRange, Person, local_date, wall_clock_instant
from ceremonies.oncall.plan import COVER, OVERRIDE, Plan, Swap, Turn, Window
from ceremonies.oncall.rotation import (
    DAILY,
    SHIFT_DAYS,
    TWO_WEEKS,
    WEEKLY,
    RotationVersion,
    next_handoff,
)

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Chatham",
    "UTC",
)
SHIFTS = (DAILY, WEEKLY, TWO_WEEKS)
NAMES = ("ana", "ben", "chloe", "dev", "emma", "farid")
# Each zone's DST gap and repeated hour, their edges and middles: 02:00–03:00 in Berlin,
# New York and Sydney, 02:45–03:45 in Chatham (Kolkata and UTC have none); all four change
# clocks on a Sunday. Plus the day's edges everywhere.
_TWO_TO_THREE = (time(1, 59), time(2, 0), time(2, 1), time(2, 30), time(2, 59), time(3, 0),
                 time(3, 1))  # fmt: skip
_CHATHAM = (time(2, 44), time(2, 45), time(2, 46), time(3, 15), time(3, 44), time(3, 45),
            time(3, 46))  # fmt: skip
_DAY_EDGES = (time(0, 0), time(0, 1), time(23, 59))
DST_EDGES = {
    "Europe/Berlin": _TWO_TO_THREE + _DAY_EDGES,
    "America/New_York": _TWO_TO_THREE + _DAY_EDGES,
    "Australia/Sydney": _TWO_TO_THREE + _DAY_EDGES,
    "Pacific/Chatham": _CHATHAM + _DAY_EDGES,
    "Asia/Kolkata": _DAY_EDGES,
    "UTC": _DAY_EDGES,
}
SUNDAY = 6
YEAR_2026 = datetime(2026, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=730)  # two years from the start: every zone changes clocks 4 times
HORIZON_MINUTES = HORIZON // timedelta(minutes=1)
WEEK = 7 * 1440  # minutes
TICK = timedelta(microseconds=1)
SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

zones = st.sampled_from(ZONES)
shifts = st.sampled_from(SHIFTS)
any_minute = st.builds(time, st.integers(0, 23), st.integers(0, 59))
weekdays = st.one_of(st.just(SUNDAY), st.integers(0, 6))  # handoffs on DST-change days


def handoff_times(tz: str) -> st.SearchStrategy[time]:
    edges = st.sampled_from(DST_EDGES[tz])
    return st.one_of(edges, edges, any_minute)


starts = st.integers(0, 365 * 86400 - 1).map(lambda s: YEAR_2026 + s * SECOND)
picks = st.integers(0, 2**16)


# --- strategies ----------------------------------------------------------------


@st.composite
def rotations(draw: st.DrawFn) -> RotationVersion:
    size = draw(st.integers(2, 6))
    tz = draw(zones)
    version = RotationVersion(
        effective_from=draw(starts),
        members=tuple(draw(st.permutations(NAMES[:size]))),
        shift=draw(shifts),
        handoff_day=draw(weekdays),
        handoff_time=draw(handoff_times(tz)),
        tz=tz,
    )
    event(f"{version.shift} shifts in {version.tz}")
    return version


@st.composite
def people(draw: st.DrawFn, origin: datetime, *, absent: bool = True) -> dict[str, Person]:
    """Everyone who may be a member, each in a random zone, absences in the first year.

    Each absence lasts at most three weeks and ends in the first half of the horizon, so
    the second year is long enough to repay every turn owed. Sometimes everyone is away at
    once (a team offsite, on the same local dates in each one's zone): uncovered turns.
    """
    first_day = origin.date()
    half = HORIZON.days // 2
    offsite = ()
    if absent and draw(st.integers(0, 3)) == 0:
        start = first_day + timedelta(days=draw(st.integers(0, half - 22)))
        offsite = (DateRange(start, start + timedelta(days=draw(st.integers(0, 6)))),)
    out = {}
    for name in NAMES:
        ranges = list(offsite)
        for _ in range(draw(st.integers(0, 3)) if absent else 0):
            start = first_day + timedelta(days=draw(st.integers(-10, half - 22)))
            ranges.append(DateRange(start, start + timedelta(days=draw(st.integers(0, 20)))))
        out[name] = Person(draw(zones), None, tuple(ranges))
    return out


@dataclass(frozen=True)
class Scenario:
    """A rotation, its people, and overrides and swaps to lay over its base turns.

    Windows and swaps refer to turns of the plan without them (`materialize`): a swap
    exchanges two turns as they were planned; a "turns" window covers one to three whole
    turns, a "free" one starts at any minute from two weeks before the start to the
    horizon, an "absence" one meets the start of one of its person's own absences.
    """

    version: RotationVersion
    people: dict[str, Person]
    window_specs: tuple[tuple[str, int, int, str, str], ...] = ()
    swap_picks: tuple[tuple[int, int], ...] = ()

    @property
    def until(self) -> datetime:
        return self.version.effective_from + HORIZON

    def materialize(self, turns: Sequence[Turn]) -> tuple[list[Window], list[Swap]]:
        windows = []
        for kind, a, b, user, reason in self.window_specs:
            absences = self.people[user].absences
            if kind == "turns":
                first = a % len(turns)
                last = min(first + b % 3, len(turns) - 1)
                windows.append(Window(turns[first].start, turns[last].end, user, reason))
            elif kind == "absence" and absences:
                day = absences[a % len(absences)].start
                zone = ZoneInfo(self.people[user].tz)
                start = datetime.combine(day, time(), tzinfo=zone) + (b % 48 - 36) * HOUR
                windows.append(Window(start.astimezone(UTC), start + 1 * DAY, user, reason))
            else:
                start = (
                    self.version.effective_from
                    + (a % (HORIZON_MINUTES + 2 * WEEK) - 2 * WEEK) * MINUTE
                )
                windows.append(Window(start, start + (b % (10 * 1440) + 1) * MINUTE, user, reason))
        swaps = []
        for i, j in self.swap_picks:
            first, second = turns[i % len(turns)], turns[j % len(turns)]
            if first.start != second.start and first.user_id != second.user_id:
                swaps.append(Swap(first.start, first.user_id, second.start, second.user_id))
        return windows, swaps


@st.composite
def scenarios(
    draw: st.DrawFn, *, absent: bool = True, windows: bool = True, swaps: bool = True
) -> Scenario:
    version = draw(rotations())
    specs: list[tuple[str, int, int, str, str]] = []
    for _ in range(draw(st.integers(0, 4)) if windows else 0):
        kind = draw(st.sampled_from(("turns", "free", "absence")))
        a, b = draw(st.integers(0, 2**31)), draw(st.integers(0, 2**31))
        user = draw(st.sampled_from(version.members))
        specs.append((kind, a, b, user, draw(st.sampled_from((OVERRIDE, COVER)))))
    pairs = draw(st.lists(st.tuples(picks, picks), max_size=8)) if swaps else []
    return Scenario(
        version,
        draw(people(version.effective_from, absent=absent)),
        tuple(specs),
        tuple(pairs),
    )


@dataclass(frozen=True)
class Change:
    """A rotation and a second version from one of its handoffs, one member more or less."""

    first: RotationVersion
    second: RotationVersion
    people: dict[str, Person]

    @property
    def until(self) -> datetime:
        return self.first.effective_from + HORIZON


@st.composite
def changes(draw: st.DrawFn) -> Change:
    first = draw(rotations())
    at = next_handoff([first], first.effective_from + draw(st.integers(0, 365 * 86400)) * SECOND)
    members = list(first.members)
    if len(members) == 2 or (len(members) < len(NAMES) and draw(st.booleans())):
        newcomer = next(name for name in NAMES if name not in members)
        members.insert(draw(st.integers(0, len(members))), newcomer)
        event("a member joins")
    else:
        members.remove(draw(st.sampled_from(members)))
        event("a member leaves")
    same = draw(st.booleans())  # or new shift length, handoff and zone too
    tz = first.tz if same else draw(zones)
    second = RotationVersion(
        effective_from=at,
        members=tuple(members),
        shift=first.shift if same else draw(shifts),
        handoff_day=first.handoff_day if same else draw(weekdays),
        handoff_time=first.handoff_time if same else draw(handoff_times(tz)),
        tz=tz,
        restart=draw(st.booleans()),
    )
    absent = draw(st.booleans())
    return Change(first, second, draw(people(first.effective_from, absent=absent)))


# --- independent models --------------------------------------------------------


def is_away(person: Person | None, start: datetime, end: datetime) -> bool:
    """Whether any of their absences (whole local days in their zone) meets [start, end)."""
    if person is None:
        return False
    zone = ZoneInfo(person.tz)
    first = start.astimezone(zone).date()
    last = (end - TICK).astimezone(zone).date()
    return any(r.start <= last and first <= r.end for r in person.absences)


def away_for(people: Mapping[str, Person], members: Sequence[str], turn: Turn) -> set[str]:
    return {user for user in members if is_away(people.get(user), turn.start, turn.end)}


def expected_holders(
    turns: Sequence[Turn], swaps: Sequence[Swap], people: Mapping[str, Person]
) -> list[str]:
    """Who holds each turn after the swaps, in order: a swap holds only if both turns are
    still held by the two people it names and each is free for the turn they take on."""
    holders = [t.user_id for t in turns]
    index = {t.start: i for i, t in enumerate(turns)}
    for swap in swaps:
        i, j = index[swap.first_start], index[swap.second_start]
        if (
            holders[i] == swap.first_user
            and holders[j] == swap.second_user
            and not is_away(people.get(swap.second_user), turns[i].start, turns[i].end)
            and not is_away(people.get(swap.first_user), turns[j].start, turns[j].end)
        ):
            holders[i], holders[j] = swap.second_user, swap.first_user
            event("swap applied")
        else:
            event("swap dropped")
    return holders


def expected_on_call(
    instant: datetime,
    turns: Sequence[Turn],
    holders: Sequence[str],
    windows: Sequence[Window],
    people: Mapping[str, Person],
) -> str:
    """The last window over `instant` whose person is free for all of it, else the turn's."""
    origin = turns[0].start
    for window in reversed(windows):
        start = max(window.start, origin)
        if start <= instant < window.end:
            if not is_away(people.get(window.user_id), start, window.end):
                return window.user_id
            event("override inside its person's absence: dropped")
    index = bisect_right([t.start for t in turns], instant) - 1
    assert turns[index].start <= instant < turns[index].end
    return holders[index]


def skip_and_owe(members: Sequence[str], away_at: Sequence[set[str]]) -> list[tuple[str, str]]:
    """(who takes it, who was in front) for each turn: the line is the owed turns, oldest
    first, then one cycle from the next member; the first free person in it takes the turn
    and those of the cycle passed over are owed one; nobody free: the front takes it."""
    n = len(members)
    owed: list[str] = []
    following = 0
    out = []
    for away in away_at:
        line = owed + [members[(following + k) % n] for k in range(n)]
        position = next((p for p, user in enumerate(line) if user not in away), 0)
        out.append((line[position], line[0]))
        if position < len(owed):
            del owed[position]
        else:
            passed = position - len(owed)
            owed += [members[(following + k) % n] for k in range(passed)]
            following = (following + passed + 1) % n
    return out


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def is_transition_day(zone: ZoneInfo, day: date) -> bool:
    midnight = datetime.combine(day, time(), tzinfo=zone)
    return midnight.utcoffset() != (midnight + DAY).utcoffset()


def assert_at_wall_clock_time(boundary: datetime, version: RotationVersion) -> date:
    """The handoff is at its local time that day: the first of two, or when a gap ends."""
    zone = ZoneInfo(version.tz)
    day = boundary.astimezone(zone).date()
    target = datetime.combine(day, version.handoff_time)
    assert boundary == wall_clock_instant(version.tz, day, version.handoff_time)
    if not is_transition_day(zone, day):
        assert wall(boundary, zone) == target
        return day
    # A DST-change day: scan the clock minute by minute for the truth.
    scan = [boundary + k * MINUTE for k in range(-180, 181)]
    matches = [t for t in scan if wall(t, zone) == target]
    if matches:
        event("handoff in a repeated hour" if len(matches) > 1 else "handoff on a DST day")
        assert boundary == min(matches)
    else:
        # The time does not exist that day: the first instant after the gap.
        event("handoff in a DST gap")
        assert wall(boundary - SECOND, zone) < target < wall(boundary, zone)
    return day


def assert_handoffs(
    version: RotationVersion, boundaries: Sequence[datetime], *, first: bool
) -> None:
    """Every boundary at its wall-clock time, one period apart, on the handoff weekday;
    the first one the earliest handoff after the version's start that its rule allows."""
    days = [assert_at_wall_clock_time(b, version) for b in boundaries]
    period = SHIFT_DAYS[version.shift]
    assert all((b - a).days == period for a, b in pairwise(days))
    if version.shift != DAILY:
        assert all(day.weekday() == version.handoff_day for day in days)
    start = version.effective_from
    # The first version's first shift runs to the coming handoff (a partial shift); a later
    # version's first handoff is at least `period - 6` days on (nearly a whole shift).
    earliest = local_date(version.tz, start)
    if not first and version.shift != DAILY:
        earliest += timedelta(days=period - 6)
    step = timedelta(days=1 if version.shift == DAILY else 7)
    before = days[0] - step
    assert boundaries[0] > start
    assert days[0] >= earliest
    assert (
        before < earliest or wall_clock_instant(version.tz, before, version.handoff_time) <= start
    )


def assert_one_on_call_throughout(p: Plan) -> None:
    """Shifts in order, back to back from the origin past `until`: never nobody, never two."""
    assert p.shifts
    assert p.shifts[0].start == p.origin
    assert all(s.start < s.end for s in p.shifts)
    for a, b in pairwise(p.shifts):
        assert a.end == b.start
        assert a.user_id != b.user_id  # one person's stretches are merged: one handoff
    assert p.shifts[-1].end >= p.until


def assert_turns_back_to_back(turns: Sequence[Turn], start: datetime) -> None:
    assert turns[0].start == start
    assert all(t.start < t.end for t in turns)
    assert all(a.end == b.start for a, b in pairwise(turns))


def clipped(p: Plan, lo: datetime, hi: datetime) -> list[tuple[datetime, datetime, str]]:
    """Who is on call from lo to hi, as (start, end, user) stretches cut to [lo, hi)."""
    return [(max(s.start, lo), min(s.end, hi), s.user_id) for s in p.between(lo, hi)]

"""The schedule, computed: a versioned rotation, absences, swaps and overrides → shifts.

Nothing ahead is stored. For any window this turns the rotation's versions (rotation.py)
into turns, gives each turn to whoever's turn it is (turns.py, skip-and-owe), applies the
accepted swaps, then lays the overrides and covers on top, later ones over earlier ones.
A `Checkpoint` — the turn that was actually taken at a handoff, as run-due recorded it —
lets the plan start there instead of at the rotation's creation, so an absence recorded
later about the past never re-plans the past, and the future follows what happened.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from ceremonies.core.time_model import Person, wall_clock_instant
from ceremonies.oncall.rotation import RotationVersion, frames
from ceremonies.oncall.turns import SCHEDULED, Turns, assign

SWAP, OVERRIDE, COVER = "swap", "override", "cover"
_INSTANT = timedelta(microseconds=1)
MIDNIGHT = time(0)


@dataclass(frozen=True, slots=True)
class Swap:
    """An accepted exchange: `first_user`'s turn at `first_start` for `second_user`'s."""

    first_start: datetime
    first_user: str
    second_start: datetime
    second_user: str


@dataclass(frozen=True, slots=True)
class Window:
    """Someone on call for a window instead of whoever is scheduled: an override or a cover."""

    start: datetime
    end: datetime
    user_id: str
    reason: str = OVERRIDE


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A turn as it was taken (who, from when) and the queue of turns after it."""

    start: datetime
    user_id: str
    reason: str
    after: Turns


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn of the base rotation and who takes it, before swaps and overrides."""

    start: datetime
    end: datetime
    user_id: str
    scheduled_id: str
    reason: str
    uncovered: bool
    after: Turns


@dataclass(frozen=True, slots=True)
class Shift:
    """A stretch of one person on call, and why it is them (scheduled, absence, swap, …)."""

    start: datetime
    end: datetime
    user_id: str
    reason: str = SCHEDULED
    scheduled_id: str = ""
    uncovered: bool = False


class Absences:
    """Who is away when: each person's absences as instant intervals in their own zone."""

    def __init__(self, people: Mapping[str, Person]) -> None:
        self._away: dict[str, list[tuple[datetime, datetime]]] = {}
        for user_id, person in people.items():
            if person.absences:
                self._away[user_id] = [
                    (
                        wall_clock_instant(person.tz, r.start, MIDNIGHT),
                        wall_clock_instant(person.tz, r.end + timedelta(days=1), MIDNIGHT),
                    )
                    for r in person.absences
                    if r.start <= r.end
                ]

    def is_free(self, user_id: str, start: datetime, end: datetime) -> bool:
        """Whether no absence of theirs overlaps [start, end)."""
        return not any(a < end and start < b for a, b in self._away.get(user_id, ()))


@dataclass(frozen=True)
class Plan:
    """The computed schedule from `origin` to at least `until`: turns, then shifts."""

    origin: datetime
    until: datetime
    turns: tuple[Turn, ...]
    shifts: tuple[Shift, ...]
    # The turns after the swaps: who takes each turn of the rotation.
    taken: tuple[Turn, ...] = ()

    def on_call_at(self, instant: datetime) -> Shift | None:
        index = bisect_right(self.shifts, instant, key=_start) - 1
        if index >= 0 and instant < self.shifts[index].end:
            return self.shifts[index]
        return None

    def between(self, start: datetime, end: datetime) -> list[Shift]:
        """The shifts overlapping [start, end), whole."""
        return [s for s in self.shifts if s.start < end and start < s.end]

    def after(self, instant: datetime, count: int) -> list[Shift]:
        """The shift on at `instant` (if any) and the ones after it: `count` in all."""
        return [s for s in self.shifts if s.end > instant][:count]


def plan(
    versions: Sequence[RotationVersion],
    people: Mapping[str, Person],
    until: datetime,
    *,
    swaps: Sequence[Swap] = (),
    windows: Sequence[Window] = (),
    checkpoint: Checkpoint | None = None,
    taken: Mapping[datetime, str] | None = None,
) -> Plan:
    """The schedule from the rotation's start (or `checkpoint`) until at least `until`.

    `taken` tells who took turns before the plan's origin (after swaps), for swaps with one
    turn on each side of it; a swap whose earlier turn is not known to have been swapped
    does not apply.
    """
    absences = Absences(people)
    # Turns reach past every window (an override beyond `until` must not leave a hole) and
    # every swap's turns (whether a swap holds depends on both of them).
    later = [start + _INSTANT for s in swaps for start in (s.first_start, s.second_start)]
    reach = max([until, *(w.end for w in windows), *later])
    turns = _turns(versions, absences, reach, checkpoint)
    origin = turns[0].start if turns else until
    swapped = _apply_swaps(turns, swaps, absences, taken or {}, origin)
    shifts = [
        Shift(t.start, t.end, t.user_id, t.reason, t.scheduled_id, t.uncovered) for t in swapped
    ]
    for window in windows:
        if window.end > origin and window.start < window.end:
            shifts = _overlay(shifts, window, absences, origin)
    return Plan(origin, until, tuple(turns), tuple(_merge(shifts)), tuple(swapped))


def _turns(
    versions: Sequence[RotationVersion],
    absences: Absences,
    until: datetime,
    checkpoint: Checkpoint | None,
) -> list[Turn]:
    if not versions:
        return []
    since = checkpoint.start if checkpoint else None
    out: list[Turn] = []
    queue: Turns | None = None
    current: RotationVersion | None = None
    for frame in frames(versions, since):
        if frame.start >= until and out:
            break
        if checkpoint is not None and not out:
            queue, current = checkpoint.after, frame.version
            out.append(
                Turn(
                    frame.start,
                    frame.end,
                    checkpoint.user_id,
                    checkpoint.user_id,
                    checkpoint.reason,
                    False,
                    queue,
                )
            )
            continue
        if queue is None or frame.version is not current:
            members = frame.version.members
            queue = (
                Turns(members)
                if queue is None
                else queue.to_version(members, restart=frame.version.restart)
            )
            current = frame.version
        taken = assign(queue, lambda user, f=frame: absences.is_free(user, f.start, f.end))
        queue = taken.after
        out.append(
            Turn(
                frame.start,
                frame.end,
                taken.user_id,
                taken.scheduled_id,
                taken.reason,
                taken.uncovered,
                queue,
            )
        )
    return out


def _apply_swaps(
    turns: list[Turn],
    swaps: Sequence[Swap],
    absences: Absences,
    taken: Mapping[datetime, str],
    origin: datetime,
) -> list[Turn]:
    out = list(turns)
    where = {t.start: i for i, t in enumerate(out)}
    for swap in swaps:
        halves = [
            (swap.first_start, swap.first_user, swap.second_user),
            (swap.second_start, swap.second_user, swap.first_user),
        ]
        visible = [(where[start], old, new) for start, old, new in halves if start in where]
        past = [(start, new) for start, _, new in halves if start < origin]
        # A swap applies while it still holds: each turn is still theirs (a turn that is
        # no longer one, after a settings change, is not) and the other person is free
        # then. A turn before the plan's origin holds if it was swapped.
        holds = (
            len(visible) + len(past) == 2
            and all(taken.get(start) == new for start, new in past)
            and all(
                out[i].user_id == old and absences.is_free(new, out[i].start, out[i].end)
                for i, old, new in visible
            )
        )
        if not visible or not holds:
            continue
        for i, old, new in visible:
            out[i] = replace(out[i], user_id=new, reason=SWAP, scheduled_id=old)
    return out


def _overlay(
    shifts: list[Shift], window: Window, absences: Absences, origin: datetime
) -> list[Shift]:
    start, end = max(window.start, origin), window.end
    if not absences.is_free(window.user_id, start, end):
        return shifts  # nobody is put on call inside their own absence
    first = max(bisect_right(shifts, start, key=_start) - 1, 0)
    last = bisect_left(shifts, end, key=_start)
    before: list[Shift] = []
    after: list[Shift] = []
    replaced = ""
    for shift in shifts[first:last]:
        if shift.end <= start:
            before.append(shift)
            continue
        replaced = replaced or shift.user_id
        if shift.start < start:
            before.append(replace(shift, end=start))
        if shift.end > end:
            after.append(replace(shift, start=end))
    middle = Shift(start, end, window.user_id, window.reason, replaced)
    return shifts[:first] + before + [middle] + after + shifts[last:]


def _start(shift: Shift) -> datetime:
    return shift.start


def _merge(shifts: list[Shift]) -> list[Shift]:
    """Back-to-back stretches of the same person are one shift: one handoff, not two."""
    merged: list[Shift] = []
    for shift in shifts:
        if merged and merged[-1].user_id == shift.user_id and merged[-1].end == shift.start:
            last = merged[-1]
            # The stretch says why it is not simply the rotation's turn, if any part is not.
            reason = last.reason if last.reason != SCHEDULED else shift.reason
            merged[-1] = replace(
                last, end=shift.end, reason=reason, uncovered=last.uncovered or shift.uncovered
            )
        else:
            merged.append(shift)
    return merged

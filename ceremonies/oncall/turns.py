"""Whose turn it is: the rotation's queue of turns, with skip-and-owe for absences.

The base rotation hands out turns in the members' cyclic order. A member who is away for
(any part of) a turn is skipped: the next available member in the queue takes it and the
skipped member keeps their place at the front, so they take the next turn they can.
Nobody loses or gains a turn; each person's turns are only ever postponed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SCHEDULED, ABSENCE = "scheduled", "absence"

# (user_id, start, end) -> whether the person can be on call for that whole window.
Availability = Callable[[str, object, object], bool]


@dataclass(frozen=True, slots=True)
class Turns:
    """The queue of turns: those owed (skipped for an absence, oldest first), then the cycle."""

    order: tuple[str, ...]
    next_index: int = 0
    owed: tuple[str, ...] = ()

    def queue(self) -> list[str]:
        """Who is in line, front first: the owed turns, then one full cycle."""
        n = len(self.order)
        return [*self.owed, *(self.order[(self.next_index + k) % n] for k in range(n))]

    def front(self) -> str:
        return self.queue()[0]

    def take(self, position: int) -> Turns:
        """The queue after the turn at `position` (in `queue()`) has been taken."""
        owed = list(self.owed)
        if position < len(owed):
            del owed[position]
            return Turns(self.order, self.next_index, tuple(owed))
        skipped = position - len(owed)
        n = len(self.order)
        owed += [self.order[(self.next_index + k) % n] for k in range(skipped)]
        return Turns(self.order, (self.next_index + skipped + 1) % n, tuple(owed))

    def to_version(self, members: tuple[str, ...], *, restart: bool) -> Turns:
        """The queue under a new member list: whoever was next stays next, if still there."""
        owed = tuple(user for user in self.owed if user in members)
        if restart or not self.order:
            return Turns(members, 0, owed)
        n = len(self.order)
        for k in range(n):
            candidate = self.order[(self.next_index + k) % n]
            if candidate in members:
                return Turns(members, members.index(candidate), owed)
        return Turns(members, 0, owed)

    def to_dict(self) -> dict[str, object]:
        return {"order": list(self.order), "next": self.next_index, "owed": list(self.owed)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Turns:
        order = data.get("order", [])
        owed = data.get("owed", [])
        next_index = data.get("next", 0)
        return cls(
            tuple(str(u) for u in order) if isinstance(order, list) else (),
            next_index if isinstance(next_index, int) else 0,
            tuple(str(u) for u in owed) if isinstance(owed, list) else (),
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who takes one turn, whom the queue had in front, and the queue after it."""

    user_id: str
    scheduled_id: str
    reason: str
    uncovered: bool
    after: Turns


def assign(turns: Turns, is_free: Callable[[str], bool]) -> Assignment:
    """The first available person in line takes the turn; nobody available: the front does."""
    # The line is walked lazily: most turns go to the person in front, so building the
    # whole queue for every turn would be most of a two-year plan's cost.
    owed, order, start = turns.owed, turns.order, turns.next_index
    n = len(order)
    front = owed[0] if owed else order[start % n]
    for position in range(len(owed) + n):
        user = owed[position] if position < len(owed) else order[(start + position - len(owed)) % n]
        if is_free(user):
            reason = SCHEDULED if position == 0 else ABSENCE
            return Assignment(user, front, reason, False, turns.take(position))
    return Assignment(front, front, SCHEDULED, True, turns.take(0))

"""What the rotation lets other ceremonies read of its history: a read-only query port.

The weekly report imports this module and nothing else of on-call. Storage implements
:class:`OnCallQueries`; `days_on_call` keeps the one counting rule (a day belongs to
whoever is on call at noon) in the on-call package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from ceremonies.oncall.fairness import tally
from ceremonies.oncall.plan import COVER, OVERRIDE, SWAP, Shift
from ceremonies.oncall.turns import ABSENCE, SCHEDULED

__all__ = [
    "ABSENCE",
    "COVER",
    "OVERRIDE",
    "SCHEDULED",
    "SWAP",
    "OnCallHistory",
    "OnCallQueries",
    "PersonRotations",
    "RotationOfPerson",
    "ShiftSeen",
    "days_on_call",
]


@dataclass(frozen=True)
class ShiftSeen:
    """A shift as it happened (or is planned): who, from, to, and why it is them.

    `reason` is SCHEDULED, ABSENCE (took the turn of someone away), SWAP, OVERRIDE or COVER.
    """

    user_id: str
    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True)
class OnCallHistory:
    channel_id: str
    tz: str  # the rotation's zone
    shifts: tuple[ShiftSeen, ...]  # shifts as they happened, overlapping the window
    next_week: tuple[ShiftSeen, ...]  # planned shifts in the 7 days after the window


class OnCallQueries(Protocol):
    def oncall_history(
        self, team_id: str, channel_id: str, since: datetime, until: datetime
    ) -> OnCallHistory | None:
        """The channel's shifts around [since, until]; None when it has no rotation."""
        ...


@dataclass(frozen=True)
class RotationOfPerson:
    """A rotation a person takes turns in, as of an instant (the Home tab)."""

    channel_id: str
    tz: str  # the rotation's zone
    now: ShiftSeen | None  # who is on call at the instant (None: nobody)
    following: ShiftSeen | None  # the shift after that one
    mine: ShiftSeen | None  # the person's own current or next shift, within 12 weeks


class PersonRotations(Protocol):
    def rotations_of(
        self, team_id: str, user_id: str, at: datetime
    ) -> tuple[RotationOfPerson, ...]:
        """The rotations the person is a member of now, by channel."""
        ...


def days_on_call(
    shifts: Sequence[ShiftSeen], tz: str, first: date, last: date
) -> tuple[tuple[str, int], ...]:
    """(user_id, days) for the local dates [first, last], busiest first (fairness.tally)."""
    planned = [Shift(s.start, s.end, s.user_id, s.reason) for s in shifts]
    loads = tally(planned, tz, {}, first, last + timedelta(days=1))
    return tuple((load.user_id, load.days) for load in loads if load.days)

"""What the retros let other ceremonies read of their history: a read-only query port.

The weekly report imports this module and nothing else of the retros. Storage implements
:class:`RetroQueries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ceremonies.retro.actions import HELPED, STATUSES

__all__ = [
    "DONE",
    "DROPPED",
    "ENDED",
    "HELPED",
    "OPEN",
    "PARTLY",
    "ActionOfPerson",
    "ActionState",
    "PersonActions",
    "RetroHeld",
    "RetroHistory",
    "RetroQueries",
    "open_at",
]

# An action chosen at a closed retro is "open" until its owner reports how it ended
# (ceremonies/retro/choice.py sets it; actions.STATUSES are the endings).
OPEN = "open"
DONE, PARTLY, DROPPED = STATUSES
ENDED = frozenset(STATUSES)
# HELPED, re-exported for readers: the owner's answer to "did it help?" ("yes", "somewhat", "no").


@dataclass(frozen=True)
class RetroHeld:
    retro_id: int
    title: str
    started_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class ActionState:
    action_id: int
    retro_id: int
    text: str
    owner_id: str | None
    chosen_at: datetime  # when its retro was held
    status: str  # OPEN or one of ENDED
    status_at: datetime | None  # when the status last changed; None while open
    helped: str | None  # one of HELPED, or None while unanswered


@dataclass(frozen=True)
class RetroHistory:
    retros: tuple[RetroHeld, ...]  # retros started in the window
    actions: tuple[ActionState, ...]  # the channel's actions not closed before the window


class RetroQueries(Protocol):
    def retro_history(
        self, team_id: str, channel_id: str, since: datetime, until: datetime
    ) -> RetroHistory | None:
        """The channel's retros in [since, until]; None when the channel never held one."""
        ...


@dataclass(frozen=True)
class ActionOfPerson:
    """An action a person owns and has not closed (open, or partly done): the Home tab."""

    action_id: int
    channel_id: str
    text: str
    retro_title: str
    chosen_at: datetime  # when its retro was held
    status: str  # OPEN or PARTLY
    revisit_on: date | None


class PersonActions(Protocol):
    def open_actions_of(self, team_id: str, user_id: str) -> tuple[ActionOfPerson, ...]:
        """The person's open and partly done actions, the soonest to revisit first."""
        ...


def open_at(action: ActionState, at: datetime) -> bool:
    """Whether the action was chosen by `at` and still open then (its ending came later)."""
    if action.chosen_at > at:
        return False
    return action.status == OPEN or (action.status_at is not None and action.status_at > at)

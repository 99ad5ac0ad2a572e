"""What the weekly reports let other ceremonies read: a read-only query port.

The Home tab imports this module and nothing else of the weekly report. Storage implements
:class:`PersonReports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol

__all__ = ["PersonReports", "ReportOfPerson"]


@dataclass(frozen=True)
class ReportOfPerson:
    """A weekly report a person receives: as one of its recipients, or as its owner."""

    channel_id: str  # where it is delivered
    weekday: int  # Monday = 0
    at: time
    tz: str  # the report's zone
    next_due_at: datetime | None
    paused: bool
    owner: bool  # the person owns it (gets the status DM before delivery)
    recipient: bool  # the person gets a copy by DM
    sources: tuple[str, ...]  # the channels it reports on


class PersonReports(Protocol):
    def reports_of(self, team_id: str, user_id: str) -> tuple[ReportOfPerson, ...]:
        """The reports the person owns or receives, the next to be delivered first."""
        ...

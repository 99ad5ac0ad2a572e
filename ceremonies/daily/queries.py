"""What the daily lets other ceremonies read of its history: a read-only query port.

The weekly report imports this module and nothing else of the daily, so the daily's
internals can change freely as long as these shapes hold. Storage implements
:class:`DailyQueries`; the rules that read it never see a row or a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ceremonies.daily.rules import is_blocker

__all__ = ["DailyDay", "DailyHistory", "DailyQueries", "blocker_of"]


@dataclass(frozen=True)
class DailyDay:
    """One person's one prompted day: a prompt row as the report reads it."""

    user_id: str
    local_date: date
    answered: bool
    # `/daily skip`: neither missed nor prompted, so it counts in no ratio.
    skipped: bool
    # The blockers answer when it is one (see `blocker_of`), else None.
    blocker: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class DailyHistory:
    channel_id: str
    participants: tuple[str, ...]  # the daily's current active participants
    days: tuple[DailyDay, ...]  # prompt rows with local_date in [first, last]


class DailyQueries(Protocol):
    def daily_history(
        self, team_id: str, channel_id: str, first: date, last: date
    ) -> DailyHistory | None:
        """The channel's daily between two local dates (inclusive); None: no daily there."""
        ...


def blocker_of(answer: str | None) -> str | None:
    """The blockers answer as `DailyDay.blocker` holds it: stripped, or None when it is a "no".

    One place for the rule, so storage fills the port exactly as the daily highlights
    blockers in its threads.
    """
    if answer is None or not is_blocker(answer):
        return None
    return answer.strip()

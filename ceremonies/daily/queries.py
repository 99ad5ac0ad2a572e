"""What the daily lets other ceremonies read of its history: a read-only query port.

The weekly report imports this module and nothing else of the daily, so the daily's
internals can change freely as long as these shapes hold. Storage implements
:class:`DailyQueries`; the rules that read it never see a row or a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from ceremonies.daily.rules import is_blocker

__all__ = [
    "PROMPT_ANSWERED",
    "PROMPT_MISSED",
    "PROMPT_OPEN",
    "PROMPT_SKIPPED",
    "DailyDay",
    "DailyHistory",
    "DailyOfPerson",
    "DailyQueries",
    "PersonDailies",
    "blocker_of",
]


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


@dataclass(frozen=True)
class DailyOfPerson:
    """One daily a person takes part in, and their latest prompt there (the Home tab)."""

    channel_id: str
    paused: bool
    prompt_time: time  # in the person's own time zone
    weekdays: frozenset[int]  # 0 = Monday
    tz: str  # the zone the daily prompts this person in (their profile's, when stored)
    # Their latest prompt: its id, its local date, and its status (PROMPT_* below).
    prompt_id: int | None
    prompt_date: date | None
    prompt_status: str | None


# A prompt's status as DailyOfPerson reports it.
PROMPT_OPEN, PROMPT_ANSWERED = "open", "answered"
PROMPT_SKIPPED, PROMPT_MISSED = "skipped", "missed"


class PersonDailies(Protocol):
    def dailies_of(self, team_id: str, user_id: str) -> tuple[DailyOfPerson, ...]:
        """The dailies the person is an active participant of, by channel."""
        ...

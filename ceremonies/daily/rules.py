"""Pure rules of a daily standup: defaults, blockers, whose schedule is what, when a day closes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from ceremonies.core.i18n import N_
from ceremonies.core.ports import AbsenceRow
from ceremonies.core.time_model import DateRange, WorkSchedule, is_working_day, occurrence_at
from ceremonies.daily.no_blockers import NO_BLOCKER
from ceremonies.daily.ports import DailyRow, ParticipantRow

# Stored with a daily when it starts, as written here; marked for the catalogs, and asked
# in the language of whoever reads them (bot/rendering.py's `asked` filter).
DEFAULT_QUESTIONS = (
    N_("What did you do yesterday?"),
    N_("What will you do today?"),
    N_("Any blockers?"),
)
DEFAULT_TIME = time(10, 0)
DEFAULT_WEEKDAYS = frozenset(range(5))
# Which question is the blockers question: the one asking about blockers, else the last.
_BLOCKER_QUESTION = re.compile(
    r"block|imped|stuck|obstacle|help|блок|мешает|препятств|помощь|ブロッカー|障害|困って",
    re.IGNORECASE,
)

PENDING, SENT, ANSWERED, SKIPPED, MISSED = "pending", "sent", "answered", "skipped", "missed"
# How long a claimed piece of work may stay unfinished before another worker takes it over.
LEASE = timedelta(minutes=2)


def blocker_position(questions: Iterable[str]) -> int:
    listed = list(questions)
    for position, question in enumerate(listed):
        if _BLOCKER_QUESTION.search(question):
            return position
    return len(listed) - 1


def is_blocker(answer: str) -> bool:
    """A non-empty blockers answer that is not some way of saying "no"."""
    text = answer.strip()
    return bool(text) and not NO_BLOCKER.match(text)


def schedule_for(
    daily: DailyRow, participant: ParticipantRow, absences: Iterable[AbsenceRow]
) -> WorkSchedule:
    return WorkSchedule(
        tz=participant.tz,
        at=daily.prompt_time,
        weekdays=frozenset(daily.weekdays),
        country=participant.country or daily.country,
        absences=tuple(
            DateRange(a.start_date, a.end_date)
            for a in absences
            if a.user_id == participant.user_id
        ),
    )


def close_time(
    daily: DailyRow,
    participants: Iterable[ParticipantRow],
    absences: list[AbsenceRow],
    target: date,
    earliest: datetime,
) -> datetime:
    """A day closes a fixed time after the latest prompt any participant gets for that date."""
    latest = earliest
    for participant in participants:
        schedule = schedule_for(daily, participant, absences)
        if is_working_day(schedule, target):
            latest = max(latest, occurrence_at(schedule, target))
    return latest + timedelta(minutes=daily.close_after_minutes)

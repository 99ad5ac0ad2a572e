"""Who took part in the daily: per person, days answered out of days prompted.

A prompted day is one prompt row. A skipped day (`/daily skip`) counts in neither number:
the person said beforehand they would not be there, so it is no miss. A day that was
answered counts as answered even if it was also marked skipped (they did answer). The
overall percentage pools every prompted day of every person (answered / prompted), so a
person prompted once weighs less than one prompted five times. A person with no prompted
day in the week is left out, and the overall figure is None when nobody was prompted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ceremonies.daily.queries import DailyDay

__all__ = ["Participation", "ParticipationSummary", "counts", "participation", "percent"]


@dataclass(frozen=True)
class Participation:
    user_id: str
    answered: int
    prompted: int

    @property
    def pct(self) -> float:
        return percent(self.answered, self.prompted) or 0.0


@dataclass(frozen=True)
class ParticipationSummary:
    people: tuple[Participation, ...]
    answered: int
    prompted: int

    @property
    def pct(self) -> float | None:
        return percent(self.answered, self.prompted)


def percent(answered: int, prompted: int) -> float | None:
    return 100.0 * answered / prompted if prompted else None


def counts(day: DailyDay) -> bool:
    """Whether the day counts as prompted at all."""
    return day.answered or not day.skipped


def participation(
    days: Iterable[DailyDay], participants: Sequence[str] = ()
) -> ParticipationSummary:
    """Per person, in the daily's participant order, then anyone else (left since) by id."""
    tally: dict[str, list[int]] = {}
    for day in days:
        if counts(day):
            answered_prompted = tally.setdefault(day.user_id, [0, 0])
            answered_prompted[0] += day.answered
            answered_prompted[1] += 1
    order = {user_id: position for position, user_id in enumerate(participants)}
    people = tuple(
        Participation(user_id, answered, prompted)
        for user_id, (answered, prompted) in sorted(
            tally.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
        )
    )
    return ParticipationSummary(
        people, sum(p.answered for p in people), sum(p.prompted for p in people)
    )

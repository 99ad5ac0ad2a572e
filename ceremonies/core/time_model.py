"""The people-and-time model every ceremony shares: wall-clock instants, working days, people.

Pure rules: no Slack, no database. A daily's prompt, an on-call handoff and a weekly
report's delivery are all "this local time, on these days, for this person (or zone)", so
they are computed here in terms of instants and local times only. The hot paths avoid
allocation-heavy work (holiday calendars are cached per country and year, zones are cached
by ``zoneinfo`` itself) because a tick evaluates them for every participant.

Wall-clock semantics, for a local time ``at`` on a local date in zone ``tz``:

* ``at`` exists once on that day: it happens at that local time, whatever the offset.
* ``at`` falls in a DST gap (the clocks skip over it): it happens at the first instant
  after the gap, the instant the clocks skip to. E.g. 02:30 in Europe/Berlin on the
  spring-forward Sunday is 03:00 CEST (01:00 UTC), as DESIGN.md says — exactly one
  instant, so a daily event or a handoff still happens exactly once that day, and every
  wall time inside one gap lands on the same instant.
* ``at`` occurs twice (DST fall-back): the first occurrence wins, so nothing happens an
  hour "late" or twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "MAX_SEARCH_DAYS",
    "DateRange",
    "Occurrence",
    "Person",
    "WorkSchedule",
    "is_working_day",
    "local_date",
    "next_occurrence",
    "occurrence_at",
    "public_holidays",
    "supported_countries",
    "wall_clock_instant",
]

# Two years (plus leap days) covers sabbaticals and parental leave; beyond that
# a person with no working day is effectively paused and we say so (None)
# instead of looping forever.
MAX_SEARCH_DAYS = 2 * 366

_ONE_DAY = timedelta(days=1)
_ALL_WEEKDAYS = frozenset(range(7))


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive range of calendar dates (both ends are part of it).

    The constructor does not validate on purpose: an inverted range coming out
    of storage is simply empty rather than crashing a scheduler tick. Use
    :meth:`of` (or ``parsing.parse_date_range``) for user input.
    """

    start: date
    end: date

    @classmethod
    def of(cls, start: date, end: date) -> DateRange:
        if end < start:
            raise ValueError(f"date range ends ({end}) before it starts ({start})")
        return cls(start, end)

    def __contains__(self, d: date) -> bool:
        return self.start <= d <= self.end

    def __str__(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class Person:
    """What the calendar knows of a person: their zone, their country's holidays, absences.

    ``tz`` is an IANA zone name, ``country`` (ISO 3166 alpha-2) makes that country's
    national public holidays days off, ``absences`` are inclusive local-date ranges.
    """

    tz: str
    country: str | None = None
    absences: tuple[DateRange, ...] = ()

    def is_holiday(self, day: date) -> bool:
        return _is_holiday(self.country, day)

    def is_away(self, day: date) -> bool:
        return _is_away(self.absences, day)

    def is_available(self, day: date) -> bool:
        """Neither a public holiday of their country nor inside one of their absences."""
        return not self.is_holiday(day) and not self.is_away(day)


@dataclass(frozen=True, slots=True)
class WorkSchedule:
    """A local time on a person's working days: e.g. a daily's prompt for one participant.

    ``tz`` is an IANA zone name, ``at`` a naive local wall-clock time,
    ``weekdays`` uses Monday=0 … Sunday=6, ``country`` (ISO 3166 alpha-2)
    makes that country's national public holidays days off.
    """

    tz: str
    at: time
    weekdays: frozenset[int]
    country: str | None = None
    absences: tuple[DateRange, ...] = ()

    @property
    def person(self) -> Person:
        return Person(self.tz, self.country, self.absences)

    def __post_init__(self) -> None:
        # Validate at construction so a bad row fails loudly where it is
        # loaded, not deep inside a tick with a confusing KeyError.
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        if self.at.tzinfo is not None:
            raise ValueError("WorkSchedule.at must be a naive local wall-clock time")
        # Callers (storage, tests) often hold a set or list; normalising keeps
        # the dataclass hashable and comparisons exact.
        weekdays = frozenset(self.weekdays)
        if not weekdays:
            raise ValueError("WorkSchedule.weekdays must contain at least one day")
        if not weekdays <= _ALL_WEEKDAYS:
            raise ValueError(f"weekdays must be within 0..6, got {sorted(weekdays)}")
        object.__setattr__(self, "weekdays", weekdays)
        object.__setattr__(self, "absences", tuple(self.absences))
        if self.country is not None and self.country not in supported_countries():
            raise ValueError(f"unsupported holiday country {self.country!r}")


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a schedule: the person's local date and the aware UTC instant."""

    local_date: date
    at: datetime


@lru_cache(maxsize=1)
def supported_countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes the ``holidays`` package has calendars for."""
    # The package also lists alpha-3 codes and aliases such as "UK"; the
    # schedule stores only the canonical two-letter code.
    codes = holidays.list_supported_countries(include_aliases=False)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


@lru_cache(maxsize=4096)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """National public holidays (including observed/substitute days) of a year.

    Cached because building a calendar costs about a millisecond and the
    scheduler asks for the same few (country, year) pairs thousands of times
    per tick; a frozenset lookup is also much cheaper than ``HolidayBase``'s
    own ``__contains__``, which accepts strings and parses its argument.
    """
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_working_day(schedule: WorkSchedule, day: date) -> bool:
    """Whether ``day`` (a local calendar date) is one of the schedule's days for its person."""
    # Cheapest checks first: most rejections are weekends.
    if day.weekday() not in schedule.weekdays:
        return False
    return not _is_holiday(schedule.country, day) and not _is_away(schedule.absences, day)


def _is_holiday(country: str | None, day: date) -> bool:
    return country is not None and day in public_holidays(country, day.year)


def _is_away(absences: tuple[DateRange, ...], day: date) -> bool:
    return any(r.start <= day <= r.end for r in absences)


def wall_clock_instant(tz: str, day: date, at: time) -> datetime:
    """The aware UTC instant of local time ``at`` on local date ``day`` in zone ``tz``.

    Gap times happen when the gap ends, ambiguous times at their first occurrence (see
    the module docstring).
    """
    zone = ZoneInfo(tz)
    # Built field by field rather than via datetime.combine so that a
    # ``fold=1`` on the stored time cannot select the second occurrence.
    wall = datetime(day.year, day.month, day.day, at.hour, at.minute, at.second, at.microsecond)
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    return _gap_end(zone, wall)


def _gap_end(zone: ZoneInfo, wall: datetime) -> datetime:
    """The instant a DST gap containing the (non-existent) local ``wall`` time ends."""
    # fold=1 reads the wall time with the offset after the change, fold=0 with the one
    # before: the change lies between them. Transitions fall on whole seconds.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if low > high:
        low, high = high, low
    after = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def occurrence_at(schedule: WorkSchedule, day: date) -> datetime:
    """The aware UTC instant of ``schedule.at`` on local date ``day``."""
    return wall_clock_instant(schedule.tz, day, schedule.at)


def local_date(tz: str, instant: datetime) -> date:
    """The calendar date in zone ``tz`` at the aware ``instant``."""
    if instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(ZoneInfo(tz)).date()


def next_occurrence(
    schedule: WorkSchedule,
    not_before: datetime,
    after_date: date | None = None,
) -> Occurrence | None:
    """The first working day whose occurrence is at or after ``not_before``.

    ``after_date`` (a local date, typically the previous occurrence's) makes
    the search start strictly after it, which is what guarantees a single
    occurrence per day even when the wall time repeats or a tick runs late.
    Returns None when no working day exists within :data:`MAX_SEARCH_DAYS`.
    """
    if not_before.utcoffset() is None:
        raise ValueError("not_before must be timezone-aware")
    not_before_utc = not_before.astimezone(UTC)
    # An occurrence on local day d happens while it is day d locally, so no day
    # before not_before's own local date can qualify. One extra day back is a
    # cheap guard for gap times that get pushed across midnight.
    day = local_date(schedule.tz, not_before_utc) - _ONE_DAY
    if after_date is not None and after_date >= day:
        day = after_date + _ONE_DAY
    for _ in range(MAX_SEARCH_DAYS):
        if is_working_day(schedule, day):
            at = occurrence_at(schedule, day)
            if at >= not_before_utc:
                return Occurrence(local_date=day, at=at)
        day += _ONE_DAY
    return None

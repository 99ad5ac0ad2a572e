"""The report's week: an ISO week in the report's zone, from Monday 00:00 to delivery.

A weekly report covers, in its zone, Monday 00:00 up to its delivery instant (by default
Friday 16:00) of one ISO week. Both ends are wall-clock times and follow the shared DST
rule of `ceremonies.core.time_model.wall_clock_instant`: a time inside a spring-forward gap
happens when the gap ends, an ambiguous one at its first occurrence. What happens between
one delivery and the next Monday belongs to no report's window; the marks "new", "raised"
and "closed" are measured from the previous delivery so that nothing falls between weeks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ceremonies.core.parsing import InvalidInput
from ceremonies.core.time_model import local_date, wall_clock_instant

__all__ = [
    "DEFAULT_TIME",
    "DEFAULT_WEEKDAY",
    "ReportWeek",
    "next_delivery",
    "parse_iso_week",
    "report_week",
    "upcoming_week",
]

DEFAULT_WEEKDAY = 4  # Friday (Monday=0)
DEFAULT_TIME = time(16, 0)
MIDNIGHT = time(0)
_WEEK = timedelta(weeks=1)
_ISO_WEEK_RE = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True, slots=True)
class ReportWeek:
    """ISO week (`year`, `week`) of a report delivered on `weekday` at `at`, in zone `tz`."""

    tz: str
    year: int
    week: int
    weekday: int = DEFAULT_WEEKDAY
    at: time = DEFAULT_TIME

    def __post_init__(self) -> None:
        # Fails at construction (ValueError) for week 53 of a year that has 52, a bad weekday.
        date.fromisocalendar(self.year, self.week, 1)
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be within 0..6, got {self.weekday}")

    @classmethod
    def containing(cls, tz: str, day: date, weekday: int, at: time) -> ReportWeek:
        """The report week whose ISO week holds the local date `day`."""
        iso = day.isocalendar()
        return cls(tz, iso.year, iso.week, weekday, at)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def first(self) -> date:
        return self.monday

    @property
    def last(self) -> date:
        """The delivery's local date (by the calendar, even if a gap pushes its instant)."""
        return self.monday + timedelta(days=self.weekday)

    @property
    def start(self) -> datetime:
        """Monday 00:00 in the report's zone, as an aware UTC instant."""
        return wall_clock_instant(self.tz, self.monday, MIDNIGHT)

    @property
    def delivery(self) -> datetime:
        return wall_clock_instant(self.tz, self.last, self.at)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def shifted(self, weeks: int) -> ReportWeek:
        iso = (self.monday + weeks * _WEEK).isocalendar()
        return ReportWeek(self.tz, iso.year, iso.week, self.weekday, self.at)

    def previous(self) -> ReportWeek:
        return self.shifted(-1)

    def next(self) -> ReportWeek:
        return self.shifted(1)

    def contains(self, instant: datetime) -> bool:
        """Whether `instant` is inside the report's window [start, delivery]."""
        return self.start <= instant <= self.delivery

    def since_last_report(self, instant: datetime | None) -> bool:
        """Whether `instant` is after the previous delivery and at or before this one."""
        return instant is not None and self.previous().delivery < instant <= self.delivery


def report_week(tz: str, weekday: int, at: time, now: datetime) -> ReportWeek:
    """The week whose delivery is the latest one at or before `now`."""
    week = ReportWeek.containing(tz, local_date(tz, now), weekday, at).next()
    # Starting a week ahead covers a delivery a gap pushed into the next ISO week.
    while week.delivery > now:
        week = week.previous()
    return week


def next_delivery(tz: str, weekday: int, at: time, after: datetime) -> datetime:
    """The first delivery instant strictly after `after`."""
    return report_week(tz, weekday, at, after).next().delivery


def upcoming_week(tz: str, weekday: int, at: time, now: datetime) -> ReportWeek:
    """The week of the first delivery after `now`: what `/weekly preview` shows."""
    return report_week(tz, weekday, at, now).next()


def parse_iso_week(text: str) -> tuple[int, int]:
    """``"2026-W49"`` (also ``"2026w49"``) → ``(2026, 49)``; the week must exist that year."""
    stripped = text.strip()
    match = _ISO_WEEK_RE.fullmatch(stripped)
    if match is None:
        raise InvalidInput("weekly_week_invalid", input=stripped[:20], example="2026-W49")
    year, week = int(match[1]), int(match[2])
    weeks_in_year = date(year, 12, 28).isocalendar().week  # Dec 28 is always in the last week
    if not 1 <= week <= weeks_in_year:
        raise InvalidInput(
            "weekly_week_not_in_year", input=stripped, year=year, weeks=weeks_in_year
        )
    return year, week

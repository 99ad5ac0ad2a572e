"""Load and fairness: per person, the shifts, days on call, weekend days and holidays.

A calendar day counts for whoever was on call at noon that day in the rotation's zone, so
every day is counted once, for one person, and the days add up to the window's length.
A day is a public holiday by the person's own country, or else the rotation's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from ceremonies.core.time_model import public_holidays, wall_clock_instant
from ceremonies.oncall.plan import Shift

NOON = time(12, 0)


@dataclass
class Load:
    user_id: str
    shifts: int = 0
    days: int = 0
    weekend_days: int = 0
    holiday_days: int = 0


def tally(
    shifts: Sequence[Shift],
    tz: str,
    countries: Mapping[str, str | None],
    since: date,
    until: date,
) -> list[Load]:
    """Each person's load over the local dates [since, until), busiest first."""
    loads: dict[str, Load] = {}
    for shift in shifts:
        loads.setdefault(shift.user_id, Load(shift.user_id)).shifts += 1
    day = since
    index = 0
    ordered = sorted(shifts, key=lambda s: s.start)
    while day < until:
        noon = wall_clock_instant(tz, day, NOON)
        while index < len(ordered) and ordered[index].end <= noon:
            index += 1
        if index < len(ordered) and ordered[index].start <= noon:
            load = loads[ordered[index].user_id]
            load.days += 1
            load.weekend_days += day.weekday() >= 5
            country = countries.get(load.user_id)
            load.holiday_days += country is not None and day in public_holidays(country, day.year)
        day += timedelta(days=1)
    return sorted(loads.values(), key=lambda x: (-x.days, -x.shifts, x.user_id))

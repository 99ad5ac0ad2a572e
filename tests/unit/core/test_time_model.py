"""The people-and-time model: worked DST, holiday and absence examples (properties: beside)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ceremonies.core.time_model import (
    DateRange,
    Occurrence,
    Person,
    WorkSchedule,
    is_working_day,
    local_date,
    next_occurrence,
    occurrence_at,
    wall_clock_instant,
)

MINUTE = timedelta(minutes=1)
ALL_DAYS = frozenset(range(7))
MON_FRI = frozenset(range(5))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def daily(
    tz: str,
    at: time = time(10, 0),
    weekdays: frozenset[int] = ALL_DAYS,
    country: str | None = None,
    absences: tuple[DateRange, ...] = (),
) -> WorkSchedule:
    return WorkSchedule(tz=tz, at=at, weekdays=weekdays, country=country, absences=absences)


# --- worked examples ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        # Europe/Berlin: CET +1 until 2026-03-29, CEST +2 until 2026-10-25.
        ("Europe/Berlin", date(2026, 3, 28), utc(2026, 3, 28, 9, 0)),
        ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 29, 8, 0)),
        ("Europe/Berlin", date(2026, 10, 24), utc(2026, 10, 24, 8, 0)),
        ("Europe/Berlin", date(2026, 10, 25), utc(2026, 10, 25, 9, 0)),
        # America/New_York: EST -5, EDT -4 from 2026-03-08 to 2026-11-01.
        ("America/New_York", date(2026, 3, 7), utc(2026, 3, 7, 15, 0)),
        ("America/New_York", date(2026, 3, 8), utc(2026, 3, 8, 14, 0)),
        ("America/New_York", date(2026, 11, 1), utc(2026, 11, 1, 15, 0)),
        # Australia/Sydney (southern hemisphere): AEDT +11 ends 2026-04-05,
        # AEST +10 until 2026-10-04. The UTC date is the previous day.
        ("Australia/Sydney", date(2026, 4, 4), utc(2026, 4, 3, 23, 0)),
        ("Australia/Sydney", date(2026, 4, 5), utc(2026, 4, 5, 0, 0)),
        ("Australia/Sydney", date(2026, 10, 4), utc(2026, 10, 3, 23, 0)),
        # Pacific/Chatham: +13:45 in summer, +12:45 in winter.
        ("Pacific/Chatham", date(2026, 4, 4), utc(2026, 4, 3, 20, 15)),
        ("Pacific/Chatham", date(2026, 4, 5), utc(2026, 4, 4, 21, 15)),
        ("Pacific/Chatham", date(2026, 9, 27), utc(2026, 9, 26, 20, 15)),
        # Asia/Kolkata: +05:30 all year.
        ("Asia/Kolkata", date(2026, 1, 15), utc(2026, 1, 15, 4, 30)),
        ("Asia/Kolkata", date(2026, 7, 15), utc(2026, 7, 15, 4, 30)),
        ("UTC", date(2026, 3, 29), utc(2026, 3, 29, 10, 0)),
    ],
)
def test_prompt_at_follows_the_local_offset(tz: str, day: date, expected: datetime) -> None:
    got = occurrence_at(daily(tz), day)
    assert got == expected
    assert got.tzinfo is UTC
    assert local_date(tz, got) == day


@pytest.mark.parametrize(
    ("tz", "day", "at", "expected", "last_valid_minute"),
    [
        # Berlin skips 02:00→03:00 CET→CEST; 02:30 fires when the gap ends, 03:00 CEST.
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 0), time(1, 59)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0), time(1, 59)),
        ("Australia/Sydney", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 16, 0), time(1, 59)),
        # Chatham skips 02:45→03:45; 03:00 lies inside the gap and fires as the clocks
        # land on 03:45 +13:45.
        ("Pacific/Chatham", date(2026, 9, 27), time(3, 0), utc(2026, 9, 26, 14, 0), time(2, 44)),
    ],
)
def test_gap_time_fires_once_when_the_gap_ends(
    tz: str, day: date, at: time, expected: datetime, last_valid_minute: time
) -> None:
    zone = ZoneInfo(tz)
    got = occurrence_at(daily(tz, at), day)
    assert got == expected
    previous = datetime.combine(day, last_valid_minute, tzinfo=zone).astimezone(UTC)
    assert got > previous
    # The wall time really does not exist: round-tripping either fold moves it.
    for fold in (0, 1):
        wall = datetime.combine(day, at, tzinfo=zone).replace(fold=fold)
        assert wall.astimezone(UTC).astimezone(zone).time() != at
    assert local_date(tz, got) == day
    # Exactly one occurrence that day, whatever instant one starts searching from.
    sched = daily(tz, at)
    assert next_occurrence(sched, previous) == Occurrence(day, expected)
    later = next_occurrence(sched, expected + MINUTE, after_date=day - timedelta(days=1))
    assert later is not None
    assert later.local_date == day + timedelta(days=1)


@pytest.mark.parametrize(
    ("tz", "day", "at", "first", "second"),
    [
        # Berlin repeats 02:00–03:00 on 2026-10-25 (CEST then CET).
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30),
         utc(2026, 10, 25, 1, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30),
         utc(2026, 11, 1, 6, 30)),
        ("Australia/Sydney", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 15, 30),
         utc(2026, 4, 4, 16, 30)),
        ("Pacific/Chatham", date(2026, 4, 5), time(3, 0), utc(2026, 4, 4, 13, 15),
         utc(2026, 4, 4, 14, 15)),
    ],
)  # fmt: skip
def test_ambiguous_time_takes_first_occurrence_only(
    tz: str, day: date, at: time, first: datetime, second: datetime
) -> None:
    zone = ZoneInfo(tz)
    assert first.astimezone(zone).replace(tzinfo=None) == datetime.combine(day, at)
    assert second.astimezone(zone).replace(tzinfo=None) == datetime.combine(day, at)
    # A stored fold=1 must not select the later occurrence either.
    for stored in (at, at.replace(fold=1)):
        sched = daily(tz, stored)
        assert occurrence_at(sched, day) == first
        occ = next_occurrence(sched, first - timedelta(hours=3))
        assert occ == Occurrence(day, first)
        # After the first has fired, the repeated wall time does not fire again.
        nxt = next_occurrence(sched, occ.at + MINUTE, after_date=occ.local_date)
        assert nxt is not None
        assert nxt.local_date == day + timedelta(days=1)


def test_weekends_are_skipped() -> None:
    sched = daily("Europe/Berlin", weekdays=MON_FRI)
    # Friday 2026-03-27 after the prompt → Monday, already in CEST.
    occ = next_occurrence(sched, utc(2026, 3, 27, 9, 1))
    assert occ == Occurrence(date(2026, 3, 30), utc(2026, 3, 30, 8, 0))
    assert not is_working_day(sched, date(2026, 3, 28))
    assert not is_working_day(sched, date(2026, 3, 29))


def test_exact_prompt_instant_is_included() -> None:
    sched = daily("Asia/Kolkata")
    assert next_occurrence(sched, utc(2026, 1, 15, 4, 30)) == Occurrence(
        date(2026, 1, 15), utc(2026, 1, 15, 4, 30)
    )


def test_german_holidays_are_days_off() -> None:
    sched = daily("Europe/Berlin", weekdays=MON_FRI, country="DE")
    assert not is_working_day(sched, date(2026, 12, 25))  # Christmas, a Friday
    assert is_working_day(sched, date(2026, 10, 5))  # a plain Monday
    # Thursday 24th → Christmas (Fri) → weekend → Monday 28th.
    occ = next_occurrence(sched, utc(2026, 12, 24, 9, 1))
    assert occ is not None and occ.local_date == date(2026, 12, 28)
    # Without a country Christmas is an ordinary Friday.
    assert is_working_day(daily("Europe/Berlin", weekdays=MON_FRI), date(2026, 12, 25))


def test_us_holidays_including_observed_days() -> None:
    sched = daily("America/New_York", weekdays=MON_FRI, country="US")
    assert not is_working_day(sched, date(2026, 11, 26))  # Thanksgiving
    # July 4th 2026 is a Saturday; the federal day off is Friday July 3rd.
    assert not is_working_day(sched, date(2026, 7, 3))
    occ = next_occurrence(sched, utc(2026, 7, 2, 14, 1), after_date=date(2026, 7, 2))
    assert occ == Occurrence(date(2026, 7, 6), utc(2026, 7, 6, 14, 0))
    # Holidays are per country: German reunification day is a US working day.
    assert is_working_day(sched, date(2026, 10, 5))


def test_absences_are_inclusive_and_long_ones_are_searched_through() -> None:
    away = DateRange(date(2026, 12, 21), date(2027, 1, 3))
    sched = daily("UTC", weekdays=MON_FRI, absences=(away,))
    assert date(2026, 12, 21) in away and date(2027, 1, 3) in away
    assert date(2026, 12, 20) not in away and date(2027, 1, 4) not in away
    occ = next_occurrence(sched, utc(2026, 12, 18, 10, 1))
    assert occ == Occurrence(date(2027, 1, 4), utc(2027, 1, 4, 10, 0))
    sabbatical = DateRange(date(2026, 1, 1), date(2027, 6, 30))
    occ = next_occurrence(daily("UTC", absences=(sabbatical,)), utc(2026, 1, 1))
    assert occ == Occurrence(date(2027, 7, 1), utc(2027, 7, 1, 10, 0))


def test_no_working_day_within_two_years_gives_none() -> None:
    forever = DateRange(date(2026, 1, 1), date(2030, 1, 1))
    assert next_occurrence(daily("UTC", absences=(forever,)), utc(2026, 1, 1)) is None


def test_after_date_is_strict() -> None:
    sched = daily("UTC")
    occ = next_occurrence(sched, utc(2026, 5, 1), after_date=date(2026, 5, 10))
    assert occ == Occurrence(date(2026, 5, 11), utc(2026, 5, 11, 10, 0))


def test_validation() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        WorkSchedule("UTC", time(10), frozenset())
    with pytest.raises(ValueError, match=r"0\.\.6"):
        WorkSchedule("UTC", time(10), frozenset({7}))
    with pytest.raises(ValueError, match="time zone"):
        WorkSchedule("Mars/Olympus_Mons", time(10), ALL_DAYS)
    with pytest.raises(ValueError, match="naive"):
        WorkSchedule("UTC", time(10, tzinfo=UTC), ALL_DAYS)
    with pytest.raises(ValueError, match="country"):
        WorkSchedule("UTC", time(10), ALL_DAYS, country="XX")
    with pytest.raises(ValueError, match="before it starts"):
        DateRange.of(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        next_occurrence(daily("UTC"), datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        local_date("UTC", datetime(2026, 1, 1))
    # Storage may hand over a plain set; it is normalised to a frozenset.
    assert WorkSchedule("UTC", time(10), {0, 1}).weekdays == frozenset({0, 1})  # type: ignore[arg-type]


def test_date_range_str_and_of() -> None:
    assert str(DateRange.of(date(2026, 12, 21), date(2027, 1, 3))) == "2026-12-21..2027-01-03"
    assert str(DateRange(date(2026, 12, 24), date(2026, 12, 24))) == "2026-12-24"


def test_local_date_across_midnight() -> None:
    instant = utc(2026, 6, 30, 23, 30)
    assert local_date("Asia/Kolkata", instant) == date(2026, 7, 1)
    assert local_date("America/New_York", instant) == date(2026, 6, 30)
    assert local_date("Pacific/Chatham", utc(2026, 6, 30, 11, 15)) == date(2026, 7, 1)


def test_a_person_is_unavailable_on_their_holidays_and_absences() -> None:
    maria = Person("Europe/Berlin", "DE", (DateRange(date(2026, 12, 21), date(2026, 12, 23)),))
    assert maria.is_holiday(date(2026, 12, 25)) and not maria.is_away(date(2026, 12, 25))
    assert maria.is_away(date(2026, 12, 22)) and not maria.is_holiday(date(2026, 12, 22))
    assert not maria.is_available(date(2026, 12, 25))
    assert maria.is_available(date(2026, 12, 28))
    assert Person("UTC").is_available(date(2026, 12, 25))  # no country, no holidays


def test_wall_clock_instants_take_the_first_instant_after_a_gap_and_the_first_of_two() -> None:
    # Europe/Berlin springs forward 02:00 -> 03:00 on 29 March 2026 and falls back on 25 Oct.
    gap = wall_clock_instant("Europe/Berlin", date(2026, 3, 29), time(2, 30))
    assert gap == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST, the gap's end
    twice = wall_clock_instant("Europe/Berlin", date(2026, 10, 25), time(2, 30))
    assert twice == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremonies.core.parsing import InvalidInput
from ceremonies.weekly.week import (
    ReportWeek,
    next_delivery,
    parse_iso_week,
    report_week,
    upcoming_week,
)
from tests.unit.weekly.factories import BERLIN, WEEK

FRI_16 = time(16)


def test_a_week_runs_from_monday_midnight_to_the_delivery_in_the_zone() -> None:
    assert WEEK.label == "2026-W49"
    assert str(WEEK.first) == "2026-11-30"
    assert str(WEEK.last) == "2026-12-04"
    assert WEEK.start == datetime(2026, 11, 29, 23, tzinfo=UTC)  # CET, UTC+1
    assert WEEK.delivery == datetime(2026, 12, 4, 15, tzinfo=UTC)


def test_the_week_after_spring_forward_starts_and_delivers_on_summer_time() -> None:
    before, after = ReportWeek(BERLIN, 2026, 13), ReportWeek(BERLIN, 2026, 14)
    assert before.start == datetime(2026, 3, 22, 23, tzinfo=UTC)
    assert before.delivery == datetime(2026, 3, 27, 15, tzinfo=UTC)
    assert after.start == datetime(2026, 3, 29, 22, tzinfo=UTC)  # CEST, UTC+2
    assert after.delivery == datetime(2026, 4, 3, 14, tzinfo=UTC)
    assert after.delivery - before.delivery == timedelta(days=7, hours=-1)


def test_a_delivery_in_the_dst_gap_happens_when_the_gap_ends() -> None:
    # Sunday 29 March 2026, 02:30 does not exist in Berlin: 03:00 CEST is 01:00 UTC.
    sunday = ReportWeek(BERLIN, 2026, 13, weekday=6, at=time(2, 30))
    assert sunday.delivery == datetime(2026, 3, 29, 1, tzinfo=UTC)


def test_an_ambiguous_delivery_happens_at_its_first_occurrence() -> None:
    # Sunday 25 October 2026, 02:30 happens twice in Berlin; the first is CEST, 00:30 UTC.
    sunday = ReportWeek(BERLIN, 2026, 43, weekday=6, at=time(2, 30))
    assert sunday.delivery == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_week_53_and_the_year_boundary() -> None:
    w53 = ReportWeek(BERLIN, 2026, 53)
    assert (str(w53.first), str(w53.last)) == ("2026-12-28", "2027-01-01")
    assert w53.next().label == "2027-W01"
    assert w53.next().previous() == w53
    assert ReportWeek(BERLIN, 2025, 1).first.isoformat() == "2024-12-30"
    assert ReportWeek(BERLIN, 2026, 1).previous().label == "2025-W52"
    saturday = datetime(2027, 1, 2, 12, tzinfo=UTC)
    assert report_week(BERLIN, 4, FRI_16, saturday).label == "2026-W53"


def test_a_week_that_does_not_exist_is_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        ReportWeek(BERLIN, 2025, 53)


def test_the_report_week_is_the_latest_delivery_at_or_before_now() -> None:
    assert report_week(BERLIN, 4, FRI_16, WEEK.delivery) == WEEK
    just_before = WEEK.delivery - timedelta(microseconds=1)
    assert report_week(BERLIN, 4, FRI_16, just_before) == WEEK.previous()
    monday_morning = WEEK.start + timedelta(hours=9)
    assert report_week(BERLIN, 4, FRI_16, monday_morning) == WEEK.previous()
    assert upcoming_week(BERLIN, 4, FRI_16, monday_morning) == WEEK


def test_the_next_delivery_is_strictly_after() -> None:
    assert next_delivery(BERLIN, 4, FRI_16, WEEK.delivery) == WEEK.next().delivery
    before = WEEK.delivery - timedelta(seconds=1)
    assert next_delivery(BERLIN, 4, FRI_16, before) == WEEK.delivery


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-W49", (2026, 49)), (" 2026-w05 ", (2026, 5)), ("2026W53", (2026, 53))],
)
def test_iso_weeks_parse(text: str, expected: tuple[int, int]) -> None:
    assert parse_iso_week(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-49", "weekly_week_invalid"),
        ("W49", "weekly_week_invalid"),
        ("", "weekly_week_invalid"),
        ("2025-W53", "weekly_week_not_in_year"),
        ("2026-W00", "weekly_week_not_in_year"),
    ],
)
def test_bad_iso_weeks_are_refused_with_a_code(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_iso_week(text)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)


def test_a_week_missing_from_its_year_says_how_many_weeks_it_has() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_iso_week("2025-W53")
    assert caught.value.params == {"input": "2025-W53", "year": 2025, "weeks": 52}


ZONES = st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Apia"])
INSTANTS = st.datetimes(datetime(2020, 1, 1), datetime(2031, 1, 1), timezones=st.just(UTC))


@given(
    tz=ZONES,
    weekday=st.integers(0, 6),
    at=st.times(),
    now=INSTANTS,
)
def test_now_falls_between_its_report_weeks_delivery_and_the_next(
    tz: str, weekday: int, at: time, now: datetime
) -> None:
    week = report_week(tz, weekday, at, now)
    assert week.delivery <= now < week.next().delivery
    assert week.start <= week.delivery
    assert next_delivery(tz, weekday, at, now) == week.next().delivery

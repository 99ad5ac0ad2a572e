from __future__ import annotations

from datetime import timedelta

import pytest

from ceremonies.daily.queries import DailyHistory
from ceremonies.retro.queries import DONE, RetroHistory
from ceremonies.weekly.trend import WeekFigures, WeekHistory, figures, trend, trend_weeks
from tests.unit.weekly.factories import FRI, MON, THU, TUE, WED, WEEK, action, answered, silent, utc


def test_the_chart_reads_the_eight_weeks_ending_with_the_report() -> None:
    weeks = trend_weeks(WEEK)
    assert [w.label for w in weeks] == [f"2026-W{n}" for n in range(42, 50)]


def test_a_weeks_figures() -> None:
    days = (
        answered("UANA", MON - timedelta(days=3), "carried"),  # last week: runs into this week
        answered("UANA", MON, "carried"),
        answered("UANA", TUE),
        answered("UBEN", WED, "new one"),
        silent("UBEN", THU),
        silent("UBEN", FRI),
    )
    actions = (
        action(1, utc(MON) - timedelta(days=20)),  # open
        action(2, utc(MON) - timedelta(days=20), DONE, utc(WED), "yes"),  # done this week
        action(3, utc(MON) - timedelta(days=20), DONE, utc(MON) - timedelta(days=5), "no"),
        action(4, WEEK.delivery + timedelta(hours=1)),  # chosen after delivery
    )
    history = WeekHistory(
        WEEK,
        dailies=(DailyHistory("C1", ("UANA", "UBEN"), days),),
        retros=(RetroHistory((), actions),),
    )
    found = figures(history)
    assert found == WeekFigures("2026-W49", pytest.approx(60.0), 2, 1, 1)


def test_trend_keeps_the_latest_weeks_oldest_first() -> None:
    histories = [WeekHistory(w) for w in reversed(trend_weeks(WEEK, 10))]
    found = trend(histories)
    assert [f.label for f in found] == [w.label for w in trend_weeks(WEEK)]
    assert all(f == WeekFigures(f.label, None, 0, 0, 0) for f in found)

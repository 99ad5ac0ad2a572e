"""The chart's figures: the last 8 weeks of participation, blockers and retro actions.

Per week, over every source channel:

* participation: answered / prompted daily days of the week (pooled, as in the report);
* blockers: blocker runs that were raised on some day of the week (a run spanning two
  weeks counts in both: it blocked both);
* actions done: retro actions reported done since the previous delivery;
* actions open: actions chosen by the delivery and still open at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ceremonies.daily.queries import DailyHistory
from ceremonies.retro.queries import DONE, RetroHistory, open_at
from ceremonies.weekly.blockers import blockers_of
from ceremonies.weekly.participation import participation
from ceremonies.weekly.week import ReportWeek

__all__ = ["TREND_WEEKS", "WeekFigures", "WeekHistory", "figures", "trend", "trend_weeks"]

TREND_WEEKS = 8


@dataclass(frozen=True)
class WeekFigures:
    label: str
    participation_pct: float | None
    blockers: int
    actions_done: int
    actions_open: int


@dataclass(frozen=True)
class WeekHistory:
    """One week's query results over the report's sources (dailies may reach further back)."""

    week: ReportWeek
    dailies: tuple[DailyHistory, ...] = ()
    retros: tuple[RetroHistory, ...] = ()


def trend_weeks(week: ReportWeek, count: int = TREND_WEEKS) -> tuple[ReportWeek, ...]:
    """The `count` weeks ending with `week`, oldest first: the ones to read for the chart."""
    return tuple(week.shifted(-k) for k in range(count - 1, -1, -1))


def trend(histories: Iterable[WeekHistory], count: int = TREND_WEEKS) -> tuple[WeekFigures, ...]:
    """The figures of the latest `count` weeks handed in, oldest first."""
    ordered = sorted(histories, key=lambda h: h.week.start)
    return tuple(figures(h) for h in ordered[-count:])


def figures(history: WeekHistory) -> WeekFigures:
    week = history.week
    days = [d for daily in history.dailies for d in daily.days]
    in_week = [d for d in days if week.first <= d.local_date <= week.last]
    blockers = sum(
        1
        for daily in history.dailies
        for b in blockers_of(daily.days)
        if b.first_raised <= week.last and b.last_raised >= week.first
    )
    actions = {a.action_id: a for retro in history.retros for a in retro.actions}.values()
    return WeekFigures(
        label=week.label,
        participation_pct=participation(in_week).pct,
        blockers=blockers,
        actions_done=sum(
            1 for a in actions if a.status == DONE and week.since_last_report(a.status_at)
        ),
        actions_open=sum(1 for a in actions if open_at(a, week.delivery)),
    )

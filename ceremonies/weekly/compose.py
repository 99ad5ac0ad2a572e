"""One report for one week, read from storage: the sources' history, the register, the status.

Each source is read once over the span the report needs (the chart's 8 weeks, and the
daily's look-back for blocker ages before that), so the cost follows the weeks shown, not
the length of the history. The previous week's report is built from the same reads, for
"what changed since last week".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ceremonies.daily.queries import DailyHistory
from ceremonies.retro.queries import RetroHistory
from ceremonies.weekly.blockers import LOOKBACK_DAYS
from ceremonies.weekly.ports import ReportRow, WeeklyUnitOfWork
from ceremonies.weekly.register import register_at
from ceremonies.weekly.report import SourceHistory, Submission, WeeklyReport, build_report
from ceremonies.weekly.schedule import deliverable
from ceremonies.weekly.trend import WeekFigures, WeekHistory, trend, trend_weeks
from ceremonies.weekly.week import ReportWeek


@dataclass(frozen=True)
class Composed:
    report: WeeklyReport
    trend: tuple[WeekFigures, ...]


def submission_of(uow: WeeklyUnitOfWork, report_id: int, week: ReportWeek) -> Submission | None:
    row = uow.weeklies.status(report_id, week.label)
    if row is None:
        return None
    return Submission(row.status, row.highlights, row.plans, row.decisions)


def compose(uow: WeeklyUnitOfWork, row: ReportRow, week: ReportWeek) -> Composed:
    weeks = trend_weeks(week)
    oldest = weeks[0]
    sources = uow.weeklies.sources(row.id)
    dailies: dict[str, DailyHistory] = {}
    retros: dict[str, RetroHistory] = {}
    histories = []
    for channel_id in sources:
        daily = uow.daily_history.daily_history(
            row.team_id, channel_id, oldest.first - timedelta(days=LOOKBACK_DAYS), week.last
        )
        retro = uow.retro_history.retro_history(
            row.team_id, channel_id, oldest.previous().delivery, week.delivery
        )
        oncall = uow.oncall_history.oncall_history(
            row.team_id, channel_id, week.previous().delivery, week.delivery
        )
        if daily is not None:
            dailies[channel_id] = daily
        if retro is not None:
            retros[channel_id] = retro
        histories.append(SourceHistory(channel_id, daily, retro, oncall))
    previous_week = week.previous()
    # A week before the report existed had no report: nothing "changed" since it.
    previous = (
        build_report(
            previous_week,
            histories,
            register_at(uow, row.id, previous_week.previous().delivery),
            submission=submission_of(uow, row.id, previous_week),
        )
        if deliverable(row, previous_week)
        else None
    )
    report = build_report(
        week,
        histories,
        register_at(uow, row.id, previous_week.delivery),
        submission=submission_of(uow, row.id, week),
        previous=previous,
    )
    figures = trend(WeekHistory(w, tuple(dailies.values()), tuple(retros.values())) for w in weeks)
    return Composed(report, figures)

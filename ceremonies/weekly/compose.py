"""One report for one week, read from storage: the sources' history, the register, the status.

The chart's earlier weeks come from the reports already sent for them: each delivery keeps
its figures (content["trend"], last entry), as they stood when it went out. Only the weeks
without one — this week, and any week no report went out for — are computed, from each
source read once over the span they need (and the daily's look-back for blocker ages before
that). So the cost follows the report's week, not the length of the history. The previous
week's report is built from the same reads, for "what changed since last week".
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

SENT_REPORT = "report"  # the delivery kind of a channel's report (see delivery.py)


@dataclass(frozen=True)
class Composed:
    report: WeeklyReport
    trend: tuple[WeekFigures, ...]


def submission_of(uow: WeeklyUnitOfWork, report_id: int, week: ReportWeek) -> Submission | None:
    row = uow.weeklies.status(report_id, week.label)
    if row is None:
        return None
    return Submission(row.status, row.highlights, row.plans, row.decisions)


def sent_figures(
    uow: WeeklyUnitOfWork, report_id: int, weeks: tuple[ReportWeek, ...]
) -> dict[str, WeekFigures]:
    """The chart figures each of these weeks' sent report kept, by week label."""
    found: dict[str, WeekFigures] = {}
    for week in weeks:
        sent = uow.weeklies.delivery_of(report_id, week.label, SENT_REPORT)
        if sent is None or sent.sent_at is None or not sent.content:
            continue
        kept = (sent.content.get("trend") or [None])[-1]
        try:
            figures = WeekFigures(**kept)
        except TypeError:  # kept by an older version in another shape: computed instead
            continue
        if figures.label == week.label:
            found[week.label] = figures
    return found


def compose(uow: WeeklyUnitOfWork, row: ReportRow, week: ReportWeek) -> Composed:
    weeks = trend_weeks(week)
    kept = sent_figures(uow, row.id, weeks[:-1])
    unsent = [w for w in weeks if w.label not in kept]
    # The previous week's report (for what changed) needs its own week's history too.
    oldest = min(unsent[0], week.previous(), key=lambda w: w.start)
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
    computed = trend(
        (WeekHistory(w, tuple(dailies.values()), tuple(retros.values())) for w in unsent),
        count=len(unsent),
    )
    by_label = {**kept, **{f.label: f for f in computed}}
    return Composed(report, tuple(by_label[w.label] for w in weeks if w.label in by_label))

"""When a weekly report has work for run-due: the owner's status DM, then the report.

The status DM goes out STATUS_LEAD before delivery (at once when a report is started or
moved inside that lead). A report paused has no work. Only the latest week whose delivery
has passed is ever delivered late: after two weeks of downtime, the newer report covers
the older one, which is not sent (decision: a manager wants this week's state, not a
backlog of stale ones).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ceremonies.weekly.ports import ReportRow
from ceremonies.weekly.week import ReportWeek, parse_iso_week, report_week, upcoming_week

STATUS_LEAD = timedelta(hours=2)
# A report posted this long after its delivery time says it is late.
LATE_AFTER = timedelta(minutes=30)


def week_of(row: ReportRow, now: datetime) -> ReportWeek:
    """The week whose delivery is the latest at or before `now`."""
    return report_week(row.tz, row.weekday, row.at, now)


def coming_week(row: ReportRow, now: datetime) -> ReportWeek:
    """The week of the first delivery after `now`."""
    return upcoming_week(row.tz, row.weekday, row.at, now)


def labelled_week(row: ReportRow, label: str) -> ReportWeek:
    """The report's week named "2026-W49" (InvalidInput for a label that names none)."""
    year, number = parse_iso_week(label)
    return ReportWeek(row.tz, year, number, row.weekday, row.at)


def upcoming_delivery(row: ReportRow, now: datetime) -> datetime:
    return coming_week(row, now).delivery


def status_dm_at(week: ReportWeek) -> datetime:
    return week.delivery - STATUS_LEAD


def reschedule(row: ReportRow, now: datetime, *, status_dm_sent: bool = False) -> None:
    """Sets when run-due next looks at the report (None while paused)."""
    if row.paused:
        row.next_due_at = None
        return
    coming = coming_week(row, now)
    row.next_due_at = coming.delivery if status_dm_sent else max(status_dm_at(coming), now)


def deliverable(row: ReportRow, week: ReportWeek) -> bool:
    """A week is delivered only if the report existed, was not paused and had its schedule at
    its delivery time: resuming does not send the week that passed while it was paused, and
    moving the day earlier does not send the week whose new day had already passed."""
    since = [row.created_at, row.resumed_at, row.rescheduled_at]
    return week.delivery >= max(t for t in since if t is not None)

"""Hand-made histories for the weekly report's tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ceremonies.daily.queries import DailyDay
from ceremonies.retro.queries import OPEN, ActionState
from ceremonies.weekly.risks import RiskSeen
from ceremonies.weekly.week import ReportWeek

BERLIN = "Europe/Berlin"
# ISO week 2026-W49: Monday 30 November .. Friday 4 December 2026, delivery Friday 16:00.
WEEK = ReportWeek(BERLIN, 2026, 49, 4, time(16))
MON = date(2026, 11, 30)
TUE, WED, THU, FRI = (MON + timedelta(days=k) for k in range(1, 5))


def answered(user: str, day: date, blocker: str | None = None) -> DailyDay:
    return DailyDay(user, day, True, False, blocker, datetime.combine(day, time(9), UTC))


def silent(user: str, day: date) -> DailyDay:
    return DailyDay(user, day, False, False, None, None)


def skipped(user: str, day: date) -> DailyDay:
    return DailyDay(user, day, False, True, None, None)


def utc(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), UTC)


LONG_AGO = utc(date(2026, 11, 2))


def risk(
    number: int,
    p: int,
    c: int,
    *,
    opened: datetime = LONG_AGO,
    closed: datetime | None = None,
    before: tuple[int, int] | None = (1, 1),
) -> RiskSeen:
    return RiskSeen(number, f"risk {number}", p, c, None, opened, closed, before)


def action(
    action_id: int,
    chosen: datetime,
    status: str = OPEN,
    status_at: datetime | None = None,
    helped: str | None = None,
) -> ActionState:
    return ActionState(
        action_id, 1, f"action {action_id}", "UOWN", chosen, status, status_at, helped
    )

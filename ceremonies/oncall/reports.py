"""What people ask of a rotation: who is on call, the coming shifts, the past and its load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Request
from ceremonies.core.time_model import local_date
from ceremonies.oncall.fairness import Load, tally
from ceremonies.oncall.notify import require_rotation
from ceremonies.oncall.plan import Shift
from ceremonies.oncall.ports import OncallUnitOfWork, OncallUnitOfWorkFactory, RotationRow
from ceremonies.oncall.schedule import PLAN_AHEAD, load_plan, versions_of

CALENDAR_PAST = timedelta(weeks=4)
MAX_SCHEDULE = 52
MAX_HISTORY_WEEKS = 104


@dataclass(frozen=True)
class Who:
    channel_id: str
    tz: str
    now: Shift | None
    next: Shift | None


@dataclass(frozen=True)
class History:
    channel_id: str
    tz: str
    weeks: int
    shifts: list[Shift]
    loads: list[Load]


def _zone(uow: OncallUnitOfWork, rotation: RotationRow) -> str:
    return versions_of(uow, rotation)[-1].tz


def who(uow_factory: OncallUnitOfWorkFactory, request: Request) -> Who:
    with uow_factory() as uow:
        rotation = require_rotation(uow, request)
        plan_ = load_plan(uow, rotation, request.now)
        coming = plan_.after(request.now, 2)
        current = plan_.on_call_at(request.now)
        following = [s for s in coming if s is not current][:1]
        return Who(
            rotation.channel_id, _zone(uow, rotation), current, following[0] if following else None
        )


def schedule(uow_factory: OncallUnitOfWorkFactory, request: Request, count: int) -> list[Shift]:
    if not 1 <= count <= MAX_SCHEDULE:
        raise Refusal("oncall_schedule_count", limit=MAX_SCHEDULE)
    with uow_factory() as uow:
        rotation = require_rotation(uow, request)
        until = request.now + PLAN_AHEAD
        plan_ = load_plan(uow, rotation, request.now, until)
        while len(plan_.after(request.now, count)) < count and until < request.now + timedelta(
            days=800
        ):
            until += PLAN_AHEAD
            plan_ = load_plan(uow, rotation, request.now, until)
        return plan_.after(request.now, count)


def recorded(
    uow: OncallUnitOfWork, rotation: RotationRow, since: datetime, now: datetime
) -> list[Shift]:
    """The shifts as they happened, each ending where the next one began."""
    rows = uow.oncalls.shifts(rotation.id, since - timedelta(days=15), now + timedelta(seconds=1))
    shifts: list[Shift] = []
    for index, row in enumerate(rows):
        following = rows[index + 1].starts_at if index + 1 < len(rows) else None
        end = min(row.planned_end, following) if following else row.planned_end
        shifts.append(
            Shift(row.starts_at, end, row.user_id, row.reason, row.scheduled_id, row.uncovered)
        )
    return [s for s in shifts if s.end > since]


def history(uow_factory: OncallUnitOfWorkFactory, request: Request, weeks: int) -> History:
    if not 1 <= weeks <= MAX_HISTORY_WEEKS:
        raise Refusal("oncall_history_weeks", limit=MAX_HISTORY_WEEKS)
    with uow_factory() as uow:
        rotation = require_rotation(uow, request)
        tz = _zone(uow, rotation)
        since = request.now - timedelta(weeks=weeks)
        shifts = recorded(uow, rotation, since, request.now)
        # The running shift counts up to now: a day not yet reached is nobody's load yet.
        clipped = [
            Shift(max(s.start, since), min(s.end, request.now), s.user_id, s.reason) for s in shifts
        ]
        countries = {
            user: rotation.member_country.get(user) or rotation.country
            for user in {s.user_id for s in shifts}
        }
        loads = tally(
            clipped,
            tz,
            countries,
            local_date(tz, since),
            local_date(tz, request.now) + timedelta(days=1),
        )
        return History(rotation.channel_id, tz, weeks, shifts, loads)


@dataclass(frozen=True)
class Calendar:
    team_id: str
    channel_id: str
    rotation_id: int
    tz: str
    shifts: list[Shift]


def calendar(uow_factory: OncallUnitOfWorkFactory, secret: str, now: datetime) -> Calendar | None:
    """The feed's shifts: the past four weeks as they happened, the next twelve as planned."""
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation_by_secret(secret)
        if rotation is None:
            return None
        past = recorded(uow, rotation, now - CALENDAR_PAST, now)
        coming = load_plan(uow, rotation, now, now + PLAN_AHEAD).between(now, now + PLAN_AHEAD)
        if past and coming and coming[0].start < past[-1].end:
            past[-1] = Shift(past[-1].start, coming[0].start, past[-1].user_id, past[-1].reason)
            if coming[0].user_id == past[-1].user_id:
                past[-1] = Shift(past[-1].start, coming[0].end, past[-1].user_id, past[-1].reason)
                coming = coming[1:]
        return Calendar(
            rotation.team_id, rotation.channel_id, rotation.id, _zone(uow, rotation), past + coming
        )

"""The rotation's history as other ceremonies read it (ceremonies.oncall.queries.OnCallQueries).

What happened comes from the recorded shifts; the week ahead is planned by the on-call rules
themselves (the same plan `/oncall schedule` shows), so the report never guesses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ceremonies.oncall.plan import Shift
from ceremonies.oncall.ports import OncallUnitOfWork
from ceremonies.oncall.queries import OnCallHistory, RotationOfPerson, ShiftSeen
from ceremonies.oncall.reports import recorded
from ceremonies.oncall.schedule import load_plan, versions_of

NEXT_WEEK = timedelta(days=7)


class SqlOnCallQueries:
    def __init__(self, uow: OncallUnitOfWork) -> None:
        self.uow = uow

    def oncall_history(
        self, team_id: str, channel_id: str, since: datetime, until: datetime
    ) -> OnCallHistory | None:
        rotation = self.uow.oncalls.rotation_in_channel(team_id, channel_id)
        if rotation is None:
            return None
        tz = versions_of(self.uow, rotation)[-1].tz
        happened = [s for s in recorded(self.uow, rotation, since, until) if s.start < until]
        ahead = load_plan(self.uow, rotation, until, until + NEXT_WEEK + timedelta(days=1))
        planned = [s for s in ahead.shifts if s.end > until and s.start < until + NEXT_WEEK]
        return OnCallHistory(
            channel_id,
            tz,
            tuple(ShiftSeen(s.user_id, s.start, s.end, s.reason) for s in happened),
            tuple(ShiftSeen(s.user_id, s.start, s.end, s.reason) for s in planned),
        )

    def rotations_of(
        self, team_id: str, user_id: str, at: datetime
    ) -> tuple[RotationOfPerson, ...]:
        found = []
        for rotation in self.uow.oncalls.rotations_of(team_id, user_id):
            latest = versions_of(self.uow, rotation)[-1]
            if user_id not in latest.members:
                continue
            plan_ = load_plan(self.uow, rotation, at)
            current = plan_.on_call_at(at)
            coming = [s for s in plan_.after(at, 2) if s is not current][:1]
            mine = next((s for s in plan_.shifts if s.end > at and s.user_id == user_id), None)
            found.append(
                RotationOfPerson(
                    channel_id=rotation.channel_id,
                    tz=latest.tz,
                    now=_seen(current),
                    following=_seen(coming[0] if coming else None),
                    mine=_seen(mine),
                )
            )
        return tuple(sorted(found, key=lambda r: r.channel_id))


def _seen(shift: Shift | None) -> ShiftSeen | None:
    return ShiftSeen(shift.user_id, shift.start, shift.end, shift.reason) if shift else None

"""The rotation's history as other ceremonies read it (ceremonies.oncall.queries.OnCallQueries).

What happened comes from the recorded shifts; the week ahead is planned by the on-call rules
themselves (the same plan `/oncall schedule` shows), so the report never guesses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ceremonies.oncall.ports import OncallUnitOfWork
from ceremonies.oncall.queries import OnCallHistory, ShiftSeen
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

"""The weekly reports as other ceremonies read them (ceremonies.weekly.queries)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceremonies.weekly.queries import ReportOfPerson
from storage.weekly.models import WeeklyReportRow, WeeklySourceRow


class SqlWeeklyQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def reports_of(self, team_id: str, user_id: str) -> tuple[ReportOfPerson, ...]:
        # Few reports per workspace: the recipients list is read in Python, as on-call's
        # member map is, rather than by a JSON query that differs between the engines.
        reports = [
            r
            for r in self.session.scalars(
                select(WeeklyReportRow).where(WeeklyReportRow.team_id == team_id)
            )
            if r.owner_id == user_id or user_id in (r.recipients or [])
        ]
        if not reports:
            return ()
        sources: dict[int, list[str]] = {}
        for source in self.session.scalars(
            select(WeeklySourceRow)
            .where(WeeklySourceRow.report_id.in_([r.id for r in reports]))
            .order_by(WeeklySourceRow.id)
        ):
            sources.setdefault(source.report_id, []).append(source.channel_id)
        found = [
            ReportOfPerson(
                channel_id=r.channel_id,
                weekday=r.weekday,
                at=r.at,
                tz=r.tz,
                next_due_at=r.next_due_at,
                paused=r.paused,
                owner=r.owner_id == user_id,
                recipient=user_id in (r.recipients or []),
                sources=tuple(sources.get(r.id, ())),
            )
            for r in reports
        ]
        never = datetime.max.replace(tzinfo=UTC)
        found.sort(key=lambda r: (r.paused, r.next_due_at or never, r.channel_id))
        return tuple(found)

"""SQL reads and writes behind the weekly report (ceremonies.weekly.ports.WeeklyStore)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.store_base import SqlStore
from storage.weekly.models import (
    WeeklyAckRow,
    WeeklyDeliveryRow,
    WeeklyReportRow,
    WeeklyRiskLevelRow,
    WeeklyRiskRow,
    WeeklySourceRow,
    WeeklyStatusRow,
)
from storage.workspaces import active


class SqlWeeklyStore(SqlStore):
    # reports and their sources
    def report(self, report_id: int) -> WeeklyReportRow | None:
        return self.session.get(WeeklyReportRow, report_id)

    def report_in_channel(self, team_id: str, channel_id: str) -> WeeklyReportRow | None:
        return self.session.scalar(
            select(WeeklyReportRow).where(
                WeeklyReportRow.team_id == team_id, WeeklyReportRow.channel_id == channel_id
            )
        )

    def reports_in_channel(self, channel_id: str) -> list[WeeklyReportRow]:
        return list(
            self.session.scalars(
                select(WeeklyReportRow)
                .where(WeeklyReportRow.channel_id == channel_id)
                .order_by(WeeklyReportRow.id)
            )
        )

    def reports_of(self, team_id: str) -> list[WeeklyReportRow]:
        return list(
            self.session.scalars(
                select(WeeklyReportRow)
                .where(WeeklyReportRow.team_id == team_id)
                .order_by(WeeklyReportRow.id)
            )
        )

    def add_report(self, **fields: Any) -> WeeklyReportRow:
        return self._insert(WeeklyReportRow(**fields))

    def due_report_ids(self, now: datetime, limit: int) -> list[int]:
        return list(
            self.session.scalars(
                select(WeeklyReportRow.id)
                .where(WeeklyReportRow.next_due_at <= now, active(WeeklyReportRow.team_id))
                .order_by(WeeklyReportRow.next_due_at)
                .limit(limit)
            )
        )

    def sources(self, report_id: int) -> list[str]:
        return list(
            self.session.scalars(
                select(WeeklySourceRow.channel_id)
                .where(WeeklySourceRow.report_id == report_id)
                .order_by(WeeklySourceRow.id)
            )
        )

    def add_source(self, report_id: int, channel_id: str, now: datetime) -> WeeklySourceRow:
        return self._insert(
            WeeklySourceRow(report_id=report_id, channel_id=channel_id, added_at=now)
        )

    def remove_source(self, report_id: int, channel_id: str) -> bool:
        row = self.session.scalar(
            select(WeeklySourceRow).where(
                WeeklySourceRow.report_id == report_id, WeeklySourceRow.channel_id == channel_id
            )
        )
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    # the risk register
    def risks(self, report_id: int) -> list[WeeklyRiskRow]:
        return list(
            self.session.scalars(
                select(WeeklyRiskRow)
                .where(WeeklyRiskRow.report_id == report_id)
                .order_by(WeeklyRiskRow.number)
            )
        )

    def risk(self, report_id: int, number: int) -> WeeklyRiskRow | None:
        return self.session.scalar(
            select(WeeklyRiskRow).where(
                WeeklyRiskRow.report_id == report_id, WeeklyRiskRow.number == number
            )
        )

    def risk_by_request(self, request_key: str) -> WeeklyRiskRow | None:
        return self.session.scalar(
            select(WeeklyRiskRow).where(WeeklyRiskRow.request_key == request_key)
        )

    def next_risk_number(self, report_id: int) -> int:
        highest = self.session.scalar(
            select(func.max(WeeklyRiskRow.number)).where(WeeklyRiskRow.report_id == report_id)
        )
        return (highest or 0) + 1

    def add_risk(self, **fields: Any) -> WeeklyRiskRow:
        return self._insert(WeeklyRiskRow(**fields))

    def add_risk_level(self, risk_id: int, p: int, c: int, since: datetime) -> None:
        self._insert(WeeklyRiskLevelRow(risk_id=risk_id, p=p, c=c, since=since))

    def risk_levels(self, report_id: int) -> list[WeeklyRiskLevelRow]:
        return list(
            self.session.scalars(
                select(WeeklyRiskLevelRow)
                .join(WeeklyRiskRow, WeeklyRiskRow.id == WeeklyRiskLevelRow.risk_id)
                .where(WeeklyRiskRow.report_id == report_id)
                .order_by(WeeklyRiskLevelRow.since, WeeklyRiskLevelRow.id)
            )
        )

    # the owner's statuses
    def status(self, report_id: int, week: str) -> WeeklyStatusRow | None:
        return self.session.scalar(
            select(WeeklyStatusRow).where(
                WeeklyStatusRow.report_id == report_id, WeeklyStatusRow.week == week
            )
        )

    def add_status(self, **fields: Any) -> WeeklyStatusRow:
        return self._insert(WeeklyStatusRow(**fields))

    # deliveries and acknowledgements
    def delivery(self, delivery_id: int) -> WeeklyDeliveryRow | None:
        return self.session.get(WeeklyDeliveryRow, delivery_id)

    def delivery_of(self, report_id: int, week: str, kind: str) -> WeeklyDeliveryRow | None:
        return self.session.scalar(
            select(WeeklyDeliveryRow).where(
                WeeklyDeliveryRow.report_id == report_id,
                WeeklyDeliveryRow.week == week,
                WeeklyDeliveryRow.kind == kind,
            )
        )

    def deliveries(self, report_id: int, kind: str) -> list[WeeklyDeliveryRow]:
        return list(
            self.session.scalars(
                select(WeeklyDeliveryRow)
                .where(WeeklyDeliveryRow.report_id == report_id, WeeklyDeliveryRow.kind == kind)
                .order_by(WeeklyDeliveryRow.week)
            )
        )

    def add_delivery(self, **fields: Any) -> WeeklyDeliveryRow:
        return self._insert(WeeklyDeliveryRow(**fields))

    def acks(self, delivery_id: int) -> list[WeeklyAckRow]:
        return list(
            self.session.scalars(
                select(WeeklyAckRow)
                .where(WeeklyAckRow.delivery_id == delivery_id)
                .order_by(WeeklyAckRow.acked_at, WeeklyAckRow.id)
            )
        )

    def add_ack(self, **fields: Any) -> WeeklyAckRow:
        return self._insert(WeeklyAckRow(**fields))

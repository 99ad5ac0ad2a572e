"""What the weekly report needs from storage: its rows, its store, and the others' history."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Protocol

from ceremonies.core.ports import PeopleStore, UnitOfWork, UnitOfWorkFactory
from ceremonies.daily.queries import DailyQueries
from ceremonies.oncall.queries import OnCallQueries
from ceremonies.retro.queries import RetroQueries


class ReportRow(Protocol):
    id: int
    team_id: str
    channel_id: str
    owner_id: str
    tz: str
    weekday: int
    at: time
    recipients: list[str]
    paused: bool
    next_due_at: datetime | None
    broken_told: list[str]
    created_at: datetime
    resumed_at: datetime | None
    rescheduled_at: datetime | None


class RiskRow(Protocol):
    id: int
    report_id: int
    number: int
    text: str
    p: int
    c: int
    owner_id: str | None
    created_by: str
    opened_at: datetime
    closed_at: datetime | None


class RiskLevelRow(Protocol):
    risk_id: int
    p: int
    c: int
    since: datetime


class StatusRow(Protocol):
    status: str
    highlights: str
    plans: str
    decisions: str
    submitted_by: str
    submitted_at: datetime


class DeliveryRow(Protocol):
    id: int
    team_id: str
    report_id: int
    week: str
    kind: str
    claimed_at: datetime
    sent_at: datetime | None
    channel_id: str | None
    ts: str | None
    late: bool
    content: dict[str, Any] | None


class AckRow(Protocol):
    decision: int
    user_id: str
    acked_at: datetime


class WeeklyStore(Protocol):
    def report(self, report_id: int) -> ReportRow | None: ...
    def report_in_channel(self, team_id: str, channel_id: str) -> ReportRow | None: ...
    def reports_of(self, team_id: str) -> list[ReportRow]: ...
    def reports_in_channel(self, channel_id: str) -> list[ReportRow]: ...
    def add_report(self, **fields: Any) -> ReportRow: ...
    def due_report_ids(self, now: datetime, limit: int) -> list[int]: ...
    def sources(self, report_id: int) -> list[str]: ...
    def add_source(self, report_id: int, channel_id: str, now: datetime) -> object: ...
    def remove_source(self, report_id: int, channel_id: str) -> bool: ...
    def risks(self, report_id: int) -> list[RiskRow]: ...
    def risk(self, report_id: int, number: int) -> RiskRow | None: ...
    def risk_by_request(self, request_key: str) -> RiskRow | None: ...
    def next_risk_number(self, report_id: int) -> int: ...
    def add_risk(self, **fields: Any) -> RiskRow: ...
    def add_risk_level(self, risk_id: int, p: int, c: int, since: datetime) -> None: ...
    def risk_levels(self, report_id: int) -> list[RiskLevelRow]: ...
    def status(self, report_id: int, week: str) -> StatusRow | None: ...
    def add_status(self, **fields: Any) -> StatusRow: ...
    def delivery(self, delivery_id: int) -> DeliveryRow | None: ...
    def delivery_of(self, report_id: int, week: str, kind: str) -> DeliveryRow | None: ...
    def deliveries(self, report_id: int, kind: str) -> list[DeliveryRow]: ...
    def add_delivery(self, **fields: Any) -> DeliveryRow: ...
    def acks(self, delivery_id: int) -> list[AckRow]: ...
    def add_ack(self, **fields: Any) -> AckRow: ...
    def compare_and_set(
        self, row: Any, expected: dict[str, Any], changes: dict[str, Any]
    ) -> bool: ...


class WeeklyUnitOfWork(UnitOfWork, Protocol):
    weeklies: WeeklyStore
    people: PeopleStore
    daily_history: DailyQueries
    retro_history: RetroQueries
    oncall_history: OnCallQueries


WeeklyUnitOfWorkFactory = UnitOfWorkFactory[WeeklyUnitOfWork]

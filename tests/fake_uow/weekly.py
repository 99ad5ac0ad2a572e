"""In-memory weekly reports: the rows of storage/weekly/models.py and SqlWeeklyStore's queries.

Also the other ceremonies' history as the weekly report reads it (the query ports of
ceremonies/{daily,retro,oncall}/queries.py), over the fake rows, as storage/*/queries.py
reads it over SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from ceremonies.daily.queries import DailyDay, DailyHistory, blocker_of
from ceremonies.daily.rules import ANSWERED, SKIPPED, blocker_position
from ceremonies.retro.queries import OPEN, ActionState, RetroHeld, RetroHistory
from storage.oncall.queries import SqlOnCallQueries
from tests.fake_uow.core import FakeStore, Row, Transaction, at_or_before
from tests.fake_uow.daily import Answer, Daily, Participant, Prompt
from tests.fake_uow.retro import Retro, RetroAction, RetroItem


class PerRow:
    """A default made afresh for each row, as SQL's callable `default=list` is.

    It stands as the dataclass field's default (a list may not) and equals the SQL column's
    default, which SQLAlchemy wraps around the same callable; each new row gets `make()`.
    """

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def __eq__(self, other: object) -> bool:
        return getattr(other, "__wrapped__", other) is self.make

    def __hash__(self) -> int:
        return hash(self.make)

    def __repr__(self) -> str:
        return f"PerRow({self.make.__name__})"


@dataclass(kw_only=True, eq=False)
class WeeklyReportRow(Row):
    UNIQUE = (("team_id", "channel_id"),)
    team_id: str
    channel_id: str
    owner_id: str
    tz: str
    weekday: int
    at: time
    recipients: list[str]
    paused: bool = False
    next_due_at: datetime | None = None
    broken_told: list[str] = PerRow(list)  # type: ignore[assignment]  # noqa: RUF009
    created_at: datetime
    resumed_at: datetime | None = None
    rescheduled_at: datetime | None = None

    def __post_init__(self) -> None:
        if isinstance(self.broken_told, PerRow):
            self.broken_told = self.broken_told.make()


@dataclass(kw_only=True, eq=False)
class WeeklySourceRow(Row):
    UNIQUE = (("report_id", "channel_id"),)
    FOREIGN = (("report_id", "WeeklyReportRow"),)
    report_id: int
    channel_id: str
    added_at: datetime


@dataclass(kw_only=True, eq=False)
class WeeklyRiskRow(Row):
    UNIQUE = (("report_id", "number"), ("request_key",))
    FOREIGN = (("report_id", "WeeklyReportRow"),)
    team_id: str
    report_id: int
    number: int
    text: str
    p: int
    c: int
    owner_id: str | None = None
    created_by: str
    request_key: str | None = None
    opened_at: datetime
    closed_at: datetime | None = None


@dataclass(kw_only=True, eq=False)
class WeeklyRiskLevelRow(Row):
    FOREIGN = (("risk_id", "WeeklyRiskRow"),)
    risk_id: int
    p: int
    c: int
    since: datetime


@dataclass(kw_only=True, eq=False)
class WeeklyStatusRow(Row):
    UNIQUE = (("report_id", "week"),)
    FOREIGN = (("report_id", "WeeklyReportRow"),)
    report_id: int
    week: str
    status: str
    highlights: str
    plans: str
    decisions: str
    submitted_by: str
    submitted_at: datetime


@dataclass(kw_only=True, eq=False)
class WeeklyDeliveryRow(Row):
    UNIQUE = (("report_id", "week", "kind"),)
    FOREIGN = (("report_id", "WeeklyReportRow"),)
    team_id: str
    report_id: int
    week: str
    kind: str
    claimed_at: datetime
    sent_at: datetime | None = None
    channel_id: str | None = None
    ts: str | None = None
    late: bool = False
    content: dict[str, Any] | None = None


@dataclass(kw_only=True, eq=False)
class WeeklyAckRow(Row):
    UNIQUE = (("delivery_id", "decision", "user_id"),)
    FOREIGN = (("delivery_id", "WeeklyDeliveryRow"),)
    delivery_id: int
    decision: int
    user_id: str
    acked_at: datetime


class FakeWeeklyStore(FakeStore):
    # reports and their sources
    def report(self, report_id: int) -> WeeklyReportRow | None:
        return self._tx.get(WeeklyReportRow, report_id)

    def report_in_channel(self, team_id: str, channel_id: str) -> WeeklyReportRow | None:
        return self._tx.first(
            WeeklyReportRow, lambda r: (r.team_id, r.channel_id) == (team_id, channel_id)
        )

    def reports_in_channel(self, channel_id: str) -> list[WeeklyReportRow]:
        return self._tx.rows(WeeklyReportRow, lambda r: r.channel_id == channel_id)

    def reports_of(self, team_id: str) -> list[WeeklyReportRow]:
        return self._tx.rows(WeeklyReportRow, lambda r: r.team_id == team_id)

    def add_report(self, **fields: Any) -> WeeklyReportRow:
        return self._tx.insert(WeeklyReportRow(**fields))

    def due_report_ids(self, now: datetime, limit: int) -> list[int]:
        due = self._tx.rows(WeeklyReportRow, lambda r: at_or_before(r.next_due_at, now))
        due.sort(key=lambda r: (r.next_due_at, r.id))
        return [r.id for r in due[:limit]]

    def sources(self, report_id: int) -> list[str]:
        return [s.channel_id for s in self._tx.rows(WeeklySourceRow, _of_report(report_id))]

    def add_source(self, report_id: int, channel_id: str, now: datetime) -> WeeklySourceRow:
        return self._tx.insert(
            WeeklySourceRow(report_id=report_id, channel_id=channel_id, added_at=now)
        )

    def remove_source(self, report_id: int, channel_id: str) -> bool:
        row = self._tx.first(
            WeeklySourceRow, lambda s: (s.report_id, s.channel_id) == (report_id, channel_id)
        )
        if row is None:
            return False
        self._tx.delete(row)
        return True

    # the risk register
    def risks(self, report_id: int) -> list[WeeklyRiskRow]:
        return sorted(self._tx.rows(WeeklyRiskRow, _of_report(report_id)), key=lambda r: r.number)

    def risk(self, report_id: int, number: int) -> WeeklyRiskRow | None:
        return self._tx.first(
            WeeklyRiskRow, lambda r: (r.report_id, r.number) == (report_id, number)
        )

    def risk_by_request(self, request_key: str) -> WeeklyRiskRow | None:
        return self._tx.first(WeeklyRiskRow, lambda r: r.request_key == request_key)

    def next_risk_number(self, report_id: int) -> int:
        numbers = [r.number for r in self._tx.rows(WeeklyRiskRow, _of_report(report_id))]
        return max(numbers, default=0) + 1

    def add_risk(self, **fields: Any) -> WeeklyRiskRow:
        return self._tx.insert(WeeklyRiskRow(**fields))

    def add_risk_level(self, risk_id: int, p: int, c: int, since: datetime) -> None:
        self._tx.insert(WeeklyRiskLevelRow(risk_id=risk_id, p=p, c=c, since=since))

    def risk_levels(self, report_id: int) -> list[WeeklyRiskLevelRow]:
        risks = {r.id for r in self._tx.rows(WeeklyRiskRow, _of_report(report_id))}
        found = self._tx.rows(WeeklyRiskLevelRow, lambda level: level.risk_id in risks)
        return sorted(found, key=lambda level: (level.since, level.id))

    # the owner's statuses
    def status(self, report_id: int, week: str) -> WeeklyStatusRow | None:
        return self._tx.first(WeeklyStatusRow, lambda s: (s.report_id, s.week) == (report_id, week))

    def add_status(self, **fields: Any) -> WeeklyStatusRow:
        return self._tx.insert(WeeklyStatusRow(**fields))

    # deliveries and acknowledgements
    def delivery(self, delivery_id: int) -> WeeklyDeliveryRow | None:
        return self._tx.get(WeeklyDeliveryRow, delivery_id)

    def delivery_of(self, report_id: int, week: str, kind: str) -> WeeklyDeliveryRow | None:
        key = (report_id, week, kind)
        return self._tx.first(WeeklyDeliveryRow, lambda d: (d.report_id, d.week, d.kind) == key)

    def deliveries(self, report_id: int, kind: str) -> list[WeeklyDeliveryRow]:
        found = self._tx.rows(
            WeeklyDeliveryRow, lambda d: (d.report_id, d.kind) == (report_id, kind)
        )
        return sorted(found, key=lambda d: d.week)

    def add_delivery(self, **fields: Any) -> WeeklyDeliveryRow:
        return self._tx.insert(WeeklyDeliveryRow(**fields))

    def acks(self, delivery_id: int) -> list[WeeklyAckRow]:
        found = self._tx.rows(WeeklyAckRow, lambda a: a.delivery_id == delivery_id)
        return sorted(found, key=lambda a: (a.acked_at, a.id))

    def add_ack(self, **fields: Any) -> WeeklyAckRow:
        return self._tx.insert(WeeklyAckRow(**fields))


def _of_report(report_id: int) -> Callable[[Any], bool]:
    return lambda row: row.report_id == report_id


# The other ceremonies' history, as storage/{daily,retro,oncall}/queries.py read it.


class FakeDailyQueries:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def daily_history(
        self, team_id: str, channel_id: str, first: date, last: date
    ) -> DailyHistory | None:
        daily = self._tx.first(Daily, lambda d: (d.team_id, d.channel_id) == (team_id, channel_id))
        if daily is None:
            return None
        participants = tuple(
            p.user_id
            for p in self._tx.rows(Participant, lambda p: p.daily_id == daily.id and p.active)
        )
        prompts = self._tx.rows(
            Prompt, lambda p: p.daily_id == daily.id and first <= p.local_date <= last
        )
        prompts.sort(key=lambda p: (p.local_date, p.user_id))
        ids = {p.id for p in prompts}
        answers = {
            (a.prompt_id, a.position): a.text
            for a in self._tx.rows(Answer, lambda a: a.prompt_id in ids)
        }
        days = tuple(
            DailyDay(
                user_id=p.user_id,
                local_date=p.local_date,
                answered=p.status == ANSWERED,
                skipped=p.status == SKIPPED,
                blocker=blocker_of(answers.get((p.id, blocker_position(p.questions))))
                if p.status == ANSWERED
                else None,
                answered_at=p.answered_at,
            )
            for p in prompts
        )
        return DailyHistory(channel_id, participants, days)


class FakeRetroQueries:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def retro_history(
        self, team_id: str, channel_id: str, since: datetime, until: datetime
    ) -> RetroHistory | None:
        in_channel = {
            r.id: r
            for r in self._tx.rows(
                Retro, lambda r: (r.team_id, r.channel_id) == (team_id, channel_id)
            )
        }
        if not in_channel:
            return None
        held = sorted(
            (r for r in in_channel.values() if since <= r.created_at <= until),
            key=lambda r: r.created_at,
        )
        retros = tuple(RetroHeld(r.id, r.title, r.created_at, r.closed_at) for r in held)
        found = []
        for action in self._tx.rows(RetroAction, lambda a: a.retro_id in in_channel):
            retro, item = in_channel[action.retro_id], self._tx.get(RetroItem, action.item_id)
            if (
                item is None
                or action.status == "proposed"  # still being chosen: not an action yet
                or not retro.created_at <= until
                or not (action.status == OPEN or action.updated_at >= since)
            ):
                continue
            found.append((retro.created_at, action.position, action, item.text))
        found.sort(key=lambda f: (f[0], f[1]))
        actions = tuple(
            ActionState(
                action_id=action.id,
                retro_id=action.retro_id,
                text=text,
                owner_id=action.owner_id,
                chosen_at=held_at,
                status=action.status,
                status_at=None if action.status == OPEN else action.updated_at,
                helped=action.helped,
            )
            for held_at, _position, action, text in found
        )
        return RetroHistory(retros, actions)


# SqlOnCallQueries reads only through the on-call unit of work, so it serves the fake as is.
FakeOnCallQueries = SqlOnCallQueries

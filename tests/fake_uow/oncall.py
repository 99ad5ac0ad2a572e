"""In-memory on-call rotations: the rows of storage/oncall/models.py, SqlOncallStore's queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from tests.fake_uow.core import FakeStore, Row, at_or_before, before


@dataclass(kw_only=True, eq=False)
class Rotation(Row):
    UNIQUE = (("team_id", "channel_id"), ("calendar_secret",))
    team_id: str
    channel_id: str
    owner_id: str
    country: str | None = None
    member_tz: dict[str, str]
    member_country: dict[str, str]
    usergroup_id: str | None = None
    usergroup_handle: str | None = None
    calendar_secret: str
    next_due_at: datetime | None = None
    created_at: datetime


@dataclass(kw_only=True, eq=False)
class RotationVersionRow(Row):
    UNIQUE = (("rotation_id", "effective_from"),)
    FOREIGN = (("rotation_id", "Rotation"),)
    rotation_id: int
    effective_from: datetime
    members: list[str]
    shift: str
    handoff_day: int
    handoff_time: time
    tz: str
    restart: bool = False
    created_by: str
    created_at: datetime


@dataclass(kw_only=True, eq=False)
class Window(Row):
    UNIQUE = (("request_key",),)
    FOREIGN = (("rotation_id", "Rotation"),)
    rotation_id: int
    starts_at: datetime
    ends_at: datetime
    user_id: str
    reason: str
    created_by: str
    created_at: datetime
    request_key: str | None = None


@dataclass(kw_only=True, eq=False)
class Swap(Row):
    UNIQUE = (("request_key",),)
    FOREIGN = (("rotation_id", "Rotation"),)
    rotation_id: int
    requester_id: str
    partner_id: str
    first_start: datetime
    second_start: datetime
    status: str
    created_at: datetime
    answered_at: datetime | None = None
    request_key: str | None = None


@dataclass(kw_only=True, eq=False)
class Cover(Row):
    UNIQUE = (("request_key",),)
    FOREIGN = (("rotation_id", "Rotation"),)
    rotation_id: int
    requester_id: str
    asked_by: str
    starts_at: datetime
    ends_at: datetime
    taker_id: str | None = None
    taken_at: datetime | None = None
    created_at: datetime
    request_key: str | None = None


@dataclass(kw_only=True, eq=False)
class TurnTaken(Row):
    UNIQUE = (("rotation_id", "starts_at"),)
    FOREIGN = (("rotation_id", "Rotation"),)
    rotation_id: int
    starts_at: datetime
    user_id: str
    taken_by: str
    reason: str
    after: dict[str, Any]
    recorded_at: datetime


@dataclass(kw_only=True, eq=False)
class ShiftRow(Row):
    UNIQUE = (("rotation_id", "starts_at"),)
    FOREIGN = (("rotation_id", "Rotation"),)
    team_id: str
    rotation_id: int
    starts_at: datetime
    planned_end: datetime
    user_id: str
    reason: str
    scheduled_id: str
    previous_user_id: str | None = None
    uncovered: bool = False
    late: bool = False
    claimed_at: datetime
    announced_at: datetime | None = None
    channel_ts: str | None = None
    failure: str | None = None


@dataclass(kw_only=True, eq=False)
class Notice(Row):
    UNIQUE = (("rotation_id", "key"),)
    FOREIGN = (("rotation_id", "Rotation"),)
    rotation_id: int
    key: str
    user_id: str
    context: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None = None


@dataclass(kw_only=True, eq=False)
class Note(Row):
    UNIQUE = (("request_key",),)
    FOREIGN = (("rotation_id", "Rotation"),)
    rotation_id: int
    shift_start: datetime
    user_id: str
    text: str
    created_at: datetime
    request_key: str | None = None


class FakeOncallStore(FakeStore):
    # rotations and their versions
    def rotation(self, rotation_id: int) -> Rotation | None:
        return self._tx.get(Rotation, rotation_id)

    def rotation_in_channel(self, team_id: str, channel_id: str) -> Rotation | None:
        return self._tx.first(
            Rotation, lambda r: (r.team_id, r.channel_id) == (team_id, channel_id)
        )

    def rotation_by_secret(self, secret: str) -> Rotation | None:
        return self._tx.first(Rotation, lambda r: r.calendar_secret == secret)

    def rotations_of(self, team_id: str, user_id: str) -> list[Rotation]:
        return self._tx.rows(Rotation, lambda r: r.team_id == team_id and user_id in r.member_tz)

    def add_rotation(self, **fields: Any) -> Rotation:
        return self._tx.insert(Rotation(**fields))

    def due_rotation_ids(self, now: datetime, limit: int) -> list[int]:
        due = self._tx.rows(Rotation, lambda r: at_or_before(r.next_due_at, now))
        due.sort(key=lambda r: (r.next_due_at, r.id))
        return [r.id for r in due[:limit]]

    def versions(self, rotation_id: int) -> list[RotationVersionRow]:
        found = self._tx.rows(RotationVersionRow, lambda v: v.rotation_id == rotation_id)
        return sorted(found, key=lambda v: v.effective_from)

    def add_version(self, **fields: Any) -> RotationVersionRow:
        return self._tx.insert(RotationVersionRow(**fields))

    # what changes the schedule
    def windows(self, rotation_id: int) -> list[Window]:
        return self._tx.rows(Window, lambda w: w.rotation_id == rotation_id)

    def add_window(self, **fields: Any) -> Window:
        return self._tx.insert(Window(**fields))

    def swap(self, swap_id: int) -> Swap | None:
        return self._tx.get(Swap, swap_id)

    def swaps(self, rotation_id: int, status: str) -> list[Swap]:
        found = self._tx.rows(Swap, lambda s: (s.rotation_id, s.status) == (rotation_id, status))
        # ORDER BY answered_at, id; NULLs first, as SQLite sorts them.
        return sorted(
            found, key=lambda s: (0, s.id) if s.answered_at is None else (1, s.answered_at, s.id)
        )

    def add_swap(self, **fields: Any) -> Swap:
        return self._tx.insert(Swap(**fields))

    def cover(self, cover_id: int) -> Cover | None:
        return self._tx.get(Cover, cover_id)

    def add_cover(self, **fields: Any) -> Cover:
        return self._tx.insert(Cover(**fields))

    # what happened
    def latest_turn(self, rotation_id: int, not_after: datetime) -> TurnTaken | None:
        found = self._tx.rows(
            TurnTaken,
            lambda t: t.rotation_id == rotation_id and at_or_before(t.starts_at, not_after),
        )
        return max(found, key=lambda t: t.starts_at, default=None)

    def add_turn(self, **fields: Any) -> TurnTaken:
        return self._tx.insert(TurnTaken(**fields))

    def turns_at(self, rotation_id: int, starts: list[datetime]) -> list[TurnTaken]:
        wanted = set(starts)
        return self._tx.rows(
            TurnTaken, lambda t: t.rotation_id == rotation_id and t.starts_at in wanted
        )

    def shifts(self, rotation_id: int, since: datetime, until: datetime) -> list[ShiftRow]:
        found = self._tx.rows(
            ShiftRow,
            lambda s: s.rotation_id == rotation_id and since <= s.starts_at < until,
        )
        return sorted(found, key=lambda s: s.starts_at)

    def latest_shift(self, rotation_id: int, not_after: datetime) -> ShiftRow | None:
        found = self._tx.rows(
            ShiftRow,
            lambda s: s.rotation_id == rotation_id and at_or_before(s.starts_at, not_after),
        )
        return max(found, key=lambda s: s.starts_at, default=None)

    def unannounced_shifts(self, rotation_id: int, claimed_before: datetime) -> list[ShiftRow]:
        found = self._tx.rows(
            ShiftRow,
            lambda s: (
                s.rotation_id == rotation_id
                and s.announced_at is None
                and before(s.claimed_at, claimed_before)
            ),
        )
        return sorted(found, key=lambda s: s.starts_at)

    def unannounced_shifts_by_id(self, shift_id: int) -> list[ShiftRow]:
        row = self._tx.get(ShiftRow, shift_id)
        return [row] if row is not None and row.announced_at is None else []

    def add_shift(self, **fields: Any) -> ShiftRow:
        return self._tx.insert(ShiftRow(**fields))

    def notice(self, rotation_id: int, key: str) -> Notice | None:
        return self._tx.first(Notice, lambda n: (n.rotation_id, n.key) == (rotation_id, key))

    def add_notice(self, **fields: Any) -> Notice:
        return self._tx.insert(Notice(**fields))

    def unsent_notices(self, rotation_id: int) -> list[Notice]:
        return self._tx.rows(Notice, lambda n: n.rotation_id == rotation_id and n.sent_at is None)

    def notes(self, rotation_id: int, shift_start: datetime) -> list[Note]:
        return self._tx.rows(
            Note, lambda n: n.rotation_id == rotation_id and n.shift_start == shift_start
        )

    def add_note(self, **fields: Any) -> Note:
        return self._tx.insert(Note(**fields))

"""What the on-call rules need from storage: its rows and its store, inside a unit of work."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Protocol

from ceremonies.core.ports import UnitOfWork, UnitOfWorkFactory


class RotationRow(Protocol):
    id: int
    team_id: str
    channel_id: str
    owner_id: str
    country: str | None
    member_tz: dict[str, str]
    member_country: dict[str, str]
    usergroup_id: str | None
    usergroup_handle: str | None
    calendar_secret: str
    next_due_at: datetime | None
    created_at: datetime


class VersionRow(Protocol):
    id: int
    rotation_id: int
    effective_from: datetime
    members: list[str]
    shift: str
    handoff_day: int
    handoff_time: time
    tz: str
    restart: bool


class WindowRow(Protocol):
    id: int
    rotation_id: int
    starts_at: datetime
    ends_at: datetime
    user_id: str
    reason: str
    created_by: str


class SwapRow(Protocol):
    id: int
    rotation_id: int
    requester_id: str
    partner_id: str
    first_start: datetime
    second_start: datetime
    status: str
    answered_at: datetime | None


class CoverRow(Protocol):
    id: int
    rotation_id: int
    requester_id: str
    asked_by: str
    starts_at: datetime
    ends_at: datetime
    taker_id: str | None
    taken_at: datetime | None


class TurnRow(Protocol):
    rotation_id: int
    starts_at: datetime
    user_id: str
    taken_by: str
    reason: str
    after: dict[str, Any]


class ShiftRow(Protocol):
    id: int
    team_id: str
    rotation_id: int
    starts_at: datetime
    planned_end: datetime
    user_id: str
    reason: str
    scheduled_id: str
    previous_user_id: str | None
    uncovered: bool
    late: bool
    claimed_at: datetime
    announced_at: datetime | None
    channel_ts: str | None
    failure: str | None


class NoticeRow(Protocol):
    id: int
    rotation_id: int
    key: str
    user_id: str
    context: dict[str, Any]
    sent_at: datetime | None


class NoteRow(Protocol):
    id: int
    rotation_id: int
    shift_start: datetime
    user_id: str
    text: str
    created_at: datetime


class OncallStore(Protocol):
    def rotation(self, rotation_id: int) -> RotationRow | None: ...
    def rotation_in_channel(self, team_id: str, channel_id: str) -> RotationRow | None: ...
    def rotation_by_secret(self, secret: str) -> RotationRow | None: ...
    def rotations_of(self, team_id: str, user_id: str) -> list[RotationRow]: ...
    def add_rotation(self, **fields: Any) -> RotationRow: ...
    def due_rotation_ids(self, now: datetime, limit: int) -> list[int]: ...

    def versions(self, rotation_id: int) -> list[VersionRow]: ...
    def add_version(self, **fields: Any) -> VersionRow: ...

    def windows(self, rotation_id: int) -> list[WindowRow]: ...
    def add_window(self, **fields: Any) -> WindowRow: ...

    def swap(self, swap_id: int) -> SwapRow | None: ...
    def swaps(self, rotation_id: int, status: str) -> list[SwapRow]: ...
    def add_swap(self, **fields: Any) -> SwapRow: ...

    def cover(self, cover_id: int) -> CoverRow | None: ...
    def add_cover(self, **fields: Any) -> CoverRow: ...

    def latest_turn(self, rotation_id: int, not_after: datetime) -> TurnRow | None: ...
    def add_turn(self, **fields: Any) -> TurnRow: ...
    def turns_at(self, rotation_id: int, starts: list[datetime]) -> list[TurnRow]: ...

    def shifts(self, rotation_id: int, since: datetime, until: datetime) -> list[ShiftRow]: ...
    def latest_shift(self, rotation_id: int, not_after: datetime) -> ShiftRow | None: ...
    def unannounced_shifts(self, rotation_id: int, claimed_before: datetime) -> list[ShiftRow]: ...
    def unannounced_shifts_by_id(self, shift_id: int) -> list[ShiftRow]: ...
    def add_shift(self, **fields: Any) -> ShiftRow: ...

    def notice(self, rotation_id: int, key: str) -> NoticeRow | None: ...
    def add_notice(self, **fields: Any) -> NoticeRow: ...
    def unsent_notices(self, rotation_id: int) -> list[NoticeRow]: ...

    def notes(self, rotation_id: int, shift_start: datetime) -> list[NoteRow]: ...
    def add_note(self, **fields: Any) -> NoteRow: ...

    def compare_and_set(self, row: Any, expected: dict[str, Any], changes: dict[str, Any]) -> bool:
        """Changes `row` only if its stored columns still hold `expected` (an atomic claim)."""
        ...


class OncallUnitOfWork(UnitOfWork, Protocol):
    oncalls: OncallStore


OncallUnitOfWorkFactory = UnitOfWorkFactory[OncallUnitOfWork]

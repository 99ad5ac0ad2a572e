"""SQL reads and writes behind the on-call rules (ceremonies.oncall.ports.OncallStore)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.oncall.models import (
    Cover,
    Note,
    Notice,
    Rotation,
    RotationVersionRow,
    ShiftRow,
    Swap,
    TurnTaken,
    Window,
)
from storage.store_base import SqlStore
from storage.workspaces import active


class SqlOncallStore(SqlStore):
    # rotations and their versions
    def rotation(self, rotation_id: int) -> Rotation | None:
        return self.session.get(Rotation, rotation_id)

    def rotation_in_channel(self, team_id: str, channel_id: str) -> Rotation | None:
        return self.session.scalar(
            select(Rotation).where(Rotation.team_id == team_id, Rotation.channel_id == channel_id)
        )

    def rotation_by_secret(self, secret: str) -> Rotation | None:
        return self.session.scalar(select(Rotation).where(Rotation.calendar_secret == secret))

    def rotations_of(self, team_id: str, user_id: str) -> list[Rotation]:
        # Few rotations per workspace: filtering the member map in Python beats a JSON query
        # that reads differently on SQLite and PostgreSQL.
        rows = self.session.scalars(select(Rotation).where(Rotation.team_id == team_id))
        return [row for row in rows if user_id in row.member_tz]

    def add_rotation(self, **fields: Any) -> Rotation:
        return self._insert(Rotation(**fields))

    def due_rotation_ids(self, now: datetime, limit: int) -> list[int]:
        return list(
            self.session.scalars(
                select(Rotation.id)
                .where(Rotation.next_due_at <= now, active(Rotation.team_id))
                .order_by(Rotation.next_due_at)
                .limit(limit)
            )
        )

    def versions(self, rotation_id: int) -> list[RotationVersionRow]:
        return list(
            self.session.scalars(
                select(RotationVersionRow)
                .where(RotationVersionRow.rotation_id == rotation_id)
                .order_by(RotationVersionRow.effective_from)
            )
        )

    def add_version(self, **fields: Any) -> RotationVersionRow:
        return self._insert(RotationVersionRow(**fields))

    # what changes the schedule
    def windows(self, rotation_id: int) -> list[Window]:
        return list(
            self.session.scalars(
                select(Window).where(Window.rotation_id == rotation_id).order_by(Window.id)
            )
        )

    def add_window(self, **fields: Any) -> Window:
        return self._insert(Window(**fields))

    def swap(self, swap_id: int) -> Swap | None:
        return self.session.get(Swap, swap_id)

    def swaps(self, rotation_id: int, status: str) -> list[Swap]:
        return list(
            self.session.scalars(
                select(Swap)
                .where(Swap.rotation_id == rotation_id, Swap.status == status)
                .order_by(Swap.answered_at, Swap.id)
            )
        )

    def add_swap(self, **fields: Any) -> Swap:
        return self._insert(Swap(**fields))

    def cover(self, cover_id: int) -> Cover | None:
        return self.session.get(Cover, cover_id)

    def add_cover(self, **fields: Any) -> Cover:
        return self._insert(Cover(**fields))

    # what happened
    def latest_turn(self, rotation_id: int, not_after: datetime) -> TurnTaken | None:
        return self.session.scalar(
            select(TurnTaken)
            .where(TurnTaken.rotation_id == rotation_id, TurnTaken.starts_at <= not_after)
            .order_by(TurnTaken.starts_at.desc())
            .limit(1)
        )

    def add_turn(self, **fields: Any) -> TurnTaken:
        return self._insert(TurnTaken(**fields))

    def turns_at(self, rotation_id: int, starts: list[datetime]) -> list[TurnTaken]:
        if not starts:
            return []
        return list(
            self.session.scalars(
                select(TurnTaken).where(
                    TurnTaken.rotation_id == rotation_id, TurnTaken.starts_at.in_(starts)
                )
            )
        )

    def shifts(self, rotation_id: int, since: datetime, until: datetime) -> list[ShiftRow]:
        return list(
            self.session.scalars(
                select(ShiftRow)
                .where(
                    ShiftRow.rotation_id == rotation_id,
                    ShiftRow.starts_at >= since,
                    ShiftRow.starts_at < until,
                )
                .order_by(ShiftRow.starts_at)
            )
        )

    def latest_shift(self, rotation_id: int, not_after: datetime) -> ShiftRow | None:
        return self.session.scalar(
            select(ShiftRow)
            .where(ShiftRow.rotation_id == rotation_id, ShiftRow.starts_at <= not_after)
            .order_by(ShiftRow.starts_at.desc())
            .limit(1)
        )

    def unannounced_shifts(self, rotation_id: int, claimed_before: datetime) -> list[ShiftRow]:
        return list(
            self.session.scalars(
                select(ShiftRow)
                .where(
                    ShiftRow.rotation_id == rotation_id,
                    ShiftRow.announced_at.is_(None),
                    ShiftRow.claimed_at < claimed_before,
                )
                .order_by(ShiftRow.starts_at)
            )
        )

    def unannounced_shifts_by_id(self, shift_id: int) -> list[ShiftRow]:
        row = self.session.get(ShiftRow, shift_id)
        return [row] if row is not None and row.announced_at is None else []

    def add_shift(self, **fields: Any) -> ShiftRow:
        return self._insert(ShiftRow(**fields))

    def notice(self, rotation_id: int, key: str) -> Notice | None:
        return self.session.scalar(
            select(Notice).where(Notice.rotation_id == rotation_id, Notice.key == key)
        )

    def add_notice(self, **fields: Any) -> Notice:
        return self._insert(Notice(**fields))

    def unsent_notices(self, rotation_id: int) -> list[Notice]:
        return list(
            self.session.scalars(
                select(Notice)
                .where(Notice.rotation_id == rotation_id, Notice.sent_at.is_(None))
                .order_by(Notice.id)
            )
        )

    def notes(self, rotation_id: int, shift_start: datetime) -> list[Note]:
        return list(
            self.session.scalars(
                select(Note)
                .where(Note.rotation_id == rotation_id, Note.shift_start == shift_start)
                .order_by(Note.id)
            )
        )

    def add_note(self, **fields: Any) -> Note:
        return self._insert(Note(**fields))

"""Tables of the on-call rotations: versions, overrides, swaps, covers, and what happened.

Nothing ahead is stored as shifts: the schedule is computed from these. What did happen —
the turn taken at each handoff (`oncall_turns`), each stretch on call (`oncall_shifts`),
each notice sent — is written once, claimed by its natural key, and never rewritten.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class Rotation(Base):
    """One channel's rotation; its schedule lives in its versions."""

    __tablename__ = "oncall_rotations"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(8))
    # user_id -> IANA zone and user_id -> country, from profiles and `/oncall country @x`.
    member_tz: Mapped[dict[str, str]] = mapped_column(JSON)
    member_country: Mapped[dict[str, str]] = mapped_column(JSON)
    usergroup_id: Mapped[str | None] = mapped_column(String(32))
    usergroup_handle: Mapped[str | None] = mapped_column(String(100))
    calendar_secret: Mapped[str] = mapped_column(String(64), unique=True)
    # The next instant with work for run-due (a handoff or a notice), so a tick reads
    # only what is due.
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]


class RotationVersionRow(Base):
    """The rotation's settings from `effective_from` on, until the next version's."""

    __tablename__ = "oncall_versions"
    __table_args__ = (UniqueConstraint("rotation_id", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id"))
    effective_from: Mapped[datetime]
    members: Mapped[list[str]] = mapped_column(JSON)
    shift: Mapped[str] = mapped_column(String(8))
    handoff_day: Mapped[int] = mapped_column(Integer)
    handoff_time: Mapped[time] = mapped_column(Time)
    tz: Mapped[str] = mapped_column(String(64))
    restart: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Window(Base):
    """An override or a taken cover: someone on call for a window instead of the schedule."""

    __tablename__ = "oncall_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    # The Slack request that made it, so a replayed request does not make a second one.
    request_key: Mapped[str | None] = mapped_column(String(200), unique=True)


class Swap(Base):
    """A request to exchange two people's next shifts, and its answer."""

    __tablename__ = "oncall_swaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id"), index=True)
    requester_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[str] = mapped_column(String(32))
    first_start: Mapped[datetime]
    second_start: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # asked, accepted, declined, stale
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    request_key: Mapped[str | None] = mapped_column(String(200), unique=True)


class Cover(Base):
    """An open request for someone to cover (part of) a person's shift, until taken."""

    __tablename__ = "oncall_covers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id"), index=True)
    requester_id: Mapped[str] = mapped_column(String(32))
    asked_by: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    taker_id: Mapped[str | None] = mapped_column(String(32))
    taken_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    request_key: Mapped[str | None] = mapped_column(String(200), unique=True)


class TurnTaken(Base):
    """A turn of the base rotation as it was taken at its handoff, with the queue after it."""

    __tablename__ = "oncall_turns"
    __table_args__ = (UniqueConstraint("rotation_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id"))
    starts_at: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(String(32))
    # Who took it after swaps (user_id is whose turn it was), so a swap with one turn on
    # each side of a checkpoint still applies, or not, as it did.
    taken_by: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(16))
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime]


class ShiftRow(Base):
    """A stretch on call as it happened; inserting it claims its handoff."""

    __tablename__ = "oncall_shifts"
    __table_args__ = (UniqueConstraint("rotation_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id"))
    starts_at: Mapped[datetime]
    planned_end: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    scheduled_id: Mapped[str] = mapped_column(String(32))
    previous_user_id: Mapped[str | None] = mapped_column(String(32))
    uncovered: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_at: Mapped[datetime]
    announced_at: Mapped[datetime | None]
    channel_ts: Mapped[str | None] = mapped_column(String(32))
    failure: Mapped[str | None] = mapped_column(Text)


class Notice(Base):
    """A DM sent once: the 24-hour notice before a shift, or a change of someone's shifts."""

    __tablename__ = "oncall_notices"
    __table_args__ = (UniqueConstraint("rotation_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id"))
    key: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(32))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Note(Base):
    """A handoff note the person on call added to their shift."""

    __tablename__ = "oncall_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id"), index=True)
    shift_start: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    request_key: Mapped[str | None] = mapped_column(String(200), unique=True)

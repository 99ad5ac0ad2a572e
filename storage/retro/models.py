"""Tables of retrospectives: items, ratings, actions and their outcomes, kept for good."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class Retro(Base):
    """One retrospective, run in the thread of its parent message."""

    __tablename__ = "retros"
    __table_args__ = (Index("ix_retros_channel", "team_id", "channel_id", "phase"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    facilitator_id: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str] = mapped_column(String(16))
    parent_ts: Mapped[str | None] = mapped_column(String(32))
    # The thread message showing the scores and proposals, updated as the choice changes.
    choice_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class RetroItem(Base):
    """Something that went well or should improve. An anonymous item has no author at all."""

    __tablename__ = "retro_items"
    __table_args__ = (
        UniqueConstraint("retro_id", "number"),
        # The form submission that made it: a replayed submission finds its item.
        UniqueConstraint("team_id", "request_key"),
        Index("ix_retro_items_message", "team_id", "message_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # "well" or "improve"
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    request_key: Mapped[str | None] = mapped_column(String(200))
    # Where it came from: the thread, the form, a reply after the retro closed, or a
    # backlog item carried over from an earlier retro (carried_from_id).
    source: Mapped[str] = mapped_column(String(16))
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("retro_items.id"))
    # "open" while it waits in the channel's backlog, "carried" once a later retro took it.
    backlog: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]


class RetroRating(Base):
    """One participant's importance and complexity for one improvement item."""

    __tablename__ = "retro_ratings"
    __table_args__ = (UniqueConstraint("item_id", "rater_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("retro_items.id"))
    rater_id: Mapped[str] = mapped_column(String(32))
    importance: Mapped[int] = mapped_column(Integer)
    complexity: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class RetroAction(Base):
    """A chosen improvement: owner, when to look again, and how it ended."""

    __tablename__ = "retro_actions"
    __table_args__ = (
        UniqueConstraint("retro_id", "slot"),
        Index("ix_retro_actions_revisit", "status", "revisit_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"))
    channel_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(ForeignKey("retro_items.id"))
    slot: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    # "proposed" until the retro closes, then "open", "done", "partly" or "dropped".
    status: Mapped[str] = mapped_column(String(16))
    helped: Mapped[str | None] = mapped_column(String(16))
    revisit_on: Mapped[date | None] = mapped_column(Date)
    revisit_claimed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

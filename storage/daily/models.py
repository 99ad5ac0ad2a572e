"""Tables of the dailies: settings, participants, days, prompts and answers, kept for good."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class Daily(Base):
    """One channel's standup and its settings."""

    __tablename__ = "dailies"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(32))
    prompt_time: Mapped[time] = mapped_column(Time)
    weekdays: Mapped[frozenset[int]]
    questions: Mapped[list[str]] = mapped_column(JSON)
    country: Mapped[str | None] = mapped_column(String(8))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    remind_after_minutes: Mapped[int] = mapped_column(Integer, default=120)
    close_after_minutes: Mapped[int] = mapped_column(Integer, default=480)
    created_at: Mapped[datetime]


class Participant(Base):
    """A member of a daily, with the time zone their Slack profile gives."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("daily_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    daily_id: Mapped[int] = mapped_column(ForeignKey("dailies.id"))
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    tz: Mapped[str] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The next prompt instant, kept up to date so a tick reads only what is due.
    next_prompt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_prompt_date: Mapped[date | None] = mapped_column(Date)
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))


class DailyRun(Base):
    """One day of a daily: its parent message in the team channel and when the day closes."""

    __tablename__ = "daily_runs"
    __table_args__ = (
        UniqueConstraint("daily_id", "local_date"),
        # An idle tick looks only at open days: these keep it from reading all history.
        Index(
            "ix_daily_runs_open_close_at",
            "close_at",
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index(
            "ix_daily_runs_no_parent",
            "claimed_at",
            sqlite_where=text("parent_ts IS NULL AND closed_at IS NULL"),
            postgresql_where=text("parent_ts IS NULL AND closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    daily_id: Mapped[int] = mapped_column(ForeignKey("dailies.id"))
    local_date: Mapped[date] = mapped_column(Date)
    channel_id: Mapped[str] = mapped_column(String(32))
    parent_ts: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime]
    close_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Prompt(Base):
    """The claim on one participant's prompt for one local date, and its delivery."""

    __tablename__ = "prompts"
    __table_args__ = (
        UniqueConstraint("daily_id", "user_id", "local_date"),
        Index("ix_prompts_user_sent", "team_id", "user_id", "sent_at"),
        # A week of a daily (the weekly report) without reading the whole history.
        Index("ix_prompts_daily_date", "daily_id", "local_date"),
        # The tick's questions are about the few prompts still in flight, never the history.
        Index("ix_prompts_status_claimed", "status", "claimed_at"),
        Index(
            "ix_prompts_to_remind",
            "remind_at",
            sqlite_where=text("reminded_at IS NULL AND status = 'sent'"),
            postgresql_where=text("reminded_at IS NULL AND status = 'sent'"),
        ),
        Index(
            "ix_prompts_unpublished",
            "status",
            sqlite_where=text("thread_ts IS NULL"),
            postgresql_where=text("thread_ts IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    daily_id: Mapped[int] = mapped_column(ForeignKey("dailies.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("daily_runs.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    questions: Mapped[list[str]] = mapped_column(JSON)
    scheduled_at: Mapped[datetime]
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    thread_claimed_at: Mapped[datetime | None]


class Answer(Base):
    """One answer to one question of a prompt, as the participant wrote it."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("prompt_id", "position"),
        Index("ix_answers_message", "team_id", "message_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

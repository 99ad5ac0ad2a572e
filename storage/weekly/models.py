"""Tables of the weekly reports: settings, sources, the risk register, statuses, deliveries.

A report's content is computed from the other ceremonies' history at delivery; what was
sent is stored with it (`weekly_deliveries.content`) and never rewritten. Every delivery —
the owner's status DM, the channel report, each recipient's DM — is claimed by its natural
key (report, week, kind), so racing `run-due` processes send each one once.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class WeeklyReportRow(Base):
    """One channel's weekly report and when it goes out."""

    __tablename__ = "weekly_reports"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int] = mapped_column(Integer)  # Monday = 0
    at: Mapped[time] = mapped_column(Time)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # The next instant with work for run-due (the status DM or the report), so a tick
    # reads only what is due.
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    # The custom templates that failed and that the owner has been told about (once each).
    broken_told: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    # When it was last resumed: a week whose delivery passed while it was paused is not sent.
    resumed_at: Mapped[datetime | None]
    # When its day or time last changed: a week whose delivery (on the new schedule) had
    # passed by then is not sent late.
    rescheduled_at: Mapped[datetime | None]


class WeeklySourceRow(Base):
    """A channel whose ceremonies the report reads (its own channel is one from the start)."""

    __tablename__ = "weekly_sources"
    __table_args__ = (UniqueConstraint("report_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_reports.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime]


class WeeklyRiskRow(Base):
    """One risk of a report's register; its levels over time are in weekly_risk_levels."""

    __tablename__ = "weekly_risks"
    __table_args__ = (
        UniqueConstraint("report_id", "number"),
        UniqueConstraint("request_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_reports.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    p: Mapped[int] = mapped_column(Integer)
    c: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    # The request that added it: a replayed command or button adds nothing twice.
    request_key: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class WeeklyRiskLevelRow(Base):
    """A risk's probability and consequence from `since` on: "raised this week" reads these."""

    __tablename__ = "weekly_risk_levels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("weekly_risks.id"), index=True)
    p: Mapped[int] = mapped_column(Integer)
    c: Mapped[int] = mapped_column(Integer)
    since: Mapped[datetime]


class WeeklyStatusRow(Base):
    """What the owner submitted in "Add status" for one week (a later submission replaces)."""

    __tablename__ = "weekly_statuses"
    __table_args__ = (UniqueConstraint("report_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_reports.id"), index=True)
    week: Mapped[str] = mapped_column(String(10))  # "2026-W49"
    status: Mapped[str] = mapped_column(String(16))
    highlights: Mapped[str] = mapped_column(Text)
    plans: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime]


class WeeklyDeliveryRow(Base):
    """One thing sent for one week: "status_dm", "report", or "dm:<user>" for a recipient."""

    __tablename__ = "weekly_deliveries"
    __table_args__ = (UniqueConstraint("report_id", "week", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_reports.id"), index=True)
    week: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(48))
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # What was sent: the report's figures and texts (JSON), kept as history.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WeeklyAckRow(Base):
    """A recipient's acknowledgement of one decision needed in one delivered report."""

    __tablename__ = "weekly_acks"
    __table_args__ = (UniqueConstraint("delivery_id", "decision", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("weekly_deliveries.id"), index=True)
    decision: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(String(32))
    acked_at: Mapped[datetime]

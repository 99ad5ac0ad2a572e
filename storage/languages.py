"""Each person's and each channel's language facts (the rules: ceremonies/core/languages.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.store_base import SqlStore


class PersonLanguage(Base):
    """What Slack last said of a person's language, when, their own choice, and their DM."""

    __tablename__ = "person_languages"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id"),
        Index("ix_person_languages_team_dm", "team_id", "dm_channel_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    slack_locale: Mapped[str | None] = mapped_column(String(16))
    seen_at: Mapped[datetime | None]
    choice: Mapped[str | None] = mapped_column(String(8))
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))


class ChannelLanguage(Base):
    """A channel's chosen language, and whose language it follows without one."""

    __tablename__ = "channel_languages"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    choice: Mapped[str | None] = mapped_column(String(8))
    owner_id: Mapped[str | None] = mapped_column(String(32))


class SqlLanguageStore(SqlStore):
    def person(self, team_id: str, user_id: str) -> PersonLanguage | None:
        return self.session.scalar(
            select(PersonLanguage).where(
                PersonLanguage.team_id == team_id, PersonLanguage.user_id == user_id
            )
        )

    def people(self, team_id: str, user_ids: list[str]) -> list[PersonLanguage]:
        found: list[PersonLanguage] = []
        # In slices, so no engine meets more bound parameters than it takes.
        for start in range(0, len(user_ids), 500):
            found += self.session.scalars(
                select(PersonLanguage).where(
                    PersonLanguage.team_id == team_id,
                    PersonLanguage.user_id.in_(user_ids[start : start + 500]),
                )
            )
        return found

    def dm_owner(self, team_id: str, dm_channel_id: str) -> PersonLanguage | None:
        return self.session.scalar(
            select(PersonLanguage)
            .where(
                PersonLanguage.team_id == team_id,
                PersonLanguage.dm_channel_id == dm_channel_id,
            )
            .order_by(PersonLanguage.id)
            .limit(1)
        )

    def add_person(self, **fields: Any) -> PersonLanguage:
        return self._insert(PersonLanguage(**fields))

    def channel(self, team_id: str, channel_id: str) -> ChannelLanguage | None:
        return self.session.scalar(
            select(ChannelLanguage).where(
                ChannelLanguage.team_id == team_id, ChannelLanguage.channel_id == channel_id
            )
        )

    def add_channel(self, **fields: Any) -> ChannelLanguage:
        return self._insert(ChannelLanguage(**fields))

"""Who opened the Home tab: only they are ever sent a view, and only when it changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class HomeViewer(Base):
    """A person who opened the bot's Home tab, and a digest of the view last published."""

    __tablename__ = "home_viewers"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime]
    published_hash: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None]

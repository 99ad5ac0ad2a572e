"""The ledger of Slack event ids already taken, shared by every ceremony's listeners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ceremonies.core.ports import Conflict
from storage.base import Base
from storage.store_base import SqlStore


class ProcessedEvent(Base):
    """Slack event ids already handled, so a retried delivery is processed once."""

    __tablename__ = "processed_events"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]


class SqlEventLedger(SqlStore):
    def remember(self, team_id: str, event_id: str, now: datetime) -> bool:
        try:
            self._insert(ProcessedEvent(team_id=team_id, event_id=event_id, received_at=now))
        except Conflict:
            return False
        return True

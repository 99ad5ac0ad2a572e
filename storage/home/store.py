"""The Home tab's store (ceremonies.home.ports.HomeStore)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.home.models import HomeViewer
from storage.store_base import SqlStore


class SqlHomeStore(SqlStore):
    def viewer(self, team_id: str, user_id: str) -> HomeViewer | None:
        return self.session.scalar(
            select(HomeViewer).where(HomeViewer.team_id == team_id, HomeViewer.user_id == user_id)
        )

    def viewers_among(self, team_id: str, user_ids: list[str]) -> list[HomeViewer]:
        if not user_ids:
            return []
        return list(
            self.session.scalars(
                select(HomeViewer)
                .where(HomeViewer.team_id == team_id, HomeViewer.user_id.in_(user_ids))
                .order_by(HomeViewer.user_id)
            )
        )

    def add_viewer(self, **fields: Any) -> HomeViewer:
        return self._insert(HomeViewer(**fields))

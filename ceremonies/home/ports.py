"""What the Home tab needs from storage: who opened it, and the ceremonies' query ports."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ceremonies.core.ports import UnitOfWork, UnitOfWorkFactory
from ceremonies.daily.queries import PersonDailies
from ceremonies.oncall.queries import PersonRotations
from ceremonies.retro.queries import PersonActions
from ceremonies.weekly.queries import PersonReports


class ViewerRow(Protocol):
    """Someone who opened the Home tab, and the view last published for them."""

    id: int
    team_id: str
    user_id: str
    opened_at: datetime
    # A digest of the view last published (None: none yet, or the last publish failed).
    published_hash: str | None
    published_at: datetime | None


class HomeStore(Protocol):
    def viewer(self, team_id: str, user_id: str) -> ViewerRow | None: ...
    def viewers_among(self, team_id: str, user_ids: list[str]) -> list[ViewerRow]: ...
    def add_viewer(self, **fields: object) -> ViewerRow: ...
    def compare_and_set(
        self, row: ViewerRow, expected: dict[str, object], changes: dict[str, object]
    ) -> bool: ...


class HomeUnitOfWork(UnitOfWork, Protocol):
    home: HomeStore
    daily_history: PersonDailies
    retro_history: PersonActions
    oncall_history: PersonRotations
    weekly_history: PersonReports


HomeUnitOfWorkFactory = UnitOfWorkFactory[HomeUnitOfWork]

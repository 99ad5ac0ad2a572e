"""What the retro rules need from storage, declared here so the rules never import it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from ceremonies.core.ports import UnitOfWork, UnitOfWorkFactory


class RetroRow(Protocol):
    id: int
    team_id: str
    channel_id: str
    title: str
    facilitator_id: str
    phase: str
    parent_ts: str | None
    choice_ts: str | None
    created_at: datetime
    closed_at: datetime | None


class ItemRow(Protocol):
    id: int
    retro_id: int
    number: int
    kind: str
    text: str
    author_id: str | None
    message_ts: str | None
    source: str
    carried_from_id: int | None
    backlog: str


class RatingRow(Protocol):
    item_id: int
    rater_id: str
    importance: int
    complexity: int


class ActionRow(Protocol):
    id: int
    team_id: str
    retro_id: int
    channel_id: str
    item_id: int
    slot: str
    position: int
    owner_id: str | None
    status: str
    helped: str | None
    revisit_on: date | None
    revisit_claimed_at: datetime | None
    updated_at: datetime


class RetroStore(Protocol):
    def retro(self, retro_id: int) -> RetroRow | None: ...
    def open_retro(self, team_id: str, channel_id: str) -> RetroRow | None: ...
    def retro_by_thread(self, team_id: str, channel_id: str, thread_ts: str) -> RetroRow | None: ...
    def retros_in_channel(
        self, team_id: str | None, channel_id: str, limit: int = 20
    ) -> list[RetroRow]: ...
    def add_retro(self, **fields: Any) -> RetroRow: ...
    def items(self, retro_id: int, kind: str | None = None) -> list[ItemRow]: ...
    def item(self, item_id: int) -> ItemRow | None: ...
    def item_by_number(self, retro_id: int, number: int) -> ItemRow | None: ...
    def item_by_message(self, team_id: str, message_ts: str, author_id: str) -> ItemRow | None: ...
    def item_by_request(self, team_id: str, request_key: str) -> ItemRow | None: ...
    def add_item(self, **fields: Any) -> ItemRow: ...
    def backlog(self, team_id: str, channel_id: str, before_retro: int) -> list[ItemRow]: ...
    def earlier_items(self, team_id: str, channel_id: str, before_retro: int) -> list[ItemRow]: ...
    def ratings(self, retro_id: int) -> list[RatingRow]: ...
    def ratings_by(self, retro_id: int, rater_id: str) -> list[RatingRow]: ...
    def put_rating(
        self,
        team_id: str,
        retro_id: int,
        item_id: int,
        rater_id: str,
        importance: int,
        complexity: int,
        now: datetime,
    ) -> None: ...
    def actions(self, retro_id: int) -> list[ActionRow]: ...
    def action(self, action_id: int) -> ActionRow | None: ...
    def add_action(self, **fields: Any) -> ActionRow: ...
    def remove_actions(self, retro_id: int) -> None: ...
    def remove_action(self, action: ActionRow) -> None: ...
    def open_actions(self, team_id: str, channel_id: str) -> list[ActionRow]: ...
    def actions_to_revisit(self, today: date) -> list[ActionRow]: ...
    def action_for_item(self, item_id: int) -> ActionRow | None: ...
    def compare_and_set(
        self, row: Any, expected: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> bool: ...


class RetroUnitOfWork(UnitOfWork, Protocol):
    retros: RetroStore


RetroUnitOfWorkFactory = UnitOfWorkFactory[RetroUnitOfWork]

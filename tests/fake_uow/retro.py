"""In-memory retros: the rows of storage/retro/models.py and SqlRetroStore's queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tests.fake_uow.core import FakeStore, Row, at_or_before

OPEN_PHASES = ("collecting", "rating", "choosing")
FOLLOWED_UP = ("open", "partly")


@dataclass(kw_only=True, eq=False)
class Retro(Row):
    team_id: str
    channel_id: str
    title: str
    facilitator_id: str
    phase: str
    parent_ts: str | None = None
    choice_ts: str | None = None
    created_at: datetime
    closed_at: datetime | None = None


@dataclass(kw_only=True, eq=False)
class RetroItem(Row):
    UNIQUE = (("retro_id", "number"), ("team_id", "request_key"))
    FOREIGN = (("retro_id", "Retro"), ("carried_from_id", "RetroItem"))
    team_id: str
    retro_id: int
    number: int
    kind: str
    text: str
    author_id: str | None = None
    message_ts: str | None = None
    request_key: str | None = None
    source: str
    carried_from_id: int | None = None
    backlog: str = "open"
    created_at: datetime


@dataclass(kw_only=True, eq=False)
class RetroRating(Row):
    UNIQUE = (("item_id", "rater_id"),)
    FOREIGN = (("retro_id", "Retro"), ("item_id", "RetroItem"))
    team_id: str
    retro_id: int
    item_id: int
    rater_id: str
    importance: int
    complexity: int
    updated_at: datetime


@dataclass(kw_only=True, eq=False)
class RetroAction(Row):
    UNIQUE = (("retro_id", "slot"),)
    FOREIGN = (("retro_id", "Retro"), ("item_id", "RetroItem"))
    team_id: str
    retro_id: int
    channel_id: str
    item_id: int
    slot: str
    position: int
    owner_id: str | None = None
    status: str
    helped: str | None = None
    revisit_on: date | None = None
    revisit_claimed_at: datetime | None = None
    updated_at: datetime


class FakeRetroStore(FakeStore):
    # retros
    def retro(self, retro_id: int) -> Retro | None:
        return self._tx.get(Retro, retro_id)

    def open_retro(self, team_id: str, channel_id: str) -> Retro | None:
        found = self._tx.rows(
            Retro,
            lambda r: (r.team_id, r.channel_id) == (team_id, channel_id) and r.phase in OPEN_PHASES,
        )
        return max(found, key=lambda r: r.id, default=None)

    def retro_by_thread(self, team_id: str, channel_id: str, thread_ts: str) -> Retro | None:
        key = (team_id, channel_id, thread_ts)
        return self._tx.first(Retro, lambda r: (r.team_id, r.channel_id, r.parent_ts) == key)

    def retros_in_channel(
        self, team_id: str | None, channel_id: str, limit: int = 20
    ) -> list[Retro]:
        """Newest first; without a workspace id the channel id alone decides."""
        found = self._tx.rows(
            Retro,
            lambda r: r.channel_id == channel_id and (team_id is None or r.team_id == team_id),
        )
        return sorted(found, key=lambda r: r.id, reverse=True)[:limit]

    def add_retro(self, **fields: Any) -> Retro:
        return self._tx.insert(Retro(**fields))

    # items
    def items(self, retro_id: int, kind: str | None = None) -> list[RetroItem]:
        found = self._tx.rows(
            RetroItem, lambda i: i.retro_id == retro_id and (not kind or i.kind == kind)
        )
        return sorted(found, key=lambda i: i.number)

    def item(self, item_id: int) -> RetroItem | None:
        return self._tx.get(RetroItem, item_id)

    def item_by_number(self, retro_id: int, number: int) -> RetroItem | None:
        return self._tx.first(RetroItem, lambda i: (i.retro_id, i.number) == (retro_id, number))

    def item_by_message(self, team_id: str, message_ts: str, author_id: str) -> RetroItem | None:
        return self._tx.first(
            RetroItem,
            lambda i: (i.team_id, i.message_ts, i.author_id) == (team_id, message_ts, author_id),
        )

    def item_by_request(self, team_id: str, request_key: str) -> RetroItem | None:
        return self._tx.first(
            RetroItem, lambda i: (i.team_id, i.request_key) == (team_id, request_key)
        )

    def add_item(self, **fields: Any) -> RetroItem:
        """Numbers items 1, 2, 3… within their retro."""
        if "number" in fields:
            raise TypeError("add_item numbers the item itself")
        numbers = [
            i.number for i in self._tx.rows(RetroItem) if i.retro_id == fields.get("retro_id")
        ]
        return self._tx.insert(RetroItem(number=max(numbers, default=0) + 1, **fields))

    def _retros_here(self, team_id: str, channel_id: str) -> dict[int, Retro]:
        return {
            r.id: r
            for r in self._tx.rows(
                Retro, lambda r: (r.team_id, r.channel_id) == (team_id, channel_id)
            )
        }

    def backlog(self, team_id: str, channel_id: str, before_retro: int) -> list[RetroItem]:
        """Improvement items of earlier retros here that were not chosen nor carried yet."""
        retros = self._retros_here(team_id, channel_id)
        chosen = {a.item_id for a in self._tx.rows(RetroAction)}
        return self._tx.rows(
            RetroItem,
            lambda i: (
                i.retro_id in retros
                and i.retro_id != before_retro
                and retros[i.retro_id].phase == "closed"
                and i.kind == "improve"
                and i.backlog == "open"
                and i.id not in chosen
            ),
        )

    def earlier_items(self, team_id: str, channel_id: str, before_retro: int) -> list[RetroItem]:
        retros = self._retros_here(team_id, channel_id)
        found = self._tx.rows(
            RetroItem,
            lambda i: i.retro_id in retros and i.retro_id < before_retro and i.kind == "improve",
        )
        return sorted(found, key=lambda i: i.id, reverse=True)[:2000]

    # ratings
    def ratings(self, retro_id: int) -> list[RetroRating]:
        return self._tx.rows(RetroRating, lambda r: r.retro_id == retro_id)

    def ratings_by(self, retro_id: int, rater_id: str) -> list[RetroRating]:
        return self._tx.rows(
            RetroRating, lambda r: (r.retro_id, r.rater_id) == (retro_id, rater_id)
        )

    def put_rating(
        self,
        team_id: str,
        retro_id: int,
        item_id: int,
        rater_id: str,
        importance: int,
        complexity: int,
        now: datetime,
    ) -> None:
        existing = self._tx.first(
            RetroRating, lambda r: (r.item_id, r.rater_id) == (item_id, rater_id)
        )
        if existing is None:
            self._tx.insert(
                RetroRating(
                    team_id=team_id,
                    retro_id=retro_id,
                    item_id=item_id,
                    rater_id=rater_id,
                    importance=importance,
                    complexity=complexity,
                    updated_at=now,
                )
            )
            return
        existing.importance, existing.complexity, existing.updated_at = importance, complexity, now

    # actions
    def actions(self, retro_id: int) -> list[RetroAction]:
        found = self._tx.rows(RetroAction, lambda a: a.retro_id == retro_id)
        return sorted(found, key=lambda a: a.position)

    def action(self, action_id: int) -> RetroAction | None:
        return self._tx.get(RetroAction, action_id)

    def add_action(self, **fields: Any) -> RetroAction:
        return self._tx.insert(RetroAction(**fields))

    def remove_actions(self, retro_id: int) -> None:
        # Only proposals are removed: they are replaced whenever the choice is redone.
        for action in self._tx.rows(
            RetroAction, lambda a: a.retro_id == retro_id and a.status == "proposed"
        ):
            self._tx.delete(action)

    def remove_action(self, action: RetroAction) -> None:
        self._tx.delete(action)

    def open_actions(self, team_id: str, channel_id: str) -> list[RetroAction]:
        return self._tx.rows(
            RetroAction,
            lambda a: (
                (a.team_id, a.channel_id) == (team_id, channel_id) and a.status in FOLLOWED_UP
            ),
        )

    def actions_to_revisit(self, today: date) -> list[RetroAction]:
        return self._tx.rows(
            RetroAction,
            lambda a: (
                a.status in FOLLOWED_UP
                and at_or_before(a.revisit_on, today)
                and a.revisit_claimed_at is None
            ),
        )

    def action_for_item(self, item_id: int) -> RetroAction | None:
        return self._tx.first(RetroAction, lambda a: a.item_id == item_id)

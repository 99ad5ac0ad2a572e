"""SQL reads and writes behind the retros' rules (ceremonies.retro_ports.RetroStore)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select

from ceremonies.core.ports import Conflict
from storage.retro.models import Retro, RetroAction, RetroItem, RetroRating
from storage.store_base import SqlStore
from storage.workspaces import active

OPEN_PHASES = ("collecting", "rating", "choosing")
# Actions still followed up: not yet started, or only partly done.
FOLLOWED_UP = ("open", "partly")


class SqlRetroStore(SqlStore):
    # retros
    def retro(self, retro_id: int) -> Retro | None:
        return self.session.get(Retro, retro_id)

    def open_retro(self, team_id: str, channel_id: str) -> Retro | None:
        return self.session.scalar(
            select(Retro)
            .where(Retro.team_id == team_id, Retro.channel_id == channel_id)
            .where(Retro.phase.in_(OPEN_PHASES))
            .order_by(Retro.id.desc())
            .limit(1)
        )

    def retro_by_thread(self, team_id: str, channel_id: str, thread_ts: str) -> Retro | None:
        return self.session.scalar(
            select(Retro).where(
                Retro.team_id == team_id,
                Retro.channel_id == channel_id,
                Retro.parent_ts == thread_ts,
            )
        )

    def retros_in_channel(
        self, team_id: str | None, channel_id: str, limit: int = 20
    ) -> list[Retro]:
        """Newest first; without a workspace id (the export CLI) the channel id alone decides."""
        query = select(Retro).where(Retro.channel_id == channel_id)
        if team_id is not None:
            query = query.where(Retro.team_id == team_id)
        return list(self.session.scalars(query.order_by(Retro.id.desc()).limit(limit)))

    def add_retro(self, **fields: Any) -> Retro:
        return self._insert(Retro(**fields))

    # items
    def items(self, retro_id: int, kind: str | None = None) -> list[RetroItem]:
        query = select(RetroItem).where(RetroItem.retro_id == retro_id)
        if kind:
            query = query.where(RetroItem.kind == kind)
        return list(self.session.scalars(query.order_by(RetroItem.number)))

    def item(self, item_id: int) -> RetroItem | None:
        return self.session.get(RetroItem, item_id)

    def item_by_number(self, retro_id: int, number: int) -> RetroItem | None:
        return self.session.scalar(
            select(RetroItem).where(RetroItem.retro_id == retro_id, RetroItem.number == number)
        )

    def item_by_message(self, team_id: str, message_ts: str, author_id: str) -> RetroItem | None:
        # A ts is unique only within a channel: the author tells two people's apart.
        return self.session.scalar(
            select(RetroItem).where(
                RetroItem.team_id == team_id,
                RetroItem.message_ts == message_ts,
                RetroItem.author_id == author_id,
            )
        )

    def item_by_request(self, team_id: str, request_key: str) -> RetroItem | None:
        return self.session.scalar(
            select(RetroItem).where(
                RetroItem.team_id == team_id, RetroItem.request_key == request_key
            )
        )

    def add_item(self, **fields: Any) -> RetroItem:
        """Numbers items 1, 2, 3… within their retro; a race for a number is retried."""
        for _ in range(10):
            number = (
                self.session.scalar(
                    select(func.max(RetroItem.number)).where(
                        RetroItem.retro_id == fields["retro_id"]
                    )
                )
                or 0
            ) + 1
            try:
                return self._insert(RetroItem(number=number, **fields))
            except Conflict:
                continue
        raise Conflict("could not number the item")

    def backlog(self, team_id: str, channel_id: str, before_retro: int) -> list[RetroItem]:
        """Improvement items of earlier retros here that were not chosen nor carried yet."""
        chosen = select(RetroAction.item_id)
        return list(
            self.session.scalars(
                select(RetroItem)
                .join(Retro, Retro.id == RetroItem.retro_id)
                .where(
                    Retro.team_id == team_id,
                    Retro.channel_id == channel_id,
                    Retro.id != before_retro,
                    Retro.phase == "closed",
                    RetroItem.kind == "improve",
                    RetroItem.backlog == "open",
                    RetroItem.id.not_in(chosen),
                )
                .order_by(RetroItem.id)
            )
        )

    def earlier_items(self, team_id: str, channel_id: str, before_retro: int) -> list[RetroItem]:
        return list(
            self.session.scalars(
                select(RetroItem)
                .join(Retro, Retro.id == RetroItem.retro_id)
                .where(
                    Retro.team_id == team_id,
                    Retro.channel_id == channel_id,
                    Retro.id < before_retro,
                    RetroItem.kind == "improve",
                )
                .order_by(RetroItem.id.desc())
                .limit(2000)
            )
        )

    # ratings
    def ratings(self, retro_id: int) -> list[RetroRating]:
        return list(
            self.session.scalars(select(RetroRating).where(RetroRating.retro_id == retro_id))
        )

    def ratings_by(self, retro_id: int, rater_id: str) -> list[RetroRating]:
        return list(
            self.session.scalars(
                select(RetroRating).where(
                    RetroRating.retro_id == retro_id, RetroRating.rater_id == rater_id
                )
            )
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
        existing = self.session.scalar(
            select(RetroRating).where(
                RetroRating.item_id == item_id, RetroRating.rater_id == rater_id
            )
        )
        if existing is None:
            try:
                self._insert(
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
            except Conflict:
                existing = self.session.scalar(
                    select(RetroRating).where(
                        RetroRating.item_id == item_id, RetroRating.rater_id == rater_id
                    )
                )
        assert existing is not None
        existing.importance, existing.complexity, existing.updated_at = importance, complexity, now

    # actions
    def actions(self, retro_id: int) -> list[RetroAction]:
        return list(
            self.session.scalars(
                select(RetroAction)
                .where(RetroAction.retro_id == retro_id)
                .order_by(RetroAction.position)
            )
        )

    def action(self, action_id: int) -> RetroAction | None:
        return self.session.get(RetroAction, action_id)

    def add_action(self, **fields: Any) -> RetroAction:
        return self._insert(RetroAction(**fields))

    def remove_actions(self, retro_id: int) -> None:
        # Only proposals are removed: they are replaced whenever the choice is redone.
        self.session.execute(
            delete(RetroAction).where(
                RetroAction.retro_id == retro_id, RetroAction.status == "proposed"
            )
        )

    def remove_action(self, action: RetroAction) -> None:
        self.session.delete(action)
        self.session.flush()

    def open_actions(self, team_id: str, channel_id: str) -> list[RetroAction]:
        return list(
            self.session.scalars(
                select(RetroAction)
                .where(
                    RetroAction.team_id == team_id,
                    RetroAction.channel_id == channel_id,
                    RetroAction.status.in_(FOLLOWED_UP),
                )
                .order_by(RetroAction.id)
            )
        )

    def actions_to_revisit(self, today: date) -> list[RetroAction]:
        return list(
            self.session.scalars(
                select(RetroAction).where(
                    RetroAction.status.in_(FOLLOWED_UP),
                    RetroAction.revisit_on <= today,
                    RetroAction.revisit_claimed_at.is_(None),
                    active(RetroAction.team_id),
                )
            )
        )

    def action_for_item(self, item_id: int) -> RetroAction | None:
        return self.session.scalar(select(RetroAction).where(RetroAction.item_id == item_id))

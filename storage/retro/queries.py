"""The retros' history as other ceremonies read it (ceremonies.retro.queries.RetroQueries)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ceremonies.retro.queries import (
    OPEN,
    PARTLY,
    ActionOfPerson,
    ActionState,
    RetroHeld,
    RetroHistory,
)
from storage.retro.models import Retro, RetroAction, RetroItem


class SqlRetroQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def retro_history(
        self, team_id: str, channel_id: str, since: datetime, until: datetime
    ) -> RetroHistory | None:
        in_channel = (Retro.team_id == team_id, Retro.channel_id == channel_id)
        if self.session.scalar(select(Retro.id).where(*in_channel).limit(1)) is None:
            return None
        retros = tuple(
            RetroHeld(r.id, r.title, r.created_at, r.closed_at)
            for r in self.session.scalars(
                select(Retro)
                .where(*in_channel, Retro.created_at >= since, Retro.created_at <= until)
                .order_by(Retro.created_at)
            )
        )
        rows = self.session.execute(
            select(RetroAction, RetroItem.text, Retro.created_at)
            .join(RetroItem, RetroItem.id == RetroAction.item_id)
            .join(Retro, Retro.id == RetroAction.retro_id)
            .where(
                *in_channel,
                RetroAction.status != "proposed",  # still being chosen: not an action yet
                Retro.created_at <= until,
                or_(RetroAction.status == OPEN, RetroAction.updated_at >= since),
            )
            .order_by(Retro.created_at, RetroAction.position)
        )
        actions = tuple(
            ActionState(
                action_id=action.id,
                retro_id=action.retro_id,
                text=text,
                owner_id=action.owner_id,
                chosen_at=held_at,
                status=action.status,
                status_at=None if action.status == OPEN else action.updated_at,
                helped=action.helped,
            )
            for action, text, held_at in rows
        )
        return RetroHistory(retros, actions)

    def open_actions_of(self, team_id: str, user_id: str) -> tuple[ActionOfPerson, ...]:
        rows = self.session.execute(
            select(RetroAction, RetroItem.text, Retro.title, Retro.created_at)
            .join(RetroItem, RetroItem.id == RetroAction.item_id)
            .join(Retro, Retro.id == RetroAction.retro_id)
            .where(
                RetroAction.team_id == team_id,
                RetroAction.owner_id == user_id,
                RetroAction.status.in_((OPEN, PARTLY)),
            )
            .order_by(Retro.created_at, RetroAction.position)
        )
        actions = [
            ActionOfPerson(
                action_id=action.id,
                channel_id=action.channel_id,
                text=text,
                retro_title=title,
                chosen_at=held_at,
                status=action.status,
                revisit_on=action.revisit_on,
            )
            for action, text, title, held_at in rows
        ]
        # The soonest to revisit first; the oldest retro first among equals.
        actions.sort(key=lambda a: (a.revisit_on is None, a.revisit_on or a.chosen_at.date()))
        return tuple(actions)

"""Following actions through: listing them, owners reporting how they ended, revisit DMs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Message
from ceremonies.core.request import Request
from ceremonies.core.time_model import wall_clock_instant
from ceremonies.retro.choice import choice_context
from ceremonies.retro.flow import CLOSED, WELL
from ceremonies.retro.ports import ActionRow, RetroUnitOfWork, RetroUnitOfWorkFactory

log = logging.getLogger(__name__)

STATUSES = ("done", "partly", "dropped")
REVISIT_TIME = time(10, 0)
HELPED = ("yes", "somewhat", "no")


def action_view(uow: RetroUnitOfWork, action: ActionRow) -> dict[str, Any]:
    item = uow.retros.item(action.item_id)
    retro = uow.retros.retro(action.retro_id)
    return {
        "id": action.id,
        "item_id": action.item_id,
        "text": item.text if item else "",
        "owner_id": action.owner_id,
        "status": action.status,
        "helped": action.helped,
        "slot": action.slot,
        "revisit_on": action.revisit_on,
        "retro_title": retro.title if retro else "",
        "channel_id": action.channel_id,
    }


def open_actions(
    uow_factory: RetroUnitOfWorkFactory, team_id: str, channel_id: str
) -> list[dict[str, Any]]:
    with uow_factory() as uow:
        return [action_view(uow, a) for a in uow.retros.open_actions(team_id, channel_id)]


def report(
    uow_factory: RetroUnitOfWorkFactory,
    request: Request,
    action_id: int,
    *,
    status: str | None = None,
    helped: str | None = None,
) -> dict[str, Any]:
    """The owner says how an action ended and whether it helped."""
    team_id, user_id, now = request.team_id, request.user_id, request.now
    if status is not None and status not in STATUSES:
        raise Refusal("retro_bad_status", status=status)
    if helped is not None and helped not in HELPED:
        raise Refusal("retro_bad_status", status=helped)
    with uow_factory() as uow:
        action = uow.retros.action(action_id)
        if action is None or action.team_id != team_id:
            raise Refusal("retro_no_such_action", position=action_id, count=0)
        if user_id != action.owner_id:
            raise Refusal("retro_not_owner", owner_id=action.owner_id)
        if status is not None:
            action.status = status
        if helped is not None:
            action.helped = helped
        action.updated_at = now
        uow.commit()
        return action_view(uow, action)


@dataclass
class RevisitReport:
    """What one tick did for the retros (a DueReport)."""

    revisits_sent: int = 0
    failures: list[str] = field(default_factory=list)

    def figures(self) -> list[tuple[str, int]]:
        return [("action revisits", self.revisits_sent)]


def send_revisits(uow_factory: RetroUnitOfWorkFactory, chat: Chat, now: datetime) -> RevisitReport:
    """On an action's revisit date, at 10:00 in its owner's time zone, one DM with buttons."""
    with uow_factory() as uow:
        # A day ahead of UTC covers owners in zones where that date has already begun.
        candidates = [
            (a.id, a.team_id, a.owner_id, a.revisit_on)
            for a in uow.retros.actions_to_revisit(now.date() + timedelta(days=1))
            if a.owner_id
        ]
    due = []
    for action_id, team_id, owner_id, revisit_on in candidates:
        tz = chat.profile(team_id, owner_id).tz
        if now >= wall_clock_instant(tz, revisit_on, REVISIT_TIME):
            due.append(action_id)
    to_send = []
    with uow_factory() as uow:
        for action_id in due:
            action = uow.retros.action(action_id)
            if action is not None and uow.retros.compare_and_set(
                action, {"revisit_claimed_at": None}, {"revisit_claimed_at": now}
            ):
                to_send.append((action.team_id, action.owner_id, action_view(uow, action)))
        uow.commit()  # claimed before sending: each owner is asked once per action
    report = RevisitReport()
    for team_id, owner_id, view in to_send:
        try:
            chat.post(team_id, owner_id, Message("retro/revisit", view))
            report.revisits_sent += 1
        except Exception as error:
            log.exception("revisit DM for action %s failed", view["id"])
            report.failures.append(f"revisit {view['id']}: {error}")
    return report


@dataclass(frozen=True)
class RetroRecord:
    title: str
    created_at: datetime
    closed_at: datetime | None
    facilitator_id: str
    went_well: list[str]
    items: list[dict[str, Any]]
    actions: list[dict[str, Any]]


def history(
    uow_factory: RetroUnitOfWorkFactory, team_id: str, channel_id: str, limit: int = 10
) -> list[RetroRecord]:
    with uow_factory() as uow:
        return [
            record_of(uow, r.id) for r in uow.retros.retros_in_channel(team_id, channel_id, limit)
        ]


def record_of(uow: RetroUnitOfWork, retro_id: int) -> RetroRecord:
    """Everything kept about one retro, with scores but never who wrote or rated what."""
    retro = uow.retros.retro(retro_id)
    assert retro is not None
    context = choice_context(uow, retro)
    return RetroRecord(
        title=retro.title,
        created_at=retro.created_at,
        closed_at=retro.closed_at,
        facilitator_id=retro.facilitator_id,
        went_well=[i.text for i in uow.retros.items(retro.id, WELL) if i.source != "late"],
        items=context["items"],
        actions=[action_view(uow, a) for a in uow.retros.actions(retro.id)],
    )


def latest_record(
    uow_factory: RetroUnitOfWorkFactory,
    team_id: str | None,
    channel_id: str,
    retro_id: int | None = None,
) -> RetroRecord:
    with uow_factory() as uow:
        if retro_id is None:
            retros = uow.retros.retros_in_channel(team_id, channel_id, 50)
            if not retros:
                raise Refusal("retro_none_here", channel_id=channel_id)
            closed = [r for r in retros if r.phase == CLOSED]
            retro_id = (closed or retros)[0].id
        retro = uow.retros.retro(retro_id)
        if retro is None or retro.channel_id != channel_id:
            raise Refusal("retro_not_here", channel_id=channel_id, retro_id=retro_id)
        return record_of(uow, retro_id)

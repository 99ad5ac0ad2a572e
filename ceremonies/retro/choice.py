"""From items to actions: the rating phase, the proposals, owners, and closing the retro."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Message
from ceremonies.core.request import Request
from ceremonies.retro.flow import (
    CHOOSING,
    CLOSED,
    COLLECTING,
    IMPROVE,
    RATING,
    WELL,
    open_retro_here,
    refresh_parent,
    require_facilitator,
)
from ceremonies.retro.ports import ActionRow, RetroRow, RetroUnitOfWork, RetroUnitOfWorkFactory
from ceremonies.retro.rating import rated_items
from ceremonies.retro.rules import (
    Proposal,
    Rating,
    aggregate,
    drop,
    matrix,
    propose,
    simple_threshold,
    swap,
)

REVISIT_AFTER = timedelta(days=14)


def choice_context(uow: RetroUnitOfWork, retro: RetroRow) -> dict[str, Any]:
    items = rated_items(uow, retro.id)
    scores = aggregate(
        [i.id for i in items],
        [
            Rating(r.item_id, r.rater_id, r.importance, r.complexity)
            for r in uow.retros.ratings(retro.id)
        ],
    )
    by_id = {i.id: i for i in items}
    actions = uow.retros.actions(retro.id)
    chosen = {a.item_id for a in actions}
    rows = [
        {
            "item_id": s.item_id,
            "number": by_id[s.item_id].number,
            "text": by_id[s.item_id].text,
            "importance": s.importance,
            "complexity": s.complexity,
            "importance_spread": s.importance_spread,
            "complexity_spread": s.complexity_spread,
            "raters": s.raters,
            "disputed": s.disputed,
            "chosen": s.item_id in chosen,
        }
        for s in scores
    ]
    grid = [[[by_id[i].number for i in cell] for cell in row] for row in matrix(scores)]
    return {
        "retro_id": retro.id,
        "title": retro.title,
        "phase": retro.phase,
        "items": rows,
        "grid": grid,
        "simple_threshold": simple_threshold(scores),
        "actions": [
            {
                "position": a.position,
                "slot": a.slot,
                "number": by_id[a.item_id].number if a.item_id in by_id else None,
                "text": _item_text(uow, a.item_id),
                "owner_id": a.owner_id,
            }
            for a in actions
        ],
        "other_items": [
            {"number": r["number"], "text": r["text"]} for r in rows if not r["chosen"]
        ],
    }


def _item_text(uow: RetroUnitOfWork, item_id: int) -> str:
    item = uow.retros.item(item_id)
    return item.text if item else ""


def _store_proposals(
    uow: RetroUnitOfWork, retro: RetroRow, proposals: list[Proposal], now: datetime
) -> None:
    uow.retros.remove_actions(retro.id)
    for position, proposal in enumerate(proposals, start=1):
        uow.retros.add_action(
            team_id=retro.team_id,
            retro_id=retro.id,
            channel_id=retro.channel_id,
            item_id=proposal.item_id,
            slot=proposal.slot,
            position=position,
            owner_id=None,
            status="proposed",
            helped=None,
            revisit_on=None,
            updated_at=now,
        )


def pick(uow_factory: RetroUnitOfWorkFactory, chat: Chat, request: Request) -> None:
    """Ends rating: scores every item and proposes the actions (once; later calls re-show)."""
    with uow_factory() as uow:
        retro = open_retro_here(uow, request.team_id, request.channel_id)
        require_facilitator(retro, request.actor)
        if retro.phase == COLLECTING:
            raise Refusal("retro_rate_first")
        if retro.phase == RATING:
            items = rated_items(uow, retro.id)
            scores = aggregate(
                [i.id for i in items],
                [
                    Rating(r.item_id, r.rater_id, r.importance, r.complexity)
                    for r in uow.retros.ratings(retro.id)
                ],
            )
            _store_proposals(uow, retro, propose(scores), request.now)
            retro.phase = CHOOSING
        uow.commit()
        retro_id = retro.id
    publish_choice(uow_factory, chat, retro_id, with_chart=True)
    refresh_parent(uow_factory, chat, retro_id)


def publish_choice(
    uow_factory: RetroUnitOfWorkFactory, chat: Chat, retro_id: int, *, with_chart: bool = False
) -> None:
    """Posts the scores and proposals once, and updates that same message afterwards."""
    with uow_factory() as uow:
        retro = uow.retros.retro(retro_id)
        assert retro is not None and retro.parent_ts is not None
        context = choice_context(uow, retro)
        team_id, channel, parent_ts, choice_ts = (
            retro.team_id,
            retro.channel_id,
            retro.parent_ts,
            retro.choice_ts,
        )
    message = Message("retro/choice", context, thread_ts=parent_ts)
    if choice_ts:
        chat.update(team_id, channel, choice_ts, message)
    else:
        posted = chat.post(team_id, channel, message)
        with uow_factory() as uow:
            row = uow.retros.retro(retro_id)
            assert row is not None
            row.choice_ts = posted.ts
            uow.commit()
    if with_chart:
        chat.upload_chart(team_id, channel, parent_ts, "retro_matrix", context)


def _choosing_retro(
    uow: RetroUnitOfWork, request: Request, retro_id: int | None = None
) -> RetroRow:
    retro = open_retro_here(uow, request.team_id, request.channel_id)
    if retro_id is not None and retro.id != retro_id:
        raise Refusal("retro_stale")  # a control on an earlier retro's message
    require_facilitator(retro, request.actor)
    if retro.phase != CHOOSING:
        raise Refusal("retro_wrong_phase", phase=retro.phase, wanted=CHOOSING)
    return retro


def _current(uow: RetroUnitOfWork, retro: RetroRow) -> list[Proposal]:
    return [Proposal(a.slot, a.item_id) for a in uow.retros.actions(retro.id)]  # type: ignore[arg-type]


def _action_at(uow: RetroUnitOfWork, retro: RetroRow, position: int) -> ActionRow:
    actions = uow.retros.actions(retro.id)
    if not 1 <= position <= len(actions):
        raise Refusal("retro_no_such_action", position=position, count=len(actions))
    return actions[position - 1]


def _change_proposals(
    uow_factory: RetroUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    position: int,
    change: Callable[[RetroUnitOfWork, RetroRow, ActionRow, list[Proposal]], list[Proposal]],
    retro_id: int | None,
) -> None:
    """Swaps or drops a proposal; owners already chosen stay with their items."""
    with uow_factory() as uow:
        retro = _choosing_retro(uow, request, retro_id)
        action = _action_at(uow, retro, position)
        owners = {a.item_id: a.owner_id for a in uow.retros.actions(retro.id)}
        changed = change(uow, retro, action, _current(uow, retro))
        _store_proposals(uow, retro, changed, request.now)
        for new in uow.retros.actions(retro.id):
            new.owner_id = owners.get(new.item_id)
        uow.commit()
        retro_id = retro.id
    publish_choice(uow_factory, chat, retro_id)


def swap_action(
    uow_factory: RetroUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    position: int,
    item_number: int,
    *,
    retro_id: int | None = None,
) -> None:
    """Action `position` becomes item `item_number` instead."""

    def replace(
        uow: RetroUnitOfWork, retro: RetroRow, action: ActionRow, current: list[Proposal]
    ) -> list[Proposal]:
        item = uow.retros.item_by_number(retro.id, item_number)
        if item is None or item.kind != IMPROVE or item.source == "late":
            raise Refusal("retro_no_such_item", number=item_number)
        scores = aggregate([i.id for i in rated_items(uow, retro.id)], [])
        return swap(current, action.slot, item.id, scores)  # type: ignore[arg-type]

    _change_proposals(uow_factory, chat, request, position, replace, retro_id)


def drop_action(
    uow_factory: RetroUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    position: int,
    *,
    retro_id: int | None = None,
) -> None:
    """Keeps the other actions only."""

    def keep_others(
        uow: RetroUnitOfWork, retro: RetroRow, action: ActionRow, current: list[Proposal]
    ) -> list[Proposal]:
        return drop(current, action.slot)  # type: ignore[arg-type]

    _change_proposals(uow_factory, chat, request, position, keep_others, retro_id)


def set_owner(
    uow_factory: RetroUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    position: int,
    owner_id: str,
    *,
    retro_id: int | None = None,
) -> None:
    """Action `position` is `owner_id`'s, who must be a person in the channel."""
    team_id, channel_id = request.team_id, request.channel_id
    with uow_factory() as uow:
        _action_at(uow, _choosing_retro(uow, request, retro_id), position)
    if owner_id not in chat.channel_members(team_id, channel_id):
        raise Refusal("not_channel_member", user_id=owner_id, channel_id=channel_id)
    profile = chat.profile(team_id, owner_id)
    if profile.is_bot or profile.deleted:
        raise Refusal("not_a_person", user_id=owner_id)
    with uow_factory() as uow:
        retro = _choosing_retro(uow, request, retro_id)
        _action_at(uow, retro, position).owner_id = owner_id  # dropped meanwhile: refused
        uow.commit()
        retro_id = retro.id
    publish_choice(uow_factory, chat, retro_id)


def close(uow_factory: RetroUnitOfWorkFactory, chat: Chat, request: Request) -> None:
    """Closes the retro once every action has an owner, and posts its summary."""
    now = request.now
    with uow_factory() as uow:
        retro = open_retro_here(uow, request.team_id, request.channel_id)
        require_facilitator(retro, request.actor)
        actions = uow.retros.actions(retro.id)
        if retro.phase != CHOOSING and actions:
            raise Refusal("retro_wrong_phase", phase=retro.phase, wanted=CHOOSING)
        unowned = [a.position for a in actions if a.owner_id is None]
        if unowned:
            raise Refusal("retro_owner_missing", positions=unowned)
        for action in actions:
            action.status = "open"
            action.revisit_on = (now + REVISIT_AFTER).date()
            action.updated_at = now
        retro.phase = CLOSED
        retro.closed_at = now
        uow.commit()
        summary = choice_context(uow, retro)
        summary["went_well"] = [
            i.text for i in uow.retros.items(retro.id, WELL) if i.source != "late"
        ]
        summary["revisit_on"] = (now + REVISIT_AFTER).date()
        team, channel, parent_ts, retro_id = (
            retro.team_id,
            retro.channel_id,
            retro.parent_ts,
            retro.id,
        )
    if parent_ts:
        chat.post(team, channel, Message("retro/summary", summary, thread_ts=parent_ts))
    if summary["actions"]:
        # The choice message loses its controls, and the chart shows the final choice.
        publish_choice(uow_factory, chat, retro_id, with_chart=True)
    refresh_parent(uow_factory, chat, retro_id)

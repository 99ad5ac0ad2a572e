"""The rating phase of a retro: opening it, the paged rating form, and storing ratings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Message
from ceremonies.core.request import Request
from ceremonies.retro.flow import (
    COLLECTING,
    IMPROVE,
    RATING,
    open_retro_here,
    refresh_parent,
    require_facilitator,
)
from ceremonies.retro.ports import RetroUnitOfWork, RetroUnitOfWorkFactory
from ceremonies.retro.rules import Rating

# Three blocks an item (its text, two selects): ten items stay far below a view's 100 blocks.
PAGE_SIZE = 10


def rated_items(uow: RetroUnitOfWork, retro_id: int) -> list[Any]:
    return [i for i in uow.retros.items(retro_id, IMPROVE) if i.source != "late"]


def start_rating(uow_factory: RetroUnitOfWorkFactory, chat: Chat, request: Request) -> int:
    team_id = request.team_id
    with uow_factory() as uow:
        retro = open_retro_here(uow, team_id, request.channel_id)
        require_facilitator(retro, request.actor)
        if retro.phase != COLLECTING:
            raise Refusal("retro_wrong_phase", phase=retro.phase, wanted=COLLECTING)
        items = rated_items(uow, retro.id)
        if not items:
            raise Refusal("retro_nothing_to_rate")
        retro.phase = RATING
        uow.commit()
        retro_id, parent_ts = retro.id, retro.parent_ts
    if parent_ts:
        chat.post(
            team_id,
            request.channel_id,
            Message("retro/rating_started", {"count": len(items)}, thread_ts=parent_ts),
        )
    refresh_parent(uow_factory, chat, retro_id)
    return len(items)


@dataclass(frozen=True)
class RatingPage:
    retro_id: int
    title: str
    page: int
    pages: int
    items: list[dict[str, Any]]


def rating_page(
    uow_factory: RetroUnitOfWorkFactory, team_id: str, retro_id: int, rater: str, page: int
) -> RatingPage:
    with uow_factory() as uow:
        retro = uow.retros.retro(retro_id)
        if retro is None or retro.team_id != team_id:
            raise Refusal("retro_none_open")
        if retro.phase != RATING:
            raise Refusal("retro_not_rating", phase=retro.phase)
        items = rated_items(uow, retro.id)
        mine = {r.item_id: r for r in uow.retros.ratings_by(retro.id, rater)}
        pages = max(1, -(-len(items) // PAGE_SIZE))
        page = min(max(page, 1), pages)
        chosen = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return RatingPage(
            retro_id=retro.id,
            title=retro.title,
            page=page,
            pages=pages,
            items=[
                {
                    "id": i.id,
                    "number": i.number,
                    "text": i.text,
                    "importance": mine[i.id].importance if i.id in mine else None,
                    "complexity": mine[i.id].complexity if i.id in mine else None,
                }
                for i in chosen
            ],
        )


def submit_ratings(
    uow_factory: RetroUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    retro_id: int,
    ratings: list[tuple[int, str, str]],
) -> None:
    """Stores one page of the asking participant's ratings; a later submission replaces theirs.

    Each rating is (item id, importance, complexity) as the form sent them.
    """
    team_id, rater, now = request.team_id, request.user_id, request.now
    parsed = [Rating.of(item_id, rater, imp, cx) for item_id, imp, cx in ratings]
    with uow_factory() as uow:
        retro = uow.retros.retro(retro_id)
        if retro is None or retro.team_id != team_id:
            raise Refusal("retro_none_open")
        if retro.phase != RATING:
            raise Refusal("retro_not_rating", phase=retro.phase)
        valid = {i.id for i in rated_items(uow, retro.id)}
        for rating in parsed:
            if rating.item_id in valid:
                uow.retros.put_rating(
                    team_id,
                    retro.id,
                    rating.item_id,
                    rater,
                    rating.importance,
                    rating.complexity,
                    now,
                )
        uow.commit()
    refresh_parent(uow_factory, chat, retro_id)

"""Running a retro: start, collect items, move phases, hand over facilitation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ceremonies.core import languages
from ceremonies.core.errors import Refusal
from ceremonies.core.i18n import N_
from ceremonies.core.ports import Chat, Message
from ceremonies.core.request import Actor, Request, Written
from ceremonies.core.text import unescape
from ceremonies.retro.ports import ItemRow, RetroRow, RetroUnitOfWork, RetroUnitOfWorkFactory
from ceremonies.retro.rules import Rating, aggregate
from ceremonies.retro.similarity import most_similar

COLLECTING, RATING, CHOOSING, CLOSED = "collecting", "rating", "choosing", "closed"
WELL, IMPROVE = "well", "improve"
MAX_ITEM_LENGTH = 3000
MAX_TITLE_LENGTH = 150
MAX_REFRESHES = 5  # a parent refresh re-reads after updating; items keep coming at most so often


def parent_context(uow: RetroUnitOfWork, retro: RetroRow) -> dict[str, Any]:
    items = [i for i in uow.retros.items(retro.id) if i.source != "late"]
    raters = {r.rater_id for r in uow.retros.ratings(retro.id)}
    return {
        "retro_id": retro.id,
        "title": retro.title,
        "facilitator_id": retro.facilitator_id,
        "phase": retro.phase,
        "went_well": sum(1 for i in items if i.kind == WELL),
        "to_improve": sum(1 for i in items if i.kind == IMPROVE),
        "raters": len(raters),
        "actions": len(uow.retros.actions(retro.id)),
    }


def refresh_parent(uow_factory: RetroUnitOfWorkFactory, chat: Chat, retro_id: int) -> None:
    """Shows the retro's counts on its parent message. Items arriving together are refreshed
    by several workers at once, and an older count can land after a newer one: so each one
    reads the counts again after its update and updates once more if they moved on."""
    shown: dict[str, Any] | None = None
    for _ in range(MAX_REFRESHES):
        with uow_factory() as uow:
            retro = uow.retros.retro(retro_id)
            if retro is None or retro.parent_ts is None:
                return
            context = parent_context(uow, retro)
            team_id, channel, ts = retro.team_id, retro.channel_id, retro.parent_ts
        if context == shown:
            return
        chat.update(team_id, channel, ts, Message("retro/parent", context))
        shown = context


def require_facilitator(retro: RetroRow, actor: Actor) -> None:
    if actor.user_id != retro.facilitator_id and not actor.is_admin:
        raise Refusal("retro_not_facilitator", facilitator_id=retro.facilitator_id)


def open_retro_here(uow: RetroUnitOfWork, team_id: str, channel_id: str) -> RetroRow:
    retro = uow.retros.open_retro(team_id, channel_id)
    if retro is None:
        raise Refusal("retro_none_open")
    return retro


def start_retro(
    uow_factory: RetroUnitOfWorkFactory, chat: Chat, request: Request, title: str
) -> int:
    """Posts the retro's parent message and, in its thread, the review of the last actions."""
    team_id, channel_id, now = request.team_id, request.channel_id, request.now
    title = " ".join(title.split())[:MAX_TITLE_LENGTH] or N_("Retro %(date)s") % {
        "date": f"{now:%d %b %Y}"
    }
    with uow_factory() as uow:
        running = uow.retros.open_retro(team_id, channel_id)
        if running is not None:
            link = (
                chat.permalink(team_id, channel_id, running.parent_ts)
                if running.parent_ts
                else None
            )
            raise Refusal("retro_already_open", title=running.title, link=link)
        previous = next(
            (r for r in uow.retros.retros_in_channel(team_id, channel_id) if r.phase == CLOSED),
            None,
        )
        retro = uow.retros.add_retro(
            team_id=team_id,
            channel_id=channel_id,
            title=title,
            facilitator_id=request.user_id,
            phase=COLLECTING,
            created_at=now,
        )
        # Before the parent is posted: it is in the channel's language, its owner's.
        languages.note_owner(uow.languages, team_id, channel_id, request.user_id)
        uow.commit()
        parent = Message("retro/parent", parent_context(uow, retro))
        review = _review_context(uow, previous, retro.id)
        retro_id = retro.id
    posted = chat.post(team_id, channel_id, parent)
    with uow_factory() as uow:
        row = uow.retros.retro(retro_id)
        assert row is not None
        row.parent_ts = posted.ts
        uow.commit()
    chat.post(team_id, channel_id, Message("retro/review", review, thread_ts=posted.ts))
    return retro_id


def _review_context(
    uow: RetroUnitOfWork, previous: RetroRow | None, retro_id: int
) -> dict[str, Any]:
    actions = []
    if previous is not None:
        for action in uow.retros.actions(previous.id):
            item = uow.retros.item(action.item_id)
            actions.append(
                {
                    "id": action.id,
                    "text": item.text if item else "",
                    "owner_id": action.owner_id,
                    "status": action.status,
                    "helped": action.helped,
                    "slot": action.slot,
                }
            )
    backlog = (
        uow.retros.backlog(previous.team_id, previous.channel_id, retro_id) if previous else []
    )
    return {
        "retro_id": retro_id,
        "previous_title": previous.title if previous else None,
        "actions": actions,
        "backlog": _with_scores(uow, backlog),
    }


def _with_scores(uow: RetroUnitOfWork, items: list[ItemRow]) -> list[dict[str, Any]]:
    """Backlog items keep the scores they got in their own retro."""
    ratings: dict[int, list[Rating]] = {}
    for retro_id in {i.retro_id for i in items}:
        for r in uow.retros.ratings(retro_id):
            ratings.setdefault(r.item_id, []).append(
                Rating(r.item_id, r.rater_id, r.importance, r.complexity)
            )
    shown = []
    for item in items:
        (score,) = aggregate([item.id], ratings.get(item.id, []))
        shown.append(
            {"text": item.text, "importance": score.importance, "complexity": score.complexity}
        )
    return shown


def carry_backlog(
    uow_factory: RetroUnitOfWorkFactory, chat: Chat, request: Request, retro_id: int
) -> int:
    """Brings the channel's unchosen improvement items into this retro, to be rated anew."""
    team_id, actor, now = request.team_id, request.actor, request.now
    with uow_factory() as uow:
        retro = uow.retros.retro(retro_id)
        if retro is None or retro.team_id != team_id:
            raise Refusal("retro_none_open")
        require_facilitator(retro, actor)
        if retro.phase != COLLECTING:
            raise Refusal("retro_not_collecting", phase=retro.phase)
        carried = uow.retros.backlog(team_id, retro.channel_id, retro.id)
        for old in carried:
            uow.retros.add_item(
                team_id=team_id,
                retro_id=retro.id,
                kind=IMPROVE,
                text=old.text,
                author_id=old.author_id,
                message_ts=None,
                source="carried",
                carried_from_id=old.id,
                backlog="open",
                created_at=now,
            )
            old.backlog = "carried"
        uow.commit()
        texts = [o.text for o in carried]
        channel, parent_ts = retro.channel_id, retro.parent_ts
    if texts and parent_ts:
        chat.post(team_id, channel, Message("retro/carried", {"texts": texts}, thread_ts=parent_ts))
    refresh_parent(uow_factory, chat, retro_id)
    return len(texts)


@dataclass(frozen=True)
class ItemOutcome:
    item: ItemRow | None
    kept_for_later: bool
    phase: str


def add_item(
    uow_factory: RetroUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    retro_id: int,
    text: str,
    kind: str,
    *,
    anonymous: bool = False,
    message_ts: str | None = None,
    request_key: str | None = None,
    announce: bool = False,
) -> ItemOutcome:
    """Stores an item. Outside collecting it is kept in the backlog, never dropped.

    The author of an `anonymous` item is not stored anywhere. `request_key` names the form
    submission that sent it: the same submission again (a replay) adds nothing.
    """
    team_id, now = request.team_id, request.now
    author_id = None if anonymous else request.user_id
    text = text.strip()
    if not text:
        raise Refusal("retro_item_empty")
    typed = len(unescape(text))  # what the person typed; Slack's escaping only lengthens it
    if typed > MAX_ITEM_LENGTH:
        raise Refusal("retro_item_too_long", length=typed, limit=MAX_ITEM_LENGTH)
    with uow_factory() as uow:
        retro = uow.retros.retro(retro_id)
        if retro is None or retro.team_id != team_id:
            raise Refusal("retro_none_open")
        known = uow.retros.item_by_request(team_id, request_key) if request_key else None
        if known is not None:
            return ItemOutcome(known, kept_for_later=known.source == "late", phase=retro.phase)
        collecting = retro.phase == COLLECTING
        item = uow.retros.add_item(
            team_id=team_id,
            retro_id=retro.id,
            kind=kind if collecting else IMPROVE,
            text=text,
            author_id=author_id,
            message_ts=message_ts,
            request_key=request_key,
            source=("thread" if message_ts else "form") if collecting else "late",
            carried_from_id=None,
            backlog="open",
            created_at=now,
        )
        similar = _similar_earlier(uow, retro, item) if item.kind == IMPROVE else None
        uow.commit()
        channel, parent_ts, phase = retro.channel_id, retro.parent_ts, retro.phase
    if parent_ts:
        if announce and collecting:
            chat.post(
                team_id,
                channel,
                Message(
                    "retro/form_item",
                    {"text": text, "kind": kind, "author_id": author_id, "number": item.number},
                    thread_ts=parent_ts,
                ),
            )
        if similar:
            chat.post(team_id, channel, Message("retro/similar", similar, thread_ts=parent_ts))
    if collecting:
        refresh_parent(uow_factory, chat, retro_id)
    return ItemOutcome(item, kept_for_later=not collecting, phase=phase)


def _similar_earlier(uow: RetroUnitOfWork, retro: RetroRow, item: ItemRow) -> dict[str, Any] | None:
    earlier = uow.retros.earlier_items(retro.team_id, retro.channel_id, retro.id)
    found = most_similar(item.text, [(e.id, e.text) for e in earlier if e.carried_from_id is None])
    if found is None:
        return None
    match = uow.retros.item(found[0])
    assert match is not None
    then = uow.retros.retro(match.retro_id)
    action = uow.retros.action_for_item(match.id)
    return {
        "number": item.number,
        "earlier_text": match.text,
        "earlier_title": then.title if then else "",
        "earlier_date": then.created_at if then else None,
        "action": None
        if action is None
        else {"status": action.status, "helped": action.helped, "owner_id": action.owner_id},
    }


def item_in_thread(
    uow_factory: RetroUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    thread_ts: str,
    reply: Written,
) -> ItemOutcome | None:
    """A reply in a retro's thread is an item; `+` at the start means it went well."""
    team_id = request.team_id
    with uow_factory() as uow:
        retro = uow.retros.retro_by_thread(team_id, request.channel_id, thread_ts)
        known = uow.retros.item_by_message(team_id, reply.ts, request.user_id)
        if retro is None or known is not None:
            return None
        retro_id = retro.id
    stripped = reply.text.strip()
    kind = WELL if stripped.startswith("+") else IMPROVE
    body = stripped[1:].strip() if kind == WELL else stripped
    return add_item(uow_factory, chat, request, retro_id, body, kind, message_ts=reply.ts)


def edit_item(uow_factory: RetroUnitOfWorkFactory, request: Request, edited: Written) -> bool:
    """An edited thread reply changes its item's text (only its author's own item)."""
    with uow_factory() as uow:
        item = uow.retros.item_by_message(request.team_id, edited.ts, request.user_id)
        if item is None:
            return False
        stripped = edited.text.strip()
        item.text = (
            stripped[1:].strip() if item.kind == WELL and stripped.startswith("+") else stripped
        )
        uow.commit()
        return True


def hand_over(
    uow_factory: RetroUnitOfWorkFactory, chat: Chat, request: Request, new_facilitator: str
) -> str:
    team_id, channel_id, actor = request.team_id, request.channel_id, request.actor
    if new_facilitator not in chat.channel_members(team_id, channel_id):
        raise Refusal("not_channel_member", user_id=new_facilitator, channel_id=channel_id)
    if chat.profile(team_id, new_facilitator).is_bot:
        raise Refusal("not_a_person", user_id=new_facilitator)
    with uow_factory() as uow:
        retro = open_retro_here(uow, team_id, channel_id)
        require_facilitator(retro, actor)
        retro.facilitator_id = new_facilitator
        retro_id = retro.id
        uow.commit()
    refresh_parent(uow_factory, chat, retro_id)
    return new_facilitator

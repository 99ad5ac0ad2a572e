"""Swaps and covers: people trading shifts, asked and answered in Slack, applied once.

A swap exchanges the asker's next turn with the partner's next turn, only once the
partner accepts; a stale or repeated answer changes nothing. A cover is an open request
in the channel; the first member to take it gets it (an atomic claim), and it becomes a
window on the schedule like an override.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Conflict, DeliveryError, Message
from ceremonies.core.request import Actor, Request
from ceremonies.core.time_model import DateRange, wall_clock_instant
from ceremonies.oncall.notify import change_and_tell, require_rotation
from ceremonies.oncall.plan import COVER, MIDNIGHT, Absences, Plan, Turn
from ceremonies.oncall.ports import (
    OncallUnitOfWork,
    OncallUnitOfWorkFactory,
    RotationRow,
    SwapRow,
)
from ceremonies.oncall.schedule import load_plan, people_of, versions_of

LOOK_AHEAD = timedelta(weeks=26)
ASKED, ACCEPTED, DECLINED, STALE = "asked", "accepted", "declined", "stale"


@dataclass(frozen=True)
class SwapAsked:
    swap_id: int
    requester_id: str
    partner_id: str
    channel_id: str
    tz: str
    first: Turn
    second: Turn


@dataclass(frozen=True)
class CoverAsked:
    cover_id: int
    requester_id: str
    asked_by: str
    channel_id: str
    tz: str
    start: datetime
    end: datetime


def _next_turn(plan_: Plan, user_id: str, now: datetime) -> Turn | None:
    return next((t for t in plan_.turns if t.start > now and t.user_id == user_id), None)


def ask_swap(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    partner_id: str,
    request_key: str | None = None,
) -> SwapAsked:
    """Records the request and DMs the partner Accept / Decline; nothing changes yet."""
    if partner_id == request.user_id:
        raise Refusal("oncall_swap_self")
    with uow_factory() as uow:
        rotation = require_rotation(uow, request)
        members = set(versions_of(uow, rotation)[-1].members)
        for user in (request.user_id, partner_id):
            if user not in members:
                raise Refusal("oncall_not_member", user_id=user)
        plan_ = load_plan(uow, rotation, request.now, request.now + LOOK_AHEAD)
        first = _next_turn(plan_, request.user_id, request.now)
        second = _next_turn(plan_, partner_id, request.now)
        if first is None or second is None:
            raise Refusal("oncall_swap_no_shift", user_id=partner_id if first else request.user_id)
        _check_free(uow, rotation, partner_id, first)
        _check_free(uow, rotation, request.user_id, second)
        try:
            swap = uow.oncalls.add_swap(
                rotation_id=rotation.id,
                requester_id=request.user_id,
                partner_id=partner_id,
                first_start=first.start,
                second_start=second.start,
                status=ASKED,
                created_at=request.now,
                answered_at=None,
                request_key=request_key,
            )
        except Conflict:
            raise Refusal("oncall_already_answered") from None
        uow.commit()
        asked = SwapAsked(
            swap.id,
            request.user_id,
            partner_id,
            rotation.channel_id,
            rotation.member_tz.get(partner_id, versions_of(uow, rotation)[-1].tz),
            first,
            second,
        )
    _dm(chat, request.team_id, partner_id, Message("oncall/swap_request", {"swap": asked}))
    return asked


def _check_free(uow: OncallUnitOfWork, rotation: RotationRow, user_id: str, turn: Turn) -> None:
    if not Absences(people_of(uow, rotation, [user_id])).is_free(user_id, turn.start, turn.end):
        raise Refusal("oncall_swap_away", user_id=user_id)


def _dm(chat: Chat, team_id: str, user_id: str, message: Message) -> None:
    # If Slack refuses, the answer shown to the person who acted still says what happened.
    with contextlib.suppress(DeliveryError):
        chat.post(team_id, chat.open_dm(team_id, user_id), message)


def answer_swap(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    team_id: str,
    actor: Actor,
    swap_id: int,
    accept: bool,
    now: datetime,
) -> SwapAsked:
    """The partner's answer. Only they may answer, once; a swap gone stale changes nothing."""
    with uow_factory() as uow:
        swap = uow.oncalls.swap(swap_id)
        rotation = uow.oncalls.rotation(swap.rotation_id) if swap else None
        if swap is None or rotation is None or rotation.team_id != team_id:
            raise Refusal("oncall_stale")
        if swap.partner_id != actor.user_id:
            raise Refusal("oncall_swap_not_yours", user_id=swap.partner_id)
        if swap.status != ASKED:
            raise Refusal("oncall_already_answered")
        channel_id = rotation.channel_id
        if accept and _turns_of(uow, rotation, swap, now) is None:
            # The shifts moved since it was asked: the answer is kept, nothing is swapped.
            if not uow.oncalls.compare_and_set(
                swap, {"status": ASKED}, {"status": STALE, "answered_at": now}
            ):
                raise Refusal("oncall_already_answered")
            uow.commit()
            raise Refusal("oncall_swap_stale")
    request = Request(team_id, channel_id, actor, now)
    status = ACCEPTED if accept else DECLINED

    def mutate(uow: OncallUnitOfWork, rotation: RotationRow) -> SwapAsked:
        row = uow.oncalls.swap(swap_id)
        assert row is not None
        turns = _turns_of(uow, rotation, row, now, check=False)
        if turns is None or not uow.oncalls.compare_and_set(
            row, {"status": ASKED}, {"status": status, "answered_at": now}
        ):
            raise Refusal("oncall_already_answered")
        tz = versions_of(uow, rotation)[-1].tz
        return SwapAsked(row.id, row.requester_id, row.partner_id, channel_id, tz, *turns)

    asked, _ = change_and_tell(uow_factory, chat, request, mutate)
    if accept:
        chat.post(team_id, channel_id, Message("oncall/swap_done", {"swap": asked}))
    else:
        _dm(chat, team_id, asked.requester_id, Message("oncall/swap_declined", {"swap": asked}))
    return asked


def _turns_of(
    uow: OncallUnitOfWork,
    rotation: RotationRow,
    swap: SwapRow,
    now: datetime,
    *,
    check: bool = True,
) -> tuple[Turn, Turn] | None:
    """The swap's two turns as the schedule has them now; with `check`, None unless the
    swap still holds: both turns to come, still theirs, and each free for the other's."""
    plan_ = load_plan(uow, rotation, now, now + LOOK_AHEAD)
    turns = {t.start: t for t in plan_.turns}
    first, second = turns.get(swap.first_start), turns.get(swap.second_start)
    if first is None or second is None:
        return None
    if not check:
        return first, second
    free = Absences(people_of(uow, rotation, [swap.requester_id, swap.partner_id]))
    holds = (
        first.start > now
        and first.user_id == swap.requester_id
        and second.user_id == swap.partner_id
        and free.is_free(swap.partner_id, first.start, first.end)
        and free.is_free(swap.requester_id, second.start, second.end)
    )
    return (first, second) if holds else None


def ask_cover(
    uow_factory: OncallUnitOfWorkFactory,
    request: Request,
    requester_id: str | None,
    days: DateRange | None,
    request_key: str | None = None,
) -> CoverAsked:
    """An open request, for the channel, to cover (part of) someone's next shift."""
    with uow_factory() as uow:
        rotation = require_rotation(uow, request)
        whose = requester_id or request.user_id
        manager = request.user_id == rotation.owner_id or request.actor.is_admin
        if whose != request.user_id and not manager:
            raise Refusal("oncall_not_owner_cover", user_id=whose)
        tz = versions_of(uow, rotation)[-1].tz
        plan_ = load_plan(uow, rotation, request.now, request.now + LOOK_AHEAD)
        shift = next((s for s in plan_.shifts if s.end > request.now and s.user_id == whose), None)
        if shift is None:
            raise Refusal("oncall_cover_no_shift", user_id=whose)
        start, end = max(shift.start, request.now), shift.end
        if days is not None:
            start = max(start, wall_clock_instant(tz, days.start, MIDNIGHT))
            end = min(end, wall_clock_instant(tz, days.end + timedelta(days=1), MIDNIGHT))
            if end <= start:
                raise Refusal("oncall_cover_outside", start=shift.start, end=shift.end, tz=tz)
        try:
            cover = uow.oncalls.add_cover(
                rotation_id=rotation.id,
                requester_id=whose,
                asked_by=request.user_id,
                starts_at=start,
                ends_at=end,
                taker_id=None,
                taken_at=None,
                created_at=request.now,
                request_key=request_key,
            )
        except Conflict:
            raise Refusal("oncall_already_answered") from None
        uow.commit()
        return CoverAsked(cover.id, whose, request.user_id, rotation.channel_id, tz, start, end)


def take_cover(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    team_id: str,
    actor: Actor,
    cover_id: int,
    now: datetime,
) -> CoverAsked:
    """The first member to press "Take it" gets the cover; everyone after is told."""
    with uow_factory() as uow:
        cover = uow.oncalls.cover(cover_id)
        rotation = uow.oncalls.rotation(cover.rotation_id) if cover else None
        if cover is None or rotation is None or rotation.team_id != team_id:
            raise Refusal("oncall_stale")
        channel_id = rotation.channel_id
    request = Request(team_id, channel_id, actor, now)

    def mutate(uow: OncallUnitOfWork, rotation: RotationRow) -> CoverAsked:
        row = uow.oncalls.cover(cover_id)
        assert row is not None
        if actor.user_id not in rotation.member_tz:
            raise Refusal("oncall_not_member", user_id=actor.user_id)
        if actor.user_id == row.requester_id:
            raise Refusal("oncall_cover_own")
        if row.ends_at <= now:
            raise Refusal("oncall_stale")
        people = people_of(uow, rotation, [actor.user_id])
        if not Absences(people).is_free(actor.user_id, max(row.starts_at, now), row.ends_at):
            raise Refusal("oncall_override_away", user_id=actor.user_id)
        if not uow.oncalls.compare_and_set(
            row, {"taker_id": None}, {"taker_id": actor.user_id, "taken_at": now}
        ):
            raise Refusal("oncall_cover_taken", user_id=row.taker_id or "")
        uow.oncalls.add_window(
            rotation_id=rotation.id,
            starts_at=max(row.starts_at, now),
            ends_at=row.ends_at,
            user_id=actor.user_id,
            reason=COVER,
            created_by=actor.user_id,
            created_at=now,
            request_key=f"cover:{row.id}",
        )
        tz = versions_of(uow, rotation)[-1].tz
        return CoverAsked(
            row.id, row.requester_id, row.asked_by, channel_id, tz, row.starts_at, row.ends_at
        )

    covered, _ = change_and_tell(uow_factory, chat, request, mutate)
    _dm(
        chat,
        team_id,
        covered.requester_id,
        Message("oncall/cover_taken_dm", {"cover": covered, "taker_id": actor.user_id}),
    )
    return covered

"""Changes to who is on call when: overrides, absences and handoff notes."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Conflict
from ceremonies.core.request import Request
from ceremonies.core.time_model import DateRange
from ceremonies.oncall.notify import change_and_tell, require_rotation
from ceremonies.oncall.plan import OVERRIDE, Absences, Shift
from ceremonies.oncall.ports import OncallUnitOfWork, OncallUnitOfWorkFactory, RotationRow
from ceremonies.oncall.schedule import load_plan, people_of

MAX_OVERRIDE = timedelta(days=90)
MAX_NOTE = 2000


def override(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    user_id: str,
    window: tuple[datetime, datetime] | None,
    request_key: str | None = None,
) -> Shift:
    """`user_id` on call for the window (or the rest of the current shift) instead."""
    profile = chat.profile(request.team_id, user_id)
    if profile.is_bot or profile.deleted:
        raise Refusal("oncall_not_a_person", user_id=user_id)

    def mutate(uow: OncallUnitOfWork, rotation: RotationRow) -> Shift:
        if window is None:
            current = load_plan(uow, rotation, request.now).on_call_at(request.now)
            if current is None:
                raise Refusal("oncall_no_current_shift")
            start, end = request.now, current.end
        else:
            start, end = window
        if end <= start:
            raise Refusal("oncall_window_reversed")
        if end - start > MAX_OVERRIDE:
            raise Refusal("oncall_window_too_long", days=MAX_OVERRIDE.days)
        if end <= request.now:
            raise Refusal("oncall_window_past")
        if user_id not in rotation.member_tz:
            rotation.member_tz = {**rotation.member_tz, user_id: profile.tz}
        people = people_of(uow, rotation, [user_id])
        if not Absences(people).is_free(user_id, max(start, request.now), end):
            raise Refusal("oncall_override_away", user_id=user_id)
        # A replayed request finds its window there already.
        with contextlib.suppress(Conflict):
            uow.oncalls.add_window(
                rotation_id=rotation.id,
                starts_at=start,
                ends_at=end,
                user_id=user_id,
                reason=OVERRIDE,
                created_by=request.user_id,
                created_at=request.now,
                request_key=request_key,
            )
        return Shift(start, end, user_id, OVERRIDE)

    shift, _ = change_and_tell(uow_factory, chat, request, mutate)
    return shift


def away(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    user_id: str,
    days: DateRange,
) -> list[str]:
    """An absence (shared with every ceremony); the shifts it touches are re-planned.

    Returns who was told their shifts moved.
    """

    def mutate(uow: OncallUnitOfWork, rotation: RotationRow) -> None:
        manager = request.user_id == rotation.owner_id or request.actor.is_admin
        if user_id != request.user_id and not manager:
            raise Refusal("oncall_not_owner_away", user_id=user_id)
        if user_id not in rotation.member_tz:
            raise Refusal("oncall_not_member", user_id=user_id)
        uow.people.add_absence(
            team_id=request.team_id,
            user_id=user_id,
            start_date=days.start,
            end_date=days.end,
            created_by=request.user_id,
            created_at=request.now,
        )

    _, told = change_and_tell(uow_factory, chat, request, mutate)
    return told


def add_note(
    uow_factory: OncallUnitOfWorkFactory, request: Request, text: str, request_key: str | None
) -> Shift:
    """A handoff note on the current shift, by the person on call."""
    text = text.strip()
    if not text:
        raise Refusal("oncall_note_empty")
    if len(text) > MAX_NOTE:
        raise Refusal("oncall_note_too_long", length=len(text), limit=MAX_NOTE)
    with uow_factory() as uow:
        rotation = require_rotation(uow, request)
        current = load_plan(uow, rotation, request.now).on_call_at(request.now)
        if current is None or current.user_id != request.user_id:
            raise Refusal("oncall_note_not_on_call", user_id=current.user_id if current else "")
        with contextlib.suppress(Conflict):
            uow.oncalls.add_note(
                rotation_id=rotation.id,
                shift_start=current.start,
                user_id=request.user_id,
                text=text,
                created_at=request.now,
                request_key=request_key,
            )
        uow.commit()
        return current

"""Telling people once: what changed in their shifts, and what is coming in 24 hours.

A notice is a row first (unique per rotation and key, in the same transaction as the
change or the claim that causes it), then a DM; a second worker or a replayed request
finds the row and sends nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Conflict, DeliveryError, Marker, Message
from ceremonies.core.request import Request
from ceremonies.core.time_model import DateRange
from ceremonies.oncall.plan import Plan, Window
from ceremonies.oncall.ports import OncallUnitOfWork, OncallUnitOfWorkFactory, RotationRow
from ceremonies.oncall.schedule import PLAN_AHEAD, load_plan, next_due

log = logging.getLogger(__name__)


def moved_shifts(before: Plan, after: Plan, now: datetime) -> dict[str, dict[str, list[Any]]]:
    """Per person whose shifts in the next 12 weeks changed: their old and new shifts."""
    horizon = now + PLAN_AHEAD

    def by_person(plan_: Plan) -> dict[str, list[tuple[datetime, datetime]]]:
        out: dict[str, list[tuple[datetime, datetime]]] = {}
        for shift in plan_.between(now, horizon):
            out.setdefault(shift.user_id, []).append((max(shift.start, now), shift.end))
        return out

    old, new = by_person(before), by_person(after)
    changed: dict[str, dict[str, list[Any]]] = {}
    for user in sorted(set(old) | set(new)):
        before_, after_ = old.get(user, []), new.get(user, [])
        if before_ != after_:
            # Only what moved: the shifts they lose and the ones they get.
            changed[user] = {
                "old": [[a.isoformat(), b.isoformat()] for a, b in before_ if (a, b) not in after_],
                "new": [[a.isoformat(), b.isoformat()] for a, b in after_ if (a, b) not in before_],
            }
    return changed


def _record_moves(
    uow: OncallUnitOfWork,
    rotation: RotationRow,
    before: Plan,
    after: Plan,
    now: datetime,
    key: str,
    by: str,
) -> list[str]:
    """One notice per person whose next 12 weeks moved, keyed so a replay adds none."""
    moved = moved_shifts(before, after, now)
    for user, shifts in moved.items():
        try:
            uow.oncalls.add_notice(
                rotation_id=rotation.id,
                key=f"{key}:{user}",
                user_id=user,
                context={"kind": "changed", "by": by, **shifts},
                created_at=now,
                sent_at=None,
            )
        except Conflict:
            continue
    return sorted(moved)


def absence_added(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    user_id: str,
    days: DateRange,
) -> list[str]:
    """An absence recorded elsewhere (`/daily away`): every rotation of the person re-plans,
    and whoever's shifts moved is told once. Returns who was told."""
    with uow_factory() as uow:
        rotation_ids = [r.id for r in uow.oncalls.rotations_of(request.team_id, user_id)]
    told: set[str] = set()
    for rotation_id in rotation_ids:
        with uow_factory() as uow:
            rotation = uow.oncalls.rotation(rotation_id)
            if rotation is None:
                continue
            before = load_plan(uow, rotation, request.now, ignoring=(user_id, days))
            after = load_plan(uow, rotation, request.now)
            key = f"absence:{user_id}:{days}"
            told |= set(
                _record_moves(uow, rotation, before, after, request.now, key, request.user_id)
            )
            reschedule(uow, rotation, after, request.now, after_change=True)
            uow.commit()
        send_notices(uow_factory, chat, request.team_id, rotation_id, request.now)
    return sorted(told)


def change_and_tell[T](
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    mutate: Callable[[OncallUnitOfWork, RotationRow], T],
) -> tuple[T, list[str]]:
    """Runs `mutate` on the channel's rotation; everyone whose shifts moved gets one DM."""
    with uow_factory() as uow:
        rotation = require_rotation(uow, request)
        before = load_plan(uow, rotation, request.now)
        result = mutate(uow, rotation)
        after = load_plan(uow, rotation, request.now)
        key = f"change:{request.now.isoformat()}:{request.user_id}"
        moved = _record_moves(uow, rotation, before, after, request.now, key, request.user_id)
        # A change may start something right now (an override of the rest of the shift).
        reschedule(uow, rotation, after, request.now - timedelta(microseconds=1), after_change=True)
        uow.commit()
        rotation_id = rotation.id
    send_notices(uow_factory, chat, request.team_id, rotation_id, request.now)
    return result, moved


def reschedule(
    uow: OncallUnitOfWork,
    rotation: RotationRow,
    plan_: Plan,
    now: datetime,
    *,
    after_change: bool = False,
) -> None:
    """Keeps `next_due_at` on the rotation's next handoff or notice, for run-due's query.

    After a change, what it made due at once (an override starting now, a shift starting
    within a day whose notice is owed) is due now.
    """
    windows = [
        Window(w.starts_at, w.ends_at, w.user_id, w.reason)
        for w in uow.oncalls.windows(rotation.id)
    ]
    rotation.next_due_at = next_due(plan_, windows, now, notices_due_now=after_change)


def require_rotation(uow: OncallUnitOfWork, request: Request) -> RotationRow:
    rotation = uow.oncalls.rotation_in_channel(request.team_id, request.channel_id)
    if rotation is None:
        raise Refusal("oncall_none_here")
    return rotation


def send_notices(
    uow_factory: OncallUnitOfWorkFactory, chat: Chat, team_id: str, rotation_id: int, now: datetime
) -> int:
    """Sends the rotation's unsent notices, each claimed first so it goes out once."""
    with uow_factory() as uow:
        pending = [(n.id, n.key) for n in uow.oncalls.unsent_notices(rotation_id)]
    sent = 0
    for notice_id, key in pending:
        with uow_factory() as uow:
            notice = next(
                (n for n in uow.oncalls.unsent_notices(rotation_id) if n.id == notice_id), None
            )
            if notice is None or not uow.oncalls.compare_and_set(
                notice, {"sent_at": None}, {"sent_at": now}
            ):
                continue
            rotation = uow.oncalls.rotation(rotation_id)
            user_id, context = notice.user_id, dict(notice.context)
            tz = rotation.member_tz.get(user_id, "UTC") if rotation else "UTC"
            channel_id = rotation.channel_id if rotation else ""
            uow.commit()
        try:
            dm = chat.open_dm(team_id, user_id)
            chat.post(
                team_id,
                dm,
                Message(
                    f"oncall/notice_{context.get('kind', 'changed')}",
                    {**context, "tz": tz, "channel_id": channel_id},
                    marker=Marker("oncall-notice", f"{rotation_id}:{key}"),
                ),
            )
            sent += 1
        except DeliveryError as error:
            log.warning("an on-call notice to %s could not be sent: %s", user_id, error.reason)
    return sent

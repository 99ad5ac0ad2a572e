"""Handoffs by run-due: each shift start claimed once, announced once, never skipped.

A shift is claimed by inserting its row (unique per rotation and start), so several
run-due processes, the in-process scheduler and a restart never announce it twice. A
claim whose announcement never completed is recovered after LEASE by looking in the
channel for the tagged message first. After downtime every missed shift is recorded, and
the one still running is announced late, with the ones that ended while the bot was down.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ceremonies.core.ports import Chat, Conflict, DeliveryError, Marker, Message, Posted
from ceremonies.core.stopping import stop_requested
from ceremonies.oncall.notify import reschedule, send_notices
from ceremonies.oncall.plan import Plan, Shift
from ceremonies.oncall.ports import OncallUnitOfWork, OncallUnitOfWorkFactory, RotationRow
from ceremonies.oncall.record import LATE_AFTER, record_shift, record_turn
from ceremonies.oncall.schedule import NOTICE_AHEAD, load_plan, versions_of

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
LOOK_BACK = timedelta(minutes=1)
BATCH = 1000


@dataclass
class HandoffReport:
    """What one tick did for the on-call rotations (a DueReport)."""

    handoffs: int = 0
    late: int = 0
    recovered: int = 0
    notices: int = 0
    usergroups: int = 0
    failures: list[str] = field(default_factory=list)
    # (team_id, user_id) of everyone a handoff changed "who is on call" for: the rotation's
    # members, and who handed over. run-due refreshes their Home tabs.
    home_changed: list[tuple[str, str]] = field(default_factory=list)

    def figures(self) -> list[tuple[str, int]]:
        return [
            ("handoffs", self.handoffs),
            ("late", self.late),
            ("recovered", self.recovered),
            ("notices", self.notices),
            ("user groups set", self.usergroups),
        ]


@dataclass(frozen=True)
class Claimed:
    shift_id: int
    missed: list[dict[str, Any]]
    late: bool


def run_due(uow_factory: OncallUnitOfWorkFactory, chat: Chat, now: datetime) -> HandoffReport:
    report = HandoffReport()
    with uow_factory() as uow:
        due = uow.oncalls.due_rotation_ids(now, BATCH)
    for rotation_id in due:
        if stop_requested():
            break
        try:
            _rotation_due(uow_factory, chat, rotation_id, now, report)
        except Exception as error:  # one rotation's failure must not stop the others
            log.exception("on-call rotation %s failed", rotation_id)
            report.failures.append(f"rotation {rotation_id}: {error}")
    return report


def _rotation_due(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    rotation_id: int,
    now: datetime,
    report: HandoffReport,
) -> None:
    _recover(uow_factory, chat, rotation_id, now, report)
    claimed = _claim_handoffs(uow_factory, rotation_id, now)
    retry = False
    if claimed is not None:
        report.late += claimed.late
        retry = not _announce(uow_factory, chat, claimed.shift_id, claimed.missed, now, report)
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation(rotation_id)
        if rotation is None:
            return
        team_id = rotation.team_id
        _claim_notices(uow, rotation, load_plan(uow, rotation, now, now + NOTICE_AHEAD), now)
        uow.commit()
    report.notices += send_notices(uow_factory, chat, team_id, rotation_id, now)
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation(rotation_id)
        if rotation is not None:
            reschedule(uow, rotation, load_plan(uow, rotation, now), now)
            _come_back_for_unannounced(uow, rotation, now, retry=retry)
            uow.commit()


def _come_back_for_unannounced(
    uow: OncallUnitOfWork, rotation: RotationRow, now: datetime, *, retry: bool
) -> None:
    """A claimed handoff not yet announced (its post failed, or its worker is still at it)
    brings the rotation back when its claim can be recovered, not at the next handoff."""
    pending = uow.oncalls.unannounced_shifts(rotation.id, now + timedelta(seconds=1))
    if not pending and not retry:
        return
    back = min([s.claimed_at + LEASE for s in pending], default=now + timedelta(minutes=1))
    back = max(back, now + timedelta(seconds=1))
    if rotation.next_due_at is None or back < rotation.next_due_at:
        rotation.next_due_at = back


def _claim_handoffs(
    uow_factory: OncallUnitOfWorkFactory, rotation_id: int, now: datetime
) -> Claimed | None:
    """Records the turns and shifts that started by `now`; the running one is to announce."""
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation(rotation_id)
        if rotation is None:
            return None
        plan_ = load_plan(uow, rotation, now, now + timedelta(seconds=1))
        _record_turns(uow, rotation, plan_, now)
        latest = uow.oncalls.latest_shift(rotation.id, now)
        due = [
            s
            for s in plan_.shifts
            if s.start <= now and (latest is None or s.start > latest.starts_at)
        ]
        current = plan_.on_call_at(now)
        moved = latest is not None and current is not None and current.user_id != latest.user_id
        if not due and moved and current is not None:
            # A change that took effect at an instant already announced (an override from
            # the very start of a shift): the new person's stretch starts now.
            due = [replace(current, start=now)]
        if not due:
            uow.commit()
            return None
        previous = latest.user_id if latest else None
        missed: list[dict[str, Any]] = []
        current_id = None
        late = False
        try:
            for shift in due:
                # One that ended while the bot was down is told in the running one's post.
                row = record_shift(uow, rotation, shift, previous, now, announced=shift.end <= now)
                if shift.end > now:
                    current_id, late = row.id, row.late
                else:
                    missed.append(_shift_context(shift, previous, now))
                previous = shift.user_id
        except Conflict:
            return None  # another worker claimed these handoffs
        uow.commit()
        if current_id is None:
            return None
        return Claimed(current_id, missed, late)


def _record_turns(uow: OncallUnitOfWork, rotation: RotationRow, plan_: Plan, now: datetime) -> None:
    taken = uow.oncalls.latest_turn(rotation.id, now)
    for turn, swapped in zip(plan_.turns, plan_.taken, strict=True):
        if turn.start > now or (taken is not None and turn.start <= taken.starts_at):
            continue
        try:
            record_turn(uow, rotation, turn, swapped.user_id, now)
        except Conflict:
            return  # another worker is recording the same turns


def _shift_context(shift: Shift, previous: str | None, now: datetime) -> dict[str, Any]:
    return {
        "start": shift.start.isoformat(),
        "end": shift.end.isoformat(),
        "user_id": shift.user_id,
        "reason": shift.reason,
        "previous_user_id": previous,
        "uncovered": shift.uncovered,
        "late": now - shift.start > LATE_AFTER,
    }


def _marker(rotation_id: int, start: datetime) -> Marker:
    return Marker("oncall-handoff", f"{rotation_id}:{start.isoformat()}")


def _handoff_message(
    uow: OncallUnitOfWork, shift_id: int, missed: list[dict[str, Any]], now: datetime
) -> tuple[RotationRow, Any, Message, Message] | None:
    shift = next((s for s in uow.oncalls.unannounced_shifts_by_id(shift_id)), None)
    if shift is None:
        return None
    rotation = uow.oncalls.rotation(shift.rotation_id)
    if rotation is None:
        return None
    before = uow.oncalls.latest_shift(rotation.id, shift.starts_at - timedelta(microseconds=1))
    notes = uow.oncalls.notes(rotation.id, before.starts_at) if before else []
    plan_ = load_plan(uow, rotation, now)
    upcoming = [s for s in plan_.shifts if s.start >= shift.planned_end][:1]
    context = {
        "channel_id": rotation.channel_id,
        "tz": versions_of(uow, rotation)[-1].tz,
        "shift": _shift_context(
            Shift(shift.starts_at, shift.planned_end, shift.user_id, shift.reason),
            shift.previous_user_id,
            now,
        ),
        "uncovered": shift.uncovered,
        "notes": [{"user_id": n.user_id, "text": n.text} for n in notes],
        "missed": missed,
        "next": _shift_context(upcoming[0], shift.user_id, now) if upcoming else None,
    }
    marker = _marker(rotation.id, shift.starts_at)
    channel = Message("oncall/handoff", context, marker=marker)
    direct = Message(
        "oncall/handoff_dm", {**context, "tz": rotation.member_tz.get(shift.user_id, context["tz"])}
    )
    return rotation, shift, channel, direct


def _announce(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    shift_id: int,
    missed: list[dict[str, Any]],
    now: datetime,
    report: HandoffReport,
    *,
    found: Posted | None = None,
) -> bool:
    """Posts the handoff, DMs the incoming person, sets the user group. False: try again."""
    with uow_factory() as uow:
        built = _handoff_message(uow, shift_id, missed, now)
        if built is None:
            return True
        rotation, shift, channel_message, dm_message = built
        team_id, channel_id, usergroup = (
            rotation.team_id,
            rotation.channel_id,
            rotation.usergroup_id,
        )
        user_id = shift.user_id
        concerned = {*versions_of(uow, rotation)[-1].members, user_id}
        if shift.previous_user_id:
            concerned.add(shift.previous_user_id)
    try:
        posted = found or chat.post(team_id, channel_id, channel_message)
    except DeliveryError as error:
        _note_failure(uow_factory, shift_id, error.reason, done=error.permanent, now=now)
        report.failures.append(f"handoff {shift_id}: {error.reason}")
        return error.permanent
    with uow_factory() as uow:
        row = next(iter(uow.oncalls.unannounced_shifts_by_id(shift_id)), None)
        if row is None or not uow.oncalls.compare_and_set(
            row, {"announced_at": None}, {"announced_at": now, "channel_ts": posted.ts}
        ):
            return True
        uow.commit()
    report.handoffs += 1
    report.home_changed += [(team_id, person) for person in sorted(concerned)]
    if found is None:
        _tell_incoming(chat, team_id, user_id, dm_message, report)
    if usergroup:
        try:
            chat.set_usergroup_members(team_id, usergroup, [user_id])
            report.usergroups += 1
        except DeliveryError as error:
            report.failures.append(f"user group {usergroup}: {error.reason}")
    return True


def _tell_incoming(
    chat: Chat, team_id: str, user_id: str, message: Message, report: HandoffReport
) -> None:
    try:
        chat.post(team_id, chat.open_dm(team_id, user_id), message)
    except DeliveryError as error:
        report.failures.append(f"handoff DM to {user_id}: {error.reason}")


def _note_failure(
    uow_factory: OncallUnitOfWorkFactory, shift_id: int, reason: str, *, done: bool, now: datetime
) -> None:
    with uow_factory() as uow:
        row = next(iter(uow.oncalls.unannounced_shifts_by_id(shift_id)), None)
        if row is None:
            return
        row.failure = reason
        if done:
            row.announced_at = now  # Slack will never take it (the channel is gone)
        uow.commit()


def _recover(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    rotation_id: int,
    now: datetime,
    report: HandoffReport,
) -> None:
    """A claimed handoff never announced (a worker died): look for it, else post it now."""
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation(rotation_id)
        stale = uow.oncalls.unannounced_shifts(rotation_id, now - LEASE) if rotation else []
        todo = [(s.id, s.starts_at, s.claimed_at) for s in stale]
        team_id, channel_id = (rotation.team_id, rotation.channel_id) if rotation else ("", "")
    for shift_id, starts_at, claimed_at in todo:
        try:
            found = chat.find_posted(
                team_id, channel_id, _marker(rotation_id, starts_at), claimed_at - LOOK_BACK
            )
        except DeliveryError:
            found = None
        if _announce(uow_factory, chat, shift_id, [], now, report, found=found):
            report.recovered += 1


def _claim_notices(
    uow: OncallUnitOfWork, rotation: RotationRow, plan_: Plan, now: datetime
) -> None:
    """The 24-hour notice of each shift starting within a day, claimed once per person."""
    for shift in plan_.shifts:
        if not now < shift.start <= now + NOTICE_AHEAD:
            continue
        key = f"ahead:{shift.start.isoformat()}:{shift.user_id}"
        if uow.oncalls.notice(rotation.id, key) is not None:
            continue
        try:
            uow.oncalls.add_notice(
                rotation_id=rotation.id,
                key=key,
                user_id=shift.user_id,
                context={
                    "kind": "ahead",
                    "start": shift.start.isoformat(),
                    "end": shift.end.isoformat(),
                    "reason": shift.reason,
                },
                created_at=now,
                sent_at=None,
            )
        except Conflict:
            continue

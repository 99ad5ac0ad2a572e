"""What happened, written once: the turns taken at handoffs and the stretches on call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ceremonies.oncall.plan import Shift, Turn
from ceremonies.oncall.ports import OncallUnitOfWork, RotationRow

LATE_AFTER = timedelta(minutes=5)


def record_turn(
    uow: OncallUnitOfWork, rotation: RotationRow, turn: Turn, taken_by: str, now: datetime
) -> Any:
    """The turn as it was taken (whose turn, who took it after swaps) and the queue after."""
    return uow.oncalls.add_turn(
        rotation_id=rotation.id,
        starts_at=turn.start,
        user_id=turn.user_id,
        taken_by=taken_by,
        reason=turn.reason,
        after=turn.after.to_dict(),
        recorded_at=now,
    )


def record_shift(
    uow: OncallUnitOfWork,
    rotation: RotationRow,
    shift: Shift,
    previous: str | None,
    now: datetime,
    *,
    announced: bool,
) -> Any:
    """The stretch on call, claimed by its start; `announced` when nothing is left to post."""
    return uow.oncalls.add_shift(
        team_id=rotation.team_id,
        rotation_id=rotation.id,
        starts_at=shift.start,
        planned_end=shift.end,
        user_id=shift.user_id,
        reason=shift.reason,
        scheduled_id=shift.scheduled_id or shift.user_id,
        previous_user_id=previous,
        uncovered=shift.uncovered,
        late=now - shift.start > LATE_AFTER,
        claimed_at=now,
        announced_at=now if announced else None,
        channel_ts=None,
        failure=None,
    )

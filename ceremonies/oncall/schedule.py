"""The service side of the schedule: a rotation's stored rows → the computed plan."""

from __future__ import annotations

from datetime import datetime, timedelta

from ceremonies.core.time_model import DateRange, Person
from ceremonies.oncall.plan import Checkpoint, Plan, Swap, Window, plan
from ceremonies.oncall.ports import OncallUnitOfWork, RotationRow, VersionRow
from ceremonies.oncall.rotation import RotationVersion
from ceremonies.oncall.turns import Turns

# How far ahead anyone is told about changes, and how far `schedule` and the feed look.
PLAN_AHEAD = timedelta(weeks=12)
NOTICE_AHEAD = timedelta(hours=24)


def version_of(row: VersionRow) -> RotationVersion:
    return RotationVersion(
        effective_from=row.effective_from,
        members=tuple(row.members),
        shift=row.shift,
        handoff_day=row.handoff_day,
        handoff_time=row.handoff_time,
        tz=row.tz,
        restart=row.restart,
    )


def versions_of(uow: OncallUnitOfWork, rotation: RotationRow) -> list[RotationVersion]:
    return [version_of(row) for row in uow.oncalls.versions(rotation.id)]


def members_ever(versions: list[RotationVersion]) -> list[str]:
    seen: dict[str, None] = {}
    for version in versions:
        seen.update(dict.fromkeys(version.members))
    return list(seen)


def people_of(
    uow: OncallUnitOfWork,
    rotation: RotationRow,
    user_ids: list[str],
    ignoring: tuple[str, DateRange] | None = None,
) -> dict[str, Person]:
    """Each member's zone, holiday country and absences (shared with every ceremony);
    `ignoring` leaves one person's absence out (the schedule as it was before it)."""
    away: dict[str, list[DateRange]] = {}
    for absence in uow.people.absences(rotation.team_id, user_ids):
        days = DateRange(absence.start_date, absence.end_date)
        if ignoring == (absence.user_id, days):
            ignoring = None  # one record only: the same days may be recorded twice
            continue
        away.setdefault(absence.user_id, []).append(days)
    zone = versions_of(uow, rotation)[-1].tz if user_ids else "UTC"
    return {
        user: Person(
            rotation.member_tz.get(user, zone),
            rotation.member_country.get(user) or rotation.country,
            tuple(away.get(user, ())),
        )
        for user in user_ids
    }


def load_plan(
    uow: OncallUnitOfWork,
    rotation: RotationRow,
    now: datetime,
    until: datetime | None = None,
    *,
    extra_windows: tuple[Window, ...] = (),
    ignoring: tuple[str, DateRange] | None = None,
) -> Plan:
    """The schedule from the latest turn taken (at or before `now`) until `until`."""
    versions = versions_of(uow, rotation)
    store = uow.oncalls
    taken = store.latest_turn(rotation.id, now)
    checkpoint = (
        Checkpoint(taken.starts_at, taken.user_id, taken.reason, Turns.from_dict(taken.after))
        if taken is not None
        else None
    )
    swaps = [
        Swap(s.first_start, s.requester_id, s.second_start, s.partner_id)
        for s in store.swaps(rotation.id, "accepted")
    ]
    starts = [start for s in swaps for start in (s.first_start, s.second_start)]
    taken_before = {t.starts_at: t.taken_by for t in store.turns_at(rotation.id, starts)}
    windows = [
        Window(w.starts_at, w.ends_at, w.user_id, w.reason) for w in store.windows(rotation.id)
    ]
    return plan(
        versions,
        people_of(uow, rotation, members_ever(versions), ignoring),
        until or now + PLAN_AHEAD,
        swaps=swaps,
        windows=[*windows, *extra_windows],
        checkpoint=checkpoint,
        taken=taken_before,
    )


def next_due(
    plan_: Plan, windows: list[Window], now: datetime, *, notices_due_now: bool = False
) -> datetime | None:
    """The next instant run-due has work for this rotation: a handoff or a 24-hour notice.

    Counted from turn boundaries and window edges, not from merged shifts, because those
    do not move when an absence (which may come from another ceremony) changes who is on.
    `notices_due_now` (after a change) makes a shift starting within 24 hours due at once,
    so its person is told now rather than never.
    """
    edges = {t.start for t in plan_.turns} | {t.end for t in plan_.turns}
    for window in windows:
        edges |= {window.start, window.end}
    upcoming = [e for e in edges if e > now]
    notices = [e - NOTICE_AHEAD for e in upcoming]
    if notices_due_now:
        notices = [max(n, now) for n in notices]
    candidates = [c for c in [*upcoming, *notices] if c > now or (notices_due_now and c == now)]
    return min(candidates) if candidates else None

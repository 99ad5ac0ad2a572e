"""The risk register: `/weekly risk add|list|update|close` and "Add to risks" on a blocker.

Every level change is kept (weekly_risk_levels), so a report can say which risks were
raised since the last one. Decision: "Add to risks" on a stale blocker adds it at p=2, c=2
(rank 4: prevent and mitigate), for whoever pressed it to adjust with `risk update`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Conflict
from ceremonies.core.request import Request
from ceremonies.weekly.blockers import blockers_of
from ceremonies.weekly.ports import RiskRow, WeeklyUnitOfWork, WeeklyUnitOfWorkFactory
from ceremonies.weekly.risks import MAX_RISK_TEXT, RiskSeen, ranked
from ceremonies.weekly.setup import require_report

BLOCKER_P, BLOCKER_C = 2, 2


def seen(row: RiskRow, before: tuple[int, int] | None = None) -> RiskSeen:
    return RiskSeen(
        number=row.number,
        text=row.text,
        p=row.p,
        c=row.c,
        owner_id=row.owner_id,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        before=before,
    )


def register_at(uow: WeeklyUnitOfWork, report_id: int, previous: datetime) -> list[RiskSeen]:
    """Every risk of the report, each with its levels as they stood at `previous`."""
    levels: dict[int, tuple[int, int]] = {}
    for level in uow.weeklies.risk_levels(report_id):
        if level.since <= previous:
            levels[level.risk_id] = (level.p, level.c)
    return [seen(row, levels.get(row.id)) for row in uow.weeklies.risks(report_id)]


def list_risks(uow_factory: WeeklyUnitOfWorkFactory, request: Request) -> list[RiskSeen]:
    with uow_factory() as uow:
        row = require_report(uow, request)
        return ranked([seen(r) for r in uow.weeklies.risks(row.id)], at=request.now)


def add_risk(
    uow_factory: WeeklyUnitOfWorkFactory,
    request: Request,
    text: str,
    p: int,
    c: int,
    owner_id: str | None,
    request_key: str | None,
) -> RiskSeen:
    with uow_factory() as uow:
        report = require_report(uow, request)
        return _add(uow, report.id, request, text, p, c, owner_id, request_key)


def _add(
    uow: WeeklyUnitOfWork,
    report_id: int,
    request: Request,
    text: str,
    p: int,
    c: int,
    owner_id: str | None,
    request_key: str | None,
) -> RiskSeen:
    if request_key and (known := uow.weeklies.risk_by_request(request_key)) is not None:
        return seen(known)  # a replayed request: the risk it added, not a second one
    for _attempt in range(3):  # two adding at once: the loser takes the next number
        try:
            row = uow.weeklies.add_risk(
                team_id=request.team_id,
                report_id=report_id,
                number=uow.weeklies.next_risk_number(report_id),
                text=text[:MAX_RISK_TEXT],
                p=p,
                c=c,
                owner_id=owner_id,
                created_by=request.user_id,
                request_key=request_key,
                opened_at=request.now,
                closed_at=None,
            )
            break
        except Conflict:
            if request_key and (known := uow.weeklies.risk_by_request(request_key)) is not None:
                return seen(known)
    else:
        raise Refusal("weekly_busy")
    uow.weeklies.add_risk_level(row.id, p, c, request.now)
    uow.commit()
    return seen(row)


def _open_risk(uow: WeeklyUnitOfWork, report_id: int, number: int) -> RiskRow:
    row = uow.weeklies.risk(report_id, number)
    if row is None:
        count = len(uow.weeklies.risks(report_id))
        raise Refusal("weekly_risk_unknown", number=number, count=count)
    if row.closed_at is not None:
        raise Refusal("weekly_risk_closed", number=number)
    return row


def update_risk(
    uow_factory: WeeklyUnitOfWorkFactory,
    request: Request,
    number: int,
    p: int | None,
    c: int | None,
    owner_id: str | None,
) -> RiskSeen:
    with uow_factory() as uow:
        report = require_report(uow, request)
        row = _open_risk(uow, report.id, number)
        new_p, new_c = p or row.p, c or row.c
        if (new_p, new_c) != (row.p, row.c):
            row.p, row.c = new_p, new_c
            uow.weeklies.add_risk_level(row.id, new_p, new_c, request.now)
        if owner_id:
            row.owner_id = owner_id
        uow.commit()
        return seen(row)


def close_risk(uow_factory: WeeklyUnitOfWorkFactory, request: Request, number: int) -> RiskSeen:
    with uow_factory() as uow:
        report = require_report(uow, request)
        row = _open_risk(uow, report.id, number)
        row.closed_at = request.now
        uow.commit()
        return seen(row)


def blocker_to_risk(
    uow_factory: WeeklyUnitOfWorkFactory,
    request: Request,
    report_id: int,
    blocker: BlockerRef,
    request_key: str,
) -> RiskSeen:
    """ "Add to risks" on a blocker open for days: a risk at p=2, c=2 with its latest text,
    read again from the daily's history (a button's value names it, never carries it)."""
    with uow_factory() as uow:
        report = uow.weeklies.report(report_id)
        if report is None or report.team_id != request.team_id:
            raise Refusal("weekly_not_started")
        history = uow.daily_history.daily_history(
            request.team_id, blocker.channel_id, blocker.first_raised, request.now.date()
        )
        runs = blockers_of(history.days) if history else ()
        found = [
            b
            for b in runs
            if b.user_id == blocker.user_id and b.first_raised == blocker.first_raised
        ]
        if not found:
            raise Refusal("weekly_blocker_gone")
        return _add(uow, report.id, request, found[0].text, BLOCKER_P, BLOCKER_C, None, request_key)


@dataclass(frozen=True)
class BlockerRef:
    """Which blocker a button names: whose, in which channel, raised first on which day."""

    channel_id: str
    user_id: str
    first_raised: date

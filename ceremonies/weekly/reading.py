"""Reading a report without sending it: `/weekly preview` and the export command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat
from ceremonies.core.request import Request
from ceremonies.weekly.compose import Composed, compose
from ceremonies.weekly.content import people_in
from ceremonies.weekly.delivery import names_of
from ceremonies.weekly.ports import WeeklyUnitOfWorkFactory
from ceremonies.weekly.schedule import coming_week, labelled_week, week_of
from ceremonies.weekly.setup import require_report


@dataclass(frozen=True)
class Reading:
    report_id: int
    composed: Composed
    names: dict[str, str]


def preview(uow_factory: WeeklyUnitOfWorkFactory, chat: Chat, request: Request) -> Reading:
    """The coming report as it would be now."""
    with uow_factory() as uow:
        row = require_report(uow, request)
        composed = compose(uow, row, coming_week(row, request.now))
        report_id, team_id = row.id, row.team_id
    return Reading(report_id, composed, names_of(chat, team_id, people_in(composed.report)))


def export(
    uow_factory: WeeklyUnitOfWorkFactory,
    chat: Chat | None,
    team_id: str | None,
    channel_id: str,
    week_label: str | None,
    now: datetime,
) -> Reading:
    """A week's report (default: the latest delivered week) for `export weekly`."""
    with uow_factory() as uow:
        rows = [
            r for r in uow.weeklies.reports_in_channel(channel_id) if team_id in (None, r.team_id)
        ]
        if not rows:
            raise Refusal("weekly_not_started")
        row = rows[0]
        week = week_of(row, now) if week_label is None else labelled_week(row, week_label)
        composed = compose(uow, row, week)
        report_id, team = row.id, row.team_id
    people = people_in(composed.report)
    names = names_of(chat, team, people) if chat else {u: u for u in people}
    return Reading(report_id, composed, names)

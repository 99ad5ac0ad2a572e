"""Starting a channel's weekly report and changing what it reads, when and for whom.

Decisions: the report's own channel is its first source (a team's report reads the team's
ceremonies); a manager's channel may drop it and follow other channels instead. A source
must hold a daily, a retro or a rotation, and the bot must be in it; recipients are people,
not bots. The owner is whoever started it; anyone in the channel may change settings (as
with dailies and rotations), and the summary of a change names what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from ceremonies.core import languages
from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Conflict, DeliveryError
from ceremonies.core.request import Request
from ceremonies.weekly.ports import ReportRow, WeeklyUnitOfWork, WeeklyUnitOfWorkFactory
from ceremonies.weekly.schedule import reschedule, upcoming_delivery
from ceremonies.weekly.week import DEFAULT_TIME, DEFAULT_WEEKDAY

MAX_SOURCES = 20
MAX_RECIPIENTS = 20


@dataclass(frozen=True)
class WeeklySettings:
    report_id: int
    channel_id: str
    owner_id: str
    tz: str
    weekday: int
    at: time
    sources: tuple[str, ...]
    recipients: tuple[str, ...]
    paused: bool
    next_delivery: datetime | None


def settings_of(uow: WeeklyUnitOfWork, row: ReportRow, now: datetime) -> WeeklySettings:
    return WeeklySettings(
        report_id=row.id,
        channel_id=row.channel_id,
        owner_id=row.owner_id,
        tz=row.tz,
        weekday=row.weekday,
        at=row.at,
        sources=tuple(uow.weeklies.sources(row.id)),
        recipients=tuple(row.recipients),
        paused=row.paused,
        next_delivery=None if row.paused else upcoming_delivery(row, now),
    )


def require_report(uow: WeeklyUnitOfWork, request: Request) -> ReportRow:
    row = uow.weeklies.report_in_channel(request.team_id, request.channel_id)
    if row is None:
        raise Refusal("weekly_not_started")
    return row


def settings(uow_factory: WeeklyUnitOfWorkFactory, request: Request) -> WeeklySettings:
    with uow_factory() as uow:
        return settings_of(uow, require_report(uow, request), request.now)


def start_report(
    uow_factory: WeeklyUnitOfWorkFactory, chat: Chat, request: Request
) -> WeeklySettings:
    """Friday 16:00 in the caller's zone, reading this channel's ceremonies."""
    tz = chat.profile(request.team_id, request.user_id).tz
    with uow_factory() as uow:
        if uow.weeklies.report_in_channel(request.team_id, request.channel_id) is not None:
            raise Refusal("weekly_already_started")
        try:
            row = uow.weeklies.add_report(
                team_id=request.team_id,
                channel_id=request.channel_id,
                owner_id=request.user_id,
                tz=tz,
                weekday=DEFAULT_WEEKDAY,
                at=DEFAULT_TIME,
                recipients=[],
                paused=False,
                broken_told=[],
                created_at=request.now,
            )
        except Conflict:  # started by a request racing this one
            raise Refusal("weekly_already_started") from None
        uow.weeklies.add_source(row.id, request.channel_id, request.now)
        reschedule(row, request.now)
        languages.note_owner(uow.languages, request.team_id, request.channel_id, request.user_id)
        uow.commit()
        return settings_of(uow, row, request.now)


def what_is_in(uow: WeeklyUnitOfWork, team_id: str, channel_id: str, now: datetime) -> list[str]:
    """The ceremonies a channel holds: "daily", "retro", "oncall"."""
    found = []
    if uow.daily_history.daily_history(team_id, channel_id, now.date(), now.date()) is not None:
        found.append("daily")
    if uow.retro_history.retro_history(team_id, channel_id, now, now) is not None:
        found.append("retro")
    if uow.oncall_history.oncall_history(team_id, channel_id, now, now) is not None:
        found.append("oncall")
    return found


def add_source(
    uow_factory: WeeklyUnitOfWorkFactory, chat: Chat, request: Request, channel_id: str
) -> WeeklySettings:
    try:
        chat.channel_members(request.team_id, channel_id)
    except DeliveryError:
        raise Refusal("weekly_not_in_channel", channel=channel_id) from None
    with uow_factory() as uow:
        row = require_report(uow, request)
        known = uow.weeklies.sources(row.id)
        if channel_id in known:
            raise Refusal("weekly_source_known", channel=channel_id)
        if len(known) >= MAX_SOURCES:
            raise Refusal("weekly_too_many_sources", limit=MAX_SOURCES)
        if not what_is_in(uow, request.team_id, channel_id, request.now):
            raise Refusal("weekly_nothing_to_follow", channel=channel_id)
        uow.weeklies.add_source(row.id, channel_id, request.now)
        uow.commit()
        return settings_of(uow, row, request.now)


def remove_source(
    uow_factory: WeeklyUnitOfWorkFactory, request: Request, channel_id: str
) -> WeeklySettings:
    with uow_factory() as uow:
        row = require_report(uow, request)
        if not uow.weeklies.remove_source(row.id, channel_id):
            raise Refusal("weekly_source_unknown", channel=channel_id)
        uow.commit()
        return settings_of(uow, row, request.now)


def set_time(
    uow_factory: WeeklyUnitOfWorkFactory, request: Request, weekday: int, at: time
) -> WeeklySettings:
    with uow_factory() as uow:
        row = require_report(uow, request)
        if (row.weekday, row.at) != (weekday, at):
            row.rescheduled_at = request.now
        row.weekday, row.at = weekday, at
        reschedule(row, request.now)
        uow.commit()
        return settings_of(uow, row, request.now)


def check_recipients(chat: Chat, team_id: str, user_ids: list[str]) -> list[str]:
    people = list(dict.fromkeys(user_ids))
    if len(people) > MAX_RECIPIENTS:
        raise Refusal("weekly_too_many_recipients", limit=MAX_RECIPIENTS)
    for user_id in people:
        profile = chat.profile(team_id, user_id)
        if profile.is_bot or profile.deleted:
            raise Refusal("weekly_recipient_is_bot", user=user_id)
    return people


def set_recipients(
    uow_factory: WeeklyUnitOfWorkFactory, chat: Chat, request: Request, user_ids: list[str]
) -> WeeklySettings:
    people = check_recipients(chat, request.team_id, user_ids)
    with uow_factory() as uow:
        row = require_report(uow, request)
        row.recipients = people
        uow.commit()
        return settings_of(uow, row, request.now)


def set_paused(
    uow_factory: WeeklyUnitOfWorkFactory, request: Request, paused: bool
) -> WeeklySettings:
    with uow_factory() as uow:
        row = require_report(uow, request)
        if row.paused and not paused:
            row.resumed_at = request.now
        row.paused = paused
        reschedule(row, request.now)
        uow.commit()
        return settings_of(uow, row, request.now)


def apply_settings(
    uow_factory: WeeklyUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    report_id: int,
    *,
    weekday: int,
    at: time,
    recipients: list[str],
    sources: list[str],
) -> WeeklySettings:
    """The settings modal: everything at once, checked like the commands check each part."""
    people = check_recipients(chat, request.team_id, recipients)
    wanted = list(dict.fromkeys(sources))
    if len(wanted) > MAX_SOURCES:
        raise Refusal("weekly_too_many_sources", limit=MAX_SOURCES)
    with uow_factory() as uow:
        row = uow.weeklies.report(report_id)
        if row is None or row.team_id != request.team_id:
            raise Refusal("weekly_not_started")
        known = uow.weeklies.sources(row.id)
        for channel_id in wanted:
            if channel_id not in known and not what_is_in(
                uow, request.team_id, channel_id, request.now
            ):
                raise Refusal("weekly_nothing_to_follow", channel=channel_id)
        for channel_id in known:
            if channel_id not in wanted:
                uow.weeklies.remove_source(row.id, channel_id)
        for channel_id in wanted:
            if channel_id not in known:
                uow.weeklies.add_source(row.id, channel_id, request.now)
        if (row.weekday, row.at) != (weekday, at):
            row.rescheduled_at = request.now
        row.weekday, row.at, row.recipients = weekday, at, people
        reschedule(row, request.now)
        uow.commit()
        return settings_of(uow, row, request.now)

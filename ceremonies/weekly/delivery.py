"""Weekly reports by run-due: the owner's status DM, the report, the recipients' DMs.

Each of them is claimed by its natural key (report, week, kind) before it is sent, so
racing run-due processes, the in-process scheduler and a restart send it once. A claim
that never completed is taken over after LEASE, looking in Slack for the tagged message
first. The report and its details are stored with what they said when sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ceremonies.core.ports import Chat, Conflict, DeliveryError, Marker, Message, Posted
from ceremonies.core.stopping import stop_requested
from ceremonies.weekly.compose import SENT_REPORT, Composed, compose
from ceremonies.weekly.content import content_of, people_in
from ceremonies.weekly.custom_templates import tell_owner_of_broken_templates
from ceremonies.weekly.pages import detail_messages, summary_context, trend_data
from ceremonies.weekly.ports import (
    ReportRow,
    WeeklyUnitOfWork,
    WeeklyUnitOfWorkFactory,
)
from ceremonies.weekly.schedule import (
    LATE_AFTER,
    coming_week,
    deliverable,
    reschedule,
    status_dm_at,
    week_of,
)
from ceremonies.weekly.week import ReportWeek

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BATCH = 500
STATUS_DM, REPORT = "status_dm", SENT_REPORT


@dataclass
class WeeklyDueReport:
    """What one tick did for the weekly reports (a DueReport)."""

    status_dms: int = 0
    reports: int = 0
    late: int = 0
    recipient_dms: int = 0
    failures: list[str] = field(default_factory=list)

    def figures(self) -> list[tuple[str, int]]:
        return [
            ("status DMs", self.status_dms),
            ("reports", self.reports),
            ("late", self.late),
            ("recipient DMs", self.recipient_dms),
        ]


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    recovering: bool  # an earlier claim died: what it sent may be in Slack already


def run_due(uow_factory: WeeklyUnitOfWorkFactory, chat: Chat, now: datetime) -> WeeklyDueReport:
    out = WeeklyDueReport()
    with uow_factory() as uow:
        due = uow.weeklies.due_report_ids(now, BATCH)
    for report_id in due:
        if stop_requested():
            break
        try:
            _tick(uow_factory, chat, report_id, now, out)
        except Exception as error:  # one report's failure must not stop the others
            log.warning("weekly report %s failed at %s", report_id, now, exc_info=True)
            out.failures.append(f"report {report_id}: {error}")
    return out


def _tick(
    uow_factory: WeeklyUnitOfWorkFactory,
    chat: Chat,
    report_id: int,
    now: datetime,
    out: WeeklyDueReport,
) -> None:
    with uow_factory() as uow:
        row = uow.weeklies.report(report_id)
        if row is None:
            return
        if row.paused:
            reschedule(row, now)
            uow.commit()
            return
        week, coming = week_of(row, now), coming_week(row, now)
    if deliverable(row, week):
        _deliver(uow_factory, chat, report_id, week, now, out)
    if now >= status_dm_at(coming):
        _send_status_dm(uow_factory, chat, report_id, coming, now, out)
    with uow_factory() as uow:
        row = uow.weeklies.report(report_id)
        if row is not None:
            sent = uow.weeklies.delivery_of(report_id, coming.label, STATUS_DM)
            reschedule(row, now, status_dm_sent=sent is not None and sent.sent_at is not None)
            uow.commit()


def _claim(
    uow: WeeklyUnitOfWork, row: ReportRow, week: ReportWeek, kind: str, now: datetime
) -> Claim | None:
    try:
        taken = uow.weeklies.add_delivery(
            team_id=row.team_id,
            report_id=row.id,
            week=week.label,
            kind=kind,
            claimed_at=now,
            late=now - week.delivery > LATE_AFTER if kind != STATUS_DM else False,
        )
        uow.commit()
        return Claim(taken.id, recovering=False)
    except Conflict:
        known = uow.weeklies.delivery_of(row.id, week.label, kind)
    if known is None or known.sent_at is not None or known.claimed_at > now - LEASE:
        return None
    if not uow.weeklies.compare_and_set(
        known, {"claimed_at": known.claimed_at}, {"claimed_at": now}
    ):
        return None
    uow.commit()
    return Claim(known.id, recovering=True)


def _post_once(
    chat: Chat,
    team_id: str,
    channel: str,
    message: Message,
    claim: Claim,
    since: datetime,
) -> Posted:
    """Posts `message`, unless a dead claim's attempt already did (found by its marker)."""
    if claim.recovering and message.marker is not None:
        found = chat.find_posted(team_id, channel, message.marker, since, message.thread_ts)
        if found is not None:
            return found
    return chat.post(team_id, channel, message)


def _mark_sent(
    uow_factory: WeeklyUnitOfWorkFactory,
    delivery_id: int,
    posted: Posted,
    now: datetime,
    content: dict[str, object] | None = None,
) -> None:
    with uow_factory() as uow:
        row = uow.weeklies.delivery(delivery_id)
        if row is not None:
            row.sent_at, row.channel_id, row.ts = now, posted.channel, posted.ts
            if content is not None:
                row.content = content
            uow.commit()


def names_of(chat: Chat, team_id: str, user_ids: set[str]) -> dict[str, str]:
    """Display names for the people a report names (it names them; it never pings them)."""
    names: dict[str, str] = {}
    for user_id in sorted(user_ids):
        try:
            names[user_id] = chat.profile(team_id, user_id).name
        except DeliveryError:
            names[user_id] = user_id
    return names


def _deliver(
    uow_factory: WeeklyUnitOfWorkFactory,
    chat: Chat,
    report_id: int,
    week: ReportWeek,
    now: datetime,
    out: WeeklyDueReport,
) -> None:
    with uow_factory() as uow:
        row = uow.weeklies.report(report_id)
        if row is None:
            return
        claim = _claim(uow, row, week, REPORT, now)
        composed = compose(uow, row, week) if claim else None
        recipients, team_id, channel = list(row.recipients), row.team_id, row.channel_id
    if claim is None or composed is None:
        _deliver_dms(uow_factory, chat, report_id, week, now, out)
        return
    names = names_of(chat, team_id, people_in(composed.report) | set(recipients))
    late = now - week.delivery > LATE_AFTER
    posted = _post_report(chat, team_id, channel, report_id, composed, names, claim, now, late)
    _mark_sent(uow_factory, claim.delivery_id, posted, now, content_of(composed, late))
    tell_owner_of_broken_templates(uow_factory, chat, report_id, posted.fell_back)
    out.reports += 1
    out.late += late
    _deliver_dms(uow_factory, chat, report_id, week, now, out)


def _post_report(
    chat: Chat,
    team_id: str,
    channel: str,
    report_id: int,
    composed: Composed,
    names: dict[str, str],
    claim: Claim,
    now: datetime,
    late: bool,
) -> Posted:
    week = composed.report.week
    since = week.delivery - LEASE
    details = detail_messages(composed.report, report_id, names)
    key = f"{report_id}:{week.label}"
    summary = Message(
        "weekly/report",
        summary_context(composed.report, names, claim.delivery_id, {}, bool(details), late),
        marker=Marker("weekly_report", key),
    )
    posted = _post_once(chat, team_id, channel, summary, claim, since)
    fell_back = list(posted.fell_back)
    for index, (template, context) in enumerate(details):
        detail = Message(
            template, context, thread_ts=posted.ts, marker=Marker("weekly_detail", f"{key}:{index}")
        )
        fell_back += _post_once(chat, team_id, channel, detail, claim, since).fell_back
    try:
        chat.upload_chart(team_id, channel, posted.ts, "weekly_trend", trend_data(composed))
    except DeliveryError as error:  # the report stands without its chart
        log.warning("weekly report %s: chart not uploaded: %s", key, error)
    return Posted(posted.channel, posted.ts, tuple(fell_back))


def _deliver_dms(
    uow_factory: WeeklyUnitOfWorkFactory,
    chat: Chat,
    report_id: int,
    week: ReportWeek,
    now: datetime,
    out: WeeklyDueReport,
) -> None:
    """Each recipient's copy, once the channel's report is out (its buttons point there)."""
    with uow_factory() as uow:
        row = uow.weeklies.report(report_id)
        sent = uow.weeklies.delivery_of(report_id, week.label, REPORT)
        if row is None or sent is None or sent.sent_at is None:
            return
        delivery_id, recipients = sent.id, list(row.recipients)
    for user_id in recipients:
        with uow_factory() as uow:
            row = uow.weeklies.report(report_id)
            assert row is not None
            claim = _claim(uow, row, week, f"dm:{user_id}", now)
            if claim is None:
                continue
            composed = compose(uow, row, week)
            acks = acks_of(uow, delivery_id)
            team_id = row.team_id
        names = names_of(chat, team_id, people_in(composed.report) | {user_id})
        dm = chat.open_dm(team_id, user_id)
        context = summary_context(composed.report, names, delivery_id, acks, False, False)
        message = Message(
            "weekly/report", context, marker=Marker("weekly_dm", f"{report_id}:{week.label}")
        )
        posted = _post_once(chat, team_id, dm, message, claim, week.delivery - LEASE)
        _mark_sent(uow_factory, claim.delivery_id, posted, now)
        out.recipient_dms += 1


def acks_of(uow: WeeklyUnitOfWork, delivery_id: int) -> dict[int, list[str]]:
    acks: dict[int, list[str]] = {}
    for ack in uow.weeklies.acks(delivery_id):
        acks.setdefault(ack.decision, []).append(ack.user_id)
    return acks


def _send_status_dm(
    uow_factory: WeeklyUnitOfWorkFactory,
    chat: Chat,
    report_id: int,
    week: ReportWeek,
    now: datetime,
    out: WeeklyDueReport,
) -> None:
    """Two hours ahead: the owner's DM proposing a status, with "Add status"."""
    if now >= week.delivery:
        return  # too late to ask: the report goes out with the proposal
    with uow_factory() as uow:
        row = uow.weeklies.report(report_id)
        if row is None:
            return
        claim = _claim(uow, row, week, STATUS_DM, now)
        if claim is None:
            return
        composed = compose(uow, row, week)
        team_id, owner, channel, tz = row.team_id, row.owner_id, row.channel_id, row.tz
    proposal = composed.report.proposal
    names = names_of(chat, team_id, people_in(composed.report))
    context = {
        "report_id": report_id,
        "week": week,
        "proposal": proposal,
        "delivery": week.delivery,
        "tz": tz,
        "channel_id": channel,
        "channels": {},
        "names": names,
    }
    dm = chat.open_dm(team_id, owner)
    message = Message(
        "weekly/status_dm", context, marker=Marker("weekly_status", f"{report_id}:{week.label}")
    )
    posted = _post_once(chat, team_id, dm, message, claim, status_dm_at(week) - LEASE)
    _mark_sent(uow_factory, claim.delivery_id, posted, now)
    out.status_dms += 1

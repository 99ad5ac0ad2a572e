"""The owner's status for a week ("Add status"), and recipients' acknowledgements.

Decisions: only the owner submits a week's status, until that week's report has gone out
(after that the report stands as sent); a later submission replaces an earlier one.
Recipients and the owner may acknowledge a decision needed; pressing again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Conflict, Message
from ceremonies.core.request import Request
from ceremonies.core.text import unescape
from ceremonies.weekly.compose import Composed, compose, submission_of
from ceremonies.weekly.content import composed_as_sent, people_in
from ceremonies.weekly.delivery import REPORT, acks_of, names_of
from ceremonies.weekly.pages import detail_messages, summary_context
from ceremonies.weekly.ports import ReportRow, WeeklyUnitOfWork, WeeklyUnitOfWorkFactory
from ceremonies.weekly.report import Submission
from ceremonies.weekly.schedule import coming_week, labelled_week
from ceremonies.weekly.status import STATUSES
from ceremonies.weekly.week import ReportWeek

MAX_TEXT = 3000


@dataclass(frozen=True)
class StatusForm:
    report_id: int
    week_label: str
    proposal_status: str
    submission: Submission | None
    channel_id: str


def _report(uow: WeeklyUnitOfWork, request: Request, report_id: int) -> ReportRow:
    row = uow.weeklies.report(report_id)
    if row is None or row.team_id != request.team_id:
        raise Refusal("weekly_not_started")
    return row


def _week_by_label(row: ReportRow, label: str, request: Request) -> ReportWeek:
    coming = coming_week(row, request.now)
    if label != coming.label:
        raise Refusal("weekly_status_closed", week=label)
    return coming


def status_form(
    uow_factory: WeeklyUnitOfWorkFactory, request: Request, report_id: int, week_label: str
) -> StatusForm:
    with uow_factory() as uow:
        row = _report(uow, request, report_id)
        if request.user_id != row.owner_id:
            raise Refusal("weekly_owner_only")
        week = _week_by_label(row, week_label, request)
        composed = compose(uow, row, week)
        return StatusForm(
            row.id,
            week.label,
            composed.report.proposal.status,
            submission_of(uow, row.id, week),
            row.channel_id,
        )


def submit_status(
    uow_factory: WeeklyUnitOfWorkFactory,
    request: Request,
    report_id: int,
    week_label: str,
    submission: Submission,
) -> Submission:
    if submission.status not in STATUSES:
        raise Refusal("weekly_bad_status")
    for text in (submission.highlights, submission.plans, submission.decisions):
        # The limit is on what the person typed; escaping (& < >) only lengthens it.
        if len(unescape(text)) > MAX_TEXT:
            raise Refusal("weekly_text_too_long", limit=MAX_TEXT)
    with uow_factory() as uow:
        row = _report(uow, request, report_id)
        if request.user_id != row.owner_id:
            raise Refusal("weekly_owner_only")
        week = _week_by_label(row, week_label, request)
        known = uow.weeklies.status(row.id, week.label)
        fields = {
            "status": submission.status,
            "highlights": submission.highlights,
            "plans": submission.plans,
            "decisions": submission.decisions,
            "submitted_by": request.user_id,
            "submitted_at": request.now,
        }
        if known is None:
            try:
                uow.weeklies.add_status(report_id=row.id, week=week.label, **fields)
            except Conflict:  # two submissions at once: the later one replaces
                known = uow.weeklies.status(row.id, week.label)
        if known is not None:
            for name, value in fields.items():
                setattr(known, name, value)
        uow.commit()
        return submission


def acknowledge(
    uow_factory: WeeklyUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    delivery_id: int,
    decision: int,
) -> bool:
    """Records the acknowledgement and shows it on the report; False if it was there."""
    with uow_factory() as uow:
        sent = uow.weeklies.delivery(delivery_id)
        if sent is None or sent.team_id != request.team_id or sent.kind != REPORT:
            raise Refusal("weekly_not_started")
        row = _report(uow, request, sent.report_id)
        if request.user_id not in (*row.recipients, row.owner_id):
            raise Refusal("weekly_not_a_recipient")
        decisions = ((sent.content or {}).get("report") or {}).get("decisions") or []
        if not 0 <= decision < len(decisions):
            raise Refusal("weekly_decision_unknown")
        try:
            uow.weeklies.add_ack(
                delivery_id=delivery_id,
                decision=decision,
                user_id=request.user_id,
                acked_at=request.now,
            )
        except Conflict:
            return False
        uow.commit()
        # Shown as it went out: what happened since belongs to next week's report.
        composed = composed_as_sent(sent.content) or compose(
            uow, row, labelled_week(row, sent.week)
        )
        acks = acks_of(uow, delivery_id)
        channel, ts, team_id = sent.channel_id, sent.ts, row.team_id
        late = bool((sent.content or {}).get("late"))
    _show_acks(chat, team_id, channel, ts, composed, delivery_id, acks, late)
    return True


def _show_acks(
    chat: Chat,
    team_id: str,
    channel: str | None,
    ts: str | None,
    composed: Composed,
    delivery_id: int,
    acks: dict[int, list[str]],
    late: bool,
) -> None:
    if channel is None or ts is None:
        return
    report = composed.report
    names = names_of(chat, team_id, people_in(report) | {u for us in acks.values() for u in us})
    has_details = bool(detail_messages(report, 0, names))
    context = summary_context(report, names, delivery_id, acks, has_details, late)
    chat.update(team_id, channel, ts, Message("weekly/report", context))

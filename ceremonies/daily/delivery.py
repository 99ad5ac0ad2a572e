"""Sending what is due for dailies: prompts, parent messages, reminders, day closes.

Every piece of work is claimed in the database before it is done (a unique key or a
compare-and-set), so several processes, a cron job and the in-process scheduler may all
tick at once without double-posting; a claim that was never completed is recovered after
LEASE by looking in Slack for the tagged message before sending it again.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ceremonies.core.ports import Chat, Conflict, DeliveryError, Marker, Message, Posted
from ceremonies.core.stopping import stop_requested
from ceremonies.core.time_model import is_working_day, local_date, next_occurrence
from ceremonies.daily import publishing
from ceremonies.daily.follow_up import close_days, publish_waiting_answers, send_reminders
from ceremonies.daily.ports import (
    DailyRow,
    DailyUnitOfWork,
    DailyUnitOfWorkFactory,
    PromptRow,
    RunRow,
)
from ceremonies.daily.rules import (
    LEASE,
    MISSED,
    PENDING,
    SENT,
    close_time,
    schedule_for,
)
from ceremonies.daily.tick_report import TickReport

log = logging.getLogger(__name__)

BATCH = 2000


@dataclass(frozen=True)
class Claim:
    prompt_id: int
    run_id: int
    new_run: bool
    # What sending it needs, taken while claiming: sending reads nothing more.
    outgoing: Outgoing


@dataclass(frozen=True)
class Outgoing:
    """A claimed prompt, ready to post: plain values, no row outlives its unit of work."""

    prompt_id: int
    daily_id: int
    team_id: str
    user_id: str
    message: Message
    remind_after: timedelta
    known_dm: str | None  # the participant's DM channel as stored, if known


def run_due(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, now: datetime, *, workers: int = 8
) -> TickReport:
    report = TickReport()
    recover_unsent_prompts(uow_factory, chat, now, report)
    recover_missing_parents(uow_factory, chat, now, report)
    with uow_factory() as uow:
        due = uow.dailies.due_participant_ids(now, BATCH)
    if due:
        # Slack calls dominate a fan-out; a few threads hide their latency. Each worker has
        # its own units of work and counts into a report of its own, merged here: nothing
        # (no session, row or report) is shared between threads.
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(due)))) as pool:
            for part in pool.map(lambda pid: _prompt_participant(uow_factory, chat, pid, now), due):
                report.prompts_sent += part.prompts_sent
                report.prompts_missed += part.prompts_missed
                report.failures += part.failures
                report.home_changed += part.home_changed
    send_reminders(uow_factory, chat, now, report)
    publish_waiting_answers(uow_factory, chat, now, report)
    close_days(uow_factory, chat, now, report)
    return report


def _prompt_participant(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, participant_id: int, now: datetime
) -> TickReport:
    report = TickReport()
    if stop_requested():  # left due, for the next tick
        return report
    try:
        claim = claim_prompt(uow_factory, participant_id, now, report)
        if claim is None:
            return report
        if claim.new_run:
            publishing.ensure_parent(uow_factory, chat, claim.run_id, now)
        deliver(uow_factory, chat, claim.outgoing, now)
        report.prompts_sent += 1
        report.home_changed.append((claim.outgoing.team_id, claim.outgoing.user_id))
    except DeliveryError as error:  # Slack unreachable or refusing: a later tick retries
        log.warning("prompting participant %s failed: %s", participant_id, error)
        report.failures.append(f"participant {participant_id}: {error}")
    except Exception as error:  # one person's failure must not stop everyone else's prompt
        log.exception("prompting participant %s failed", participant_id)
        report.failures.append(f"participant {participant_id}: {error}")
    return report


def claim_prompt(
    uow_factory: DailyUnitOfWorkFactory, participant_id: int, now: datetime, report: TickReport
) -> Claim | None:
    """Claims the participant's due prompt (None when nothing is due or another took it)."""
    claim = _claim_once(uow_factory, participant_id, now, report)
    if claim is _TRY_AGAIN:
        # Moved on to today's prompt, already due: claimed in a fresh unit of work, so no
        # worker ever holds two sessions (and two connections) at once.
        claim = _claim_once(uow_factory, participant_id, now, report)
    return claim if isinstance(claim, Claim) else None


_TRY_AGAIN = object()


def _claim_once(
    uow_factory: DailyUnitOfWorkFactory, participant_id: int, now: datetime, report: TickReport
) -> Claim | object | None:
    with uow_factory() as uow:
        store = uow.dailies
        participant = store.participant_by_id(participant_id)
        if participant is None or participant.next_prompt_at is None:
            return None
        if participant.next_prompt_at > now:
            return None  # another worker already moved it on
        daily = store.daily(participant.daily_id)
        if daily is None or daily.paused or not participant.active:
            participant.next_prompt_at = None
            uow.commit()
            return None
        absences = uow.people.absences(participant.team_id, [participant.user_id])
        schedule = schedule_for(daily, participant, absences)
        scheduled = participant.next_prompt_at
        due_date = local_date(participant.tz, scheduled)
        today = local_date(participant.tz, now)
        if due_date < today or not is_working_day(schedule, due_date):
            # Yesterday's prompt is no use today; today's, even late, still is.
            start_of_today = datetime.combine(today, time(0), ZoneInfo(participant.tz))
            upcoming = next_occurrence(schedule, start_of_today, participant.last_prompt_date)
            participant.next_prompt_at = upcoming.at if upcoming else None
            uow.commit()
            report.prompts_missed += due_date < today
            if upcoming is None or upcoming.at > now:
                return None
            # Today's prompt is already due: send it now, late, rather than wait a tick.
            return _TRY_AGAIN

        run, new_run = _run_for(uow, daily, due_date, scheduled, now)
        upcoming = next_occurrence(schedule, now, due_date)
        participant.next_prompt_at = upcoming.at if upcoming else None
        participant.last_prompt_date = due_date
        try:
            prompt = store.add_prompt(
                team_id=daily.team_id,
                daily_id=daily.id,
                run_id=run.id,
                user_id=participant.user_id,
                local_date=due_date,
                status=PENDING,
                questions=list(daily.questions),
                scheduled_at=scheduled,
                claimed_at=now,
            )
        except Conflict:
            uow.commit()  # skipped today, or claimed by another worker: only move on
            return None
        late_close = scheduled + timedelta(minutes=daily.close_after_minutes)
        if run.closed_at is None and run.close_at < late_close:
            run.close_at = late_close
        outgoing = _outgoing(prompt, daily, participant.dm_channel_id, now)
        uow.commit()
        return Claim(prompt.id, run.id, new_run, outgoing)


def _outgoing(prompt: PromptRow, daily: DailyRow, known_dm: str | None, now: datetime) -> Outgoing:
    return Outgoing(
        prompt.id,
        daily.id,
        prompt.team_id,
        prompt.user_id,
        prompt_message(prompt, daily.channel_id, now - prompt.scheduled_at > LEASE),
        timedelta(minutes=daily.remind_after_minutes),
        known_dm,
    )


def _run_for(
    uow: DailyUnitOfWork, daily: DailyRow, due_date: date, scheduled: datetime, now: datetime
) -> tuple[RunRow, bool]:
    store = uow.dailies
    run = store.run_for(daily.id, due_date)
    if run is not None:
        return run, False
    participants = store.participants(daily.id)
    absences = uow.people.absences(daily.team_id, [p.user_id for p in participants])
    try:
        run = store.add_run(
            team_id=daily.team_id,
            daily_id=daily.id,
            local_date=due_date,
            channel_id=daily.channel_id,
            claimed_at=now,
            close_at=close_time(daily, participants, absences, due_date, scheduled),
        )
    except Conflict:
        existing = store.run_for(daily.id, due_date)
        assert existing is not None
        return existing, False
    return run, True


def prompt_message(prompt: PromptRow, channel_id: str, late: bool) -> Message:
    return Message(
        "daily/prompt",
        {
            "prompt_id": prompt.id,
            "channel_id": channel_id,
            "local_date": prompt.local_date,
            "question": prompt.questions[0],
            "total": len(prompt.questions),
            "late": late,
        },
        marker=Marker("daily_prompt", str(prompt.id)),
    )


def send_prompt(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, prompt_id: int, now: datetime
) -> bool:
    """Sends a prompt claimed earlier (recovery); False if it is no longer pending."""
    with uow_factory() as uow:
        prompt = uow.dailies.prompt(prompt_id)
        if prompt is None or prompt.status != PENDING:
            return False
        daily = uow.dailies.daily(prompt.daily_id)
        assert daily is not None
        participant = uow.dailies.participant(prompt.daily_id, prompt.user_id)
        outgoing = _outgoing(prompt, daily, participant.dm_channel_id if participant else None, now)
    deliver(uow_factory, chat, outgoing, now)
    return True


def deliver(uow_factory: DailyUnitOfWorkFactory, chat: Chat, out: Outgoing, now: datetime) -> None:
    try:
        posted = chat.post(out.team_id, out.user_id, out.message)
    except DeliveryError as error:
        if error.permanent:
            _mark(uow_factory, out.prompt_id, {"status": PENDING}, {"status": MISSED})
        raise
    _record_sent(uow_factory, out, posted, now)


def _record_sent(
    uow_factory: DailyUnitOfWorkFactory, out: Outgoing, posted: Posted, now: datetime
) -> None:
    with uow_factory() as uow:
        # Rows are locked in the order a claim locks them, the participant first, so a
        # claim racing in another process cannot deadlock with this.
        if out.known_dm != posted.channel:
            uow.dailies.set_dm_channel(out.daily_id, out.user_id, posted.channel)
        uow.dailies.mark_prompt(
            out.prompt_id,
            {"status": PENDING},
            {
                "status": SENT,
                "sent_at": now,
                "dm_channel_id": posted.channel,
                "message_ts": posted.ts,
                "remind_at": now + out.remind_after,
            },
        )
        uow.commit()


def _mark(
    uow_factory: DailyUnitOfWorkFactory, prompt_id: int, expected: dict, changes: dict
) -> bool:
    with uow_factory() as uow:
        prompt = uow.dailies.prompt(prompt_id)
        done = prompt is not None and uow.dailies.compare_and_set(prompt, expected, changes)
        uow.commit()
        return done


def recover_unsent_prompts(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, now: datetime, report: TickReport
) -> None:
    """A worker that died between claiming and recording: find its DM, or send it now."""
    with uow_factory() as uow:
        stale = uow.dailies.unsent_prompts(now - LEASE)
        work = []
        for prompt in stale:
            participant = uow.dailies.participant(prompt.daily_id, prompt.user_id)
            tz = participant.tz if participant else "UTC"
            if local_date(tz, now) != prompt.local_date:
                uow.dailies.compare_and_set(prompt, {"status": PENDING}, {"status": MISSED})
                continue
            claimed_before = prompt.claimed_at
            if uow.dailies.compare_and_set(
                prompt, {"status": PENDING, "claimed_at": claimed_before}, {"claimed_at": now}
            ):
                dm = participant.dm_channel_id if participant else None
                work.append((prompt.id, prompt.team_id, prompt.user_id, dm, claimed_before))
        uow.commit()
    for prompt_id, team_id, user_id, dm, claimed_before in work:
        try:
            channel = dm or chat.open_dm(team_id, user_id)
            found = chat.find_posted(
                team_id,
                channel,
                Marker("daily_prompt", str(prompt_id)),
                claimed_before - timedelta(minutes=1),
            )
            if found is not None:
                with uow_factory() as uow:
                    prompt = uow.dailies.prompt(prompt_id)
                    assert prompt is not None
                    daily = uow.dailies.daily(prompt.daily_id)
                    assert daily is not None
                    outgoing = _outgoing(prompt, daily, None, now)
                _record_sent(uow_factory, outgoing, found, now)
            elif not send_prompt(uow_factory, chat, prompt_id, now):
                continue
            report.prompts_recovered += 1
            report.home_changed.append((team_id, user_id))
        except Exception as error:
            log.exception("recovering prompt %s failed", prompt_id)
            report.failures.append(f"prompt {prompt_id}: {error}")


def recover_missing_parents(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, now: datetime, report: TickReport
) -> None:
    with uow_factory() as uow:
        runs = [(r.id, r.claimed_at) for r in uow.dailies.runs_missing_parent(now - LEASE)]
    for run_id, claimed_before in runs:
        try:
            publishing.ensure_parent(uow_factory, chat, run_id, now, stale_claim=claimed_before)
        except Exception as error:
            log.exception("posting the parent of run %s failed", run_id)
            report.failures.append(f"run {run_id}: {error}")

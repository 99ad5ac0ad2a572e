"""What a day needs once its prompts are out: one reminder each, answers posted, the close.

Each piece is claimed (a compare-and-set) before it is done, like the prompts themselves.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ceremonies.core.ports import Chat, Message
from ceremonies.daily import publishing
from ceremonies.daily.ports import DailyUnitOfWorkFactory
from ceremonies.daily.rules import LEASE
from ceremonies.daily.tick_report import TickReport

log = logging.getLogger(__name__)


def send_reminders(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, now: datetime, report: TickReport
) -> None:
    with uow_factory() as uow:
        store = uow.dailies
        to_send: list[tuple[str, str, Message]] = []
        for prompt in store.prompts_to_remind(now):
            run = store.run(prompt.run_id) if prompt.run_id else None
            if not store.compare_and_set(prompt, {"reminded_at": None}, {"reminded_at": now}):
                continue
            if run is not None and (run.closed_at is not None or run.close_at <= now):
                # The day is over (or should be: after downtime it closes this very tick);
                # a reminder now would only nag about a day nobody can answer any more.
                continue
            answered = len(store.answers(prompt.id))
            daily = store.daily(prompt.daily_id)
            assert daily is not None
            to_send.append(
                (
                    prompt.team_id,
                    prompt.dm_channel_id or prompt.user_id,
                    Message(
                        "daily/reminder",
                        {
                            "prompt_id": prompt.id,
                            "channel_id": daily.channel_id,
                            "local_date": prompt.local_date,
                            "question": prompt.questions[min(answered, len(prompt.questions) - 1)],
                            "answered": answered,
                            "total": len(prompt.questions),
                        },
                    ),
                )
            )
        uow.commit()  # claimed before sending: a reminder goes out at most once
    for team_id, channel, message in to_send:
        try:
            chat.post(team_id, channel, message)
            report.reminders_sent += 1
        except Exception as error:
            log.exception("reminder to %s failed", channel)
            report.failures.append(f"reminder {channel}: {error}")


def publish_waiting_answers(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, now: datetime, report: TickReport
) -> None:
    with uow_factory() as uow:
        waiting = [p.id for p in uow.dailies.unpublished_answers(now - LEASE)]
    for prompt_id in waiting:
        try:
            if publishing.publish_answers(uow_factory, chat, prompt_id, now):
                report.answers_published += 1
        except Exception as error:
            log.exception("publishing answers of prompt %s failed", prompt_id)
            report.failures.append(f"answers {prompt_id}: {error}")


def close_days(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, now: datetime, report: TickReport
) -> None:
    with uow_factory() as uow:
        closing = []
        for run in uow.dailies.runs_to_close(now):
            if uow.dailies.compare_and_set(run, {"closed_at": None}, {"closed_at": now}):
                closing.append(run.id)
        uow.commit()
    for run_id in closing:
        try:
            publishing.refresh_parent(uow_factory, chat, run_id)
            report.days_closed += 1
        except Exception as error:
            log.exception("closing run %s failed", run_id)
            report.failures.append(f"close {run_id}: {error}")

"""Looking back at a daily: today's status and the history of answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Request
from ceremonies.core.time_model import local_date
from ceremonies.daily.ports import DailyUnitOfWorkFactory
from ceremonies.daily.publishing import answer_card, run_summary
from ceremonies.daily.rules import ANSWERED


@dataclass(frozen=True)
class Status:
    channel_id: str
    summary: dict[str, Any] | None
    not_prompted: list[str]
    later_today: list[str]
    next_prompts: dict[str, datetime]
    paused: bool


@dataclass(frozen=True)
class HistoryDay:
    local_date: date
    cards: list[dict[str, Any]]
    missing: list[str]


def status(uow_factory: DailyUnitOfWorkFactory, team_id: str, channel_id: str) -> Status:
    with uow_factory() as uow:
        store = uow.dailies
        daily = store.daily_in_channel(team_id, channel_id)
        if daily is None:
            raise Refusal("no_daily", channel_id=channel_id)
        participants = store.participants(daily.id)
        run = store.latest_run(daily.id)
        summary = run_summary(store, run) if run else None
        prompted = set()
        if summary:
            prompted = {*summary["answered"], *summary["waiting"], *summary["skipped"]}
        waiting_for_their_time = {
            p.user_id
            for p in participants
            if run is not None
            and p.user_id not in prompted
            and p.next_prompt_at is not None
            and local_date(p.tz, p.next_prompt_at) == run.local_date
        }
        return Status(
            channel_id=channel_id,
            summary=summary,
            not_prompted=[
                p.user_id
                for p in participants
                if p.user_id not in prompted and p.user_id not in waiting_for_their_time
            ],
            later_today=sorted(waiting_for_their_time),
            next_prompts={p.user_id: p.next_prompt_at for p in participants if p.next_prompt_at},
            paused=daily.paused,
        )


def history(
    uow_factory: DailyUnitOfWorkFactory,
    request: Request,
    user_id: str | None,
    days: int,
    tz: str,
) -> list[HistoryDay]:
    """The last `days` days of answers (of `user_id`, or everyone's), newest day first.

    Days are those of the asking person's calendar (`tz`).
    """
    team_id, channel_id = request.team_id, request.channel_id
    last = local_date(tz, request.now)
    first = last - timedelta(days=days - 1)
    with uow_factory() as uow:
        store = uow.dailies
        daily = store.daily_in_channel(team_id, channel_id)
        if daily is None:
            raise Refusal("no_daily", channel_id=channel_id)
        by_day: dict[date, HistoryDay] = {}
        for prompt in store.prompts_between(daily.id, first, last, user_id):
            day = by_day.setdefault(prompt.local_date, HistoryDay(prompt.local_date, [], []))
            run = store.run(prompt.run_id) if prompt.run_id else None
            if prompt.status == ANSWERED and run is not None:
                day.cards.append(answer_card(prompt, store.answers(prompt.id), run))
            else:
                day.missing.append(prompt.user_id)
        return [by_day[d] for d in sorted(by_day, reverse=True)]

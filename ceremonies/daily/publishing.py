"""What a daily shows in its team channel: the day's parent message and each person's answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ceremonies.core.ports import Chat, Marker, Message
from ceremonies.daily.ports import AnswerRow, DailyStore, DailyUnitOfWorkFactory, PromptRow, RunRow
from ceremonies.daily.rules import (
    ANSWERED,
    LEASE,
    SKIPPED,
    blocker_position,
    is_blocker,
)


def answer_card(prompt: PromptRow, answers: list[AnswerRow], run: RunRow) -> dict[str, Any]:
    blocker_at = blocker_position(prompt.questions)
    texts = {a.position: a.text for a in answers}
    items = [
        {
            "question": question,
            "answer": texts.get(position, ""),
            "blocker": position == blocker_at and is_blocker(texts.get(position, "")),
        }
        for position, question in enumerate(prompt.questions)
    ]
    late = prompt.answered_at is not None and prompt.answered_at > run.close_at
    return {
        "user_id": prompt.user_id,
        "local_date": prompt.local_date,
        "items": items,
        "has_blocker": any(item["blocker"] for item in items),
        "late": late,
    }


def run_summary(store: DailyStore, run: RunRow) -> dict[str, Any]:
    """Who answered, who has not (yet), who skipped, who is blocked — for the parent message."""
    answered, waiting, skipped, blocked = [], [], [], []
    prompts = store.prompts_of_run(run.id)
    # In the order people answered; the rest by name so the message is stable.
    prompts.sort(key=lambda p: (p.answered_at is None, p.answered_at or run.close_at, p.user_id))
    for prompt in prompts:
        if prompt.status == ANSWERED:
            answered.append(prompt.user_id)
            card = answer_card(prompt, store.answers(prompt.id), run)
            if card["has_blocker"]:
                blocked.append(prompt.user_id)
        elif prompt.status == SKIPPED:
            skipped.append(prompt.user_id)
        else:
            waiting.append(prompt.user_id)
    return {
        "run_id": run.id,
        "local_date": run.local_date,
        "closed": run.closed_at is not None,
        "answered": answered,
        "waiting": waiting,
        "skipped": skipped,
        "blocked": blocked,
    }


def ensure_parent(
    uow_factory: DailyUnitOfWorkFactory,
    chat: Chat,
    run_id: int,
    now: datetime,
    *,
    stale_claim: datetime | None = None,
) -> None:
    """Posts the day's parent message once; a stale claim first looks for one already posted."""
    with uow_factory() as uow:
        run = uow.dailies.run(run_id)
        if run is None or run.parent_ts is not None:
            return
        if stale_claim is not None:
            if not uow.dailies.compare_and_set(
                run, {"claimed_at": stale_claim, "parent_ts": None}, {"claimed_at": now}
            ):
                return
            uow.commit()
        team_id, channel = run.team_id, run.channel_id
        message = Message(
            "daily/parent", run_summary(uow.dailies, run), marker=Marker("daily_run", str(run.id))
        )
    posted = None
    if stale_claim is not None:
        posted = chat.find_posted(
            team_id,
            channel,
            message.marker,
            stale_claim - timedelta(minutes=1),  # type: ignore[arg-type]
        )
    posted = posted or chat.post(team_id, channel, message)
    with uow_factory() as uow:
        run = uow.dailies.run(run_id)
        assert run is not None
        uow.dailies.compare_and_set(run, {"parent_ts": None}, {"parent_ts": posted.ts})
        waiting = [
            p.id
            for p in uow.dailies.prompts_of_run(run_id)
            if p.status == ANSWERED and p.thread_ts is None
        ]
        uow.commit()
    for prompt_id in waiting:
        publish_answers(uow_factory, chat, prompt_id, now)


def publish_answers(
    uow_factory: DailyUnitOfWorkFactory,
    chat: Chat,
    prompt_id: int,
    now: datetime,
) -> bool:
    """Posts a complete set of answers into the day's thread, exactly once."""
    with uow_factory() as uow:
        store = uow.dailies
        prompt = store.prompt(prompt_id)
        if prompt is None or prompt.status != ANSWERED or prompt.thread_ts is not None:
            return False
        run = store.run(prompt.run_id) if prompt.run_id else None
        if run is None or run.parent_ts is None:
            return False  # posted once the parent exists
        previous = prompt.thread_claimed_at
        if previous is not None and previous > now - LEASE:
            return False  # someone is posting it right now
        if not store.compare_and_set(
            prompt, {"thread_claimed_at": previous, "thread_ts": None}, {"thread_claimed_at": now}
        ):
            return False
        uow.commit()
        card = answer_card(prompt, store.answers(prompt.id), run)
        team_id, channel, parent_ts = run.team_id, run.channel_id, run.parent_ts
        closed = run.closed_at is not None
    marker = Marker("daily_answers", str(prompt_id))
    posted = None
    if previous is not None:
        posted = chat.find_posted(
            team_id, channel, marker, previous - timedelta(minutes=1), thread_ts=parent_ts
        )
    posted = posted or chat.post(
        team_id, channel, Message("daily/answers", card, thread_ts=parent_ts, marker=marker)
    )
    with uow_factory() as uow:
        prompt = uow.dailies.prompt(prompt_id)
        assert prompt is not None
        uow.dailies.compare_and_set(prompt, {"thread_ts": None}, {"thread_ts": posted.ts})
        uow.commit()
    if closed:
        refresh_parent(uow_factory, chat, prompt.run_id)  # type: ignore[arg-type]
    return True


def update_published_answers(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, prompt_id: int
) -> None:
    with uow_factory() as uow:
        prompt = uow.dailies.prompt(prompt_id)
        run = uow.dailies.run(prompt.run_id) if prompt and prompt.run_id else None
        if prompt is None or run is None or prompt.thread_ts is None:
            return
        card = answer_card(prompt, uow.dailies.answers(prompt.id), run)
        team_id, channel, ts, closed = run.team_id, run.channel_id, prompt.thread_ts, run.closed_at
    chat.update(team_id, channel, ts, Message("daily/answers", card))
    if closed is not None:
        refresh_parent(uow_factory, chat, run.id)


def refresh_parent(uow_factory: DailyUnitOfWorkFactory, chat: Chat, run_id: int) -> None:
    with uow_factory() as uow:
        run = uow.dailies.run(run_id)
        if run is None or run.parent_ts is None:
            return
        summary = run_summary(uow.dailies, run)
        team_id, channel, ts = run.team_id, run.channel_id, run.parent_ts
    chat.update(team_id, channel, ts, Message("daily/parent", summary))

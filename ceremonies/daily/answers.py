"""Taking a participant's answers: the DM conversation, the form, and edits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Conflict, Message
from ceremonies.core.request import Request, Written
from ceremonies.daily import publishing
from ceremonies.daily.ports import AnswerRow, DailyStore, DailyUnitOfWorkFactory
from ceremonies.daily.rules import ANSWERED, PENDING, SENT, SKIPPED

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Form:
    prompt_id: int
    channel_id: str
    local_date: object
    questions: list[str]
    answers: list[str]


def take_dm_reply(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, request: Request, reply: Written
) -> None:
    """A reply in the bot's DM (`request.channel_id`) answers the latest prompt's next question."""
    team_id, user_id, now = request.team_id, request.user_id, request.now
    for _ in range(MAX_ATTEMPTS):
        try:
            answer, completed = _store_reply(
                uow_factory, team_id, user_id, request.channel_id, reply, now
            )
        except Conflict:
            continue  # two replies raced for the same question: count again
        break
    else:
        raise RuntimeError("could not store the reply after several attempts")
    if answer is not None:
        chat.post(team_id, request.channel_id, answer)
    if completed is not None:
        publishing.publish_answers(uow_factory, chat, completed, now)


def _written_at(ts: str | None) -> tuple[int, int] | None:
    """A Slack message ts ("1700000000.000100") as a comparable pair; None if it is not one."""
    seconds, _, fraction = (ts or "").partition(".")
    if not (seconds.isdigit() and (fraction.isdigit() or not fraction)):
        return None
    return int(seconds), int(fraction or 0)


def _position_in_order(
    store: DailyStore, prompt_id: int, existing: list[AnswerRow], ts: str
) -> int:
    """Replies answer questions in the order they were written, even if processed out of
    order: a reply written before ones already stored takes its place and moves them on."""
    written = _written_at(ts)
    later = [
        a
        for a in existing
        if written and (other := _written_at(a.message_ts)) is not None and other > written
    ]
    if not later:
        return len(existing)
    position = min(a.position for a in later)
    store.shift_answers(prompt_id, position)
    return position


def _store_reply(
    uow_factory: DailyUnitOfWorkFactory,
    team_id: str,
    user_id: str,
    dm_channel: str,
    reply: Written,
    now: datetime,
) -> tuple[Message | None, int | None]:
    """Stores one reply; returns what to say back and the prompt it completed, if any."""
    ts, text = reply.ts, reply.text
    with uow_factory() as uow:
        store = uow.dailies
        if store.answer_by_message(team_id, ts, user_id) is not None:
            return None, None  # the same message delivered twice
        prompt = store.latest_prompt_sent_to(team_id, user_id)
        if prompt is None:
            return Message("daily/no_prompt", {}), None
        daily = store.daily(prompt.daily_id)
        assert daily is not None
        if prompt.status == PENDING:
            # Not yet confirmed as sent (Slack may have answered 500 after posting it): a
            # reply proves the person saw it, so it is sent, and this is its answer.
            store.compare_and_set(
                prompt,
                {"status": PENDING},
                {
                    "status": SENT,
                    "sent_at": now,
                    "dm_channel_id": dm_channel,
                    "remind_at": now + timedelta(minutes=daily.remind_after_minutes),
                },
            )
        existing = store.answers(prompt.id)
        answered = len(existing)
        total = len(prompt.questions)
        if answered >= total:
            return Message(
                "daily/already_answered",
                {
                    "prompt_id": prompt.id,
                    "local_date": prompt.local_date,
                    "channel_id": daily.channel_id,
                },
            ), None
        store.add_answer(
            team_id=team_id,
            prompt_id=prompt.id,
            position=_position_in_order(store, prompt.id, existing, ts),
            text=text,
            message_ts=ts,
            created_at=now,
            updated_at=now,
        )
        if answered + 1 == total:
            prompt.status = ANSWERED
            prompt.answered_at = now
            uow.commit()
            return Message(
                "daily/confirmation",
                {"channel_id": daily.channel_id, "local_date": prompt.local_date},
            ), prompt.id
        if prompt.status == SKIPPED:
            prompt.status = SENT
        uow.commit()
        return Message(
            "daily/question",
            {"question": prompt.questions[answered + 1], "position": answered + 2, "total": total},
        ), None


def take_edit(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, request: Request, edited: Written
) -> bool:
    """An edited DM reply changes the stored answer and the message in the team thread."""
    with uow_factory() as uow:
        answer = uow.dailies.answer_by_message(request.team_id, edited.ts, request.user_id)
        if answer is None:
            return False
        prompt = uow.dailies.prompt(answer.prompt_id)
        if prompt is None:
            return False
        answer.text = edited.text
        answer.updated_at = request.now
        prompt_id = prompt.id
        uow.commit()
    publishing.update_published_answers(uow_factory, chat, prompt_id)
    return True


def form_for(
    uow_factory: DailyUnitOfWorkFactory, team_id: str, user_id: str, prompt_id: int
) -> Form:
    with uow_factory() as uow:
        prompt = uow.dailies.prompt(prompt_id)
        if prompt is None or prompt.team_id != team_id or prompt.user_id != user_id:
            raise Refusal("not_your_prompt")
        daily = uow.dailies.daily(prompt.daily_id)
        assert daily is not None
        texts = {a.position: a.text for a in uow.dailies.answers(prompt.id)}
        return Form(
            prompt_id=prompt.id,
            channel_id=daily.channel_id,
            local_date=prompt.local_date,
            questions=list(prompt.questions),
            answers=[texts.get(i, "") for i in range(len(prompt.questions))],
        )


def submit_form(
    uow_factory: DailyUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    prompt_id: int,
    texts: list[str],
) -> None:
    team_id, user_id, now = request.team_id, request.user_id, request.now
    with uow_factory() as uow:
        store = uow.dailies
        prompt = store.prompt(prompt_id)
        if prompt is None or prompt.team_id != team_id or prompt.user_id != user_id:
            raise Refusal("not_your_prompt")
        if len(texts) != len(prompt.questions):
            raise Refusal("form_outdated")
        existing = {a.position: a for a in store.answers(prompt.id)}
        for position, text in enumerate(texts):
            if position in existing:
                existing[position].text = text
                existing[position].updated_at = now
            else:
                store.add_answer(
                    team_id=team_id,
                    prompt_id=prompt.id,
                    position=position,
                    text=text,
                    message_ts=None,
                    created_at=now,
                    updated_at=now,
                )
        first_time = prompt.status != ANSWERED
        prompt.status = ANSWERED
        if prompt.answered_at is None:
            prompt.answered_at = now
        daily = store.daily(prompt.daily_id)
        assert daily is not None
        dm = prompt.dm_channel_id or user_id
        confirmation = Message(
            "daily/confirmation", {"channel_id": daily.channel_id, "local_date": prompt.local_date}
        )
        published = prompt.thread_ts is not None
        uow.commit()
    if first_time:
        chat.post(team_id, dm, confirmation)
    if published:
        publishing.update_published_answers(uow_factory, chat, prompt_id)
    else:
        publishing.publish_answers(uow_factory, chat, prompt_id, now)

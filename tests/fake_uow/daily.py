"""In-memory dailies: the rows of storage/daily/models.py and SqlDailyStore's queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from tests.fake_uow.core import FakeStore, Row, at_or_before, before


@dataclass(kw_only=True, eq=False)
class Daily(Row):
    UNIQUE = (("team_id", "channel_id"),)
    team_id: str
    channel_id: str
    owner_id: str
    prompt_time: time
    weekdays: frozenset[int]
    questions: list[str]
    country: str | None = None
    paused: bool = False
    remind_after_minutes: int = 120
    close_after_minutes: int = 480
    created_at: datetime


@dataclass(kw_only=True, eq=False)
class Participant(Row):
    UNIQUE = (("daily_id", "user_id"),)
    FOREIGN = (("daily_id", "Daily"),)
    team_id: str
    daily_id: int
    user_id: str
    tz: str
    country: str | None = None
    active: bool = True
    next_prompt_at: datetime | None = None
    last_prompt_date: date | None = None
    dm_channel_id: str | None = None


@dataclass(kw_only=True, eq=False)
class DailyRun(Row):
    UNIQUE = (("daily_id", "local_date"),)
    FOREIGN = (("daily_id", "Daily"),)
    team_id: str
    daily_id: int
    local_date: date
    channel_id: str
    parent_ts: str | None = None
    claimed_at: datetime
    close_at: datetime
    closed_at: datetime | None = None


@dataclass(kw_only=True, eq=False)
class Prompt(Row):
    UNIQUE = (("daily_id", "user_id", "local_date"),)
    FOREIGN = (("daily_id", "Daily"), ("run_id", "DailyRun"))
    team_id: str
    daily_id: int
    run_id: int | None = None
    user_id: str
    local_date: date
    status: str
    questions: list[str]
    scheduled_at: datetime
    claimed_at: datetime
    sent_at: datetime | None = None
    dm_channel_id: str | None = None
    message_ts: str | None = None
    remind_at: datetime | None = None
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    thread_ts: str | None = None
    thread_claimed_at: datetime | None = None


@dataclass(kw_only=True, eq=False)
class Answer(Row):
    UNIQUE = (("prompt_id", "position"),)
    FOREIGN = (("prompt_id", "Prompt"),)
    team_id: str
    prompt_id: int
    position: int
    text: str
    message_ts: str | None = None
    created_at: datetime
    updated_at: datetime


class FakeDailyStore(FakeStore):
    # dailies and participants
    def daily(self, daily_id: int) -> Daily | None:
        return self._tx.get(Daily, daily_id)

    def daily_in_channel(self, team_id: str, channel_id: str) -> Daily | None:
        return self._tx.first(Daily, lambda d: (d.team_id, d.channel_id) == (team_id, channel_id))

    def add_daily(self, **fields: Any) -> Daily:
        return self._tx.insert(Daily(**fields))

    def participants(self, daily_id: int, *, active_only: bool = True) -> list[Participant]:
        return self._tx.rows(
            Participant, lambda p: p.daily_id == daily_id and (p.active or not active_only)
        )

    def participant(self, daily_id: int, user_id: str) -> Participant | None:
        return self._tx.first(Participant, lambda p: (p.daily_id, p.user_id) == (daily_id, user_id))

    def participants_of_user(self, team_id: str, user_id: str) -> list[Participant]:
        return self._tx.rows(Participant, lambda p: (p.team_id, p.user_id) == (team_id, user_id))

    def add_participant(self, **fields: Any) -> Participant:
        return self._tx.insert(Participant(**fields))

    def due_participant_ids(self, now: datetime, limit: int) -> list[int]:
        due = self._tx.rows(Participant, lambda p: at_or_before(p.next_prompt_at, now))
        due.sort(key=lambda p: (p.next_prompt_at, p.id))
        return [p.id for p in due[:limit]]

    def participant_by_id(self, participant_id: int) -> Participant | None:
        return self._tx.get(Participant, participant_id)

    # runs
    def run(self, run_id: int) -> DailyRun | None:
        return self._tx.get(DailyRun, run_id)

    def run_for(self, daily_id: int, local_date: date) -> DailyRun | None:
        return self._tx.first(
            DailyRun, lambda r: (r.daily_id, r.local_date) == (daily_id, local_date)
        )

    def latest_run(self, daily_id: int) -> DailyRun | None:
        runs = self._tx.rows(DailyRun, lambda r: r.daily_id == daily_id)
        return max(runs, key=lambda r: r.local_date, default=None)

    def add_run(self, **fields: Any) -> DailyRun:
        return self._tx.insert(DailyRun(**fields))

    def runs_to_close(self, now: datetime) -> list[DailyRun]:
        return self._tx.rows(
            DailyRun, lambda r: at_or_before(r.close_at, now) and r.closed_at is None
        )

    def runs_missing_parent(self, claimed_before: datetime) -> list[DailyRun]:
        return self._tx.rows(
            DailyRun,
            lambda r: (
                r.parent_ts is None and before(r.claimed_at, claimed_before) and r.closed_at is None
            ),
        )

    def set_dm_channel(self, daily_id: int, user_id: str, channel_id: str) -> None:
        participant = self.participant(daily_id, user_id)
        if participant is not None:
            participant.dm_channel_id = channel_id

    # prompts and answers
    def prompt(self, prompt_id: int) -> Prompt | None:
        return self._tx.get(Prompt, prompt_id)

    def mark_prompt(
        self, prompt_id: int, expected: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> bool:
        prompt = self._tx.get(Prompt, prompt_id)
        return prompt is not None and self.compare_and_set(prompt, expected, changes)

    def prompt_for(self, daily_id: int, user_id: str, local_date: date) -> Prompt | None:
        key = (daily_id, user_id, local_date)
        return self._tx.first(Prompt, lambda p: (p.daily_id, p.user_id, p.local_date) == key)

    def add_prompt(self, **fields: Any) -> Prompt:
        return self._tx.insert(Prompt(**fields))

    def prompts_of_run(self, run_id: int) -> list[Prompt]:
        return self._tx.rows(Prompt, lambda p: p.run_id == run_id)

    def latest_prompt_sent_to(self, team_id: str, user_id: str) -> Prompt | None:
        sent = self._tx.rows(
            Prompt,
            lambda p: (
                (p.team_id, p.user_id) == (team_id, user_id)
                and (p.sent_at is not None or p.status == "pending")
            ),
        )
        return max(
            sent, key=lambda p: (p.local_date, p.sent_at or p.claimed_at, p.id), default=None
        )

    def unsent_prompts(self, claimed_before: datetime) -> list[Prompt]:
        return self._tx.rows(
            Prompt, lambda p: p.status == "pending" and before(p.claimed_at, claimed_before)
        )

    def prompts_to_remind(self, now: datetime) -> list[Prompt]:
        return self._tx.rows(
            Prompt,
            lambda p: (
                at_or_before(p.remind_at, now) and p.reminded_at is None and p.status == "sent"
            ),
        )

    def unpublished_answers(self, claimed_before: datetime) -> list[Prompt]:
        return self._tx.rows(
            Prompt,
            lambda p: (
                p.status == "answered"
                and p.thread_ts is None
                and (p.thread_claimed_at is None or p.thread_claimed_at < claimed_before)
            ),
        )

    def prompts_between(
        self, daily_id: int, first: date, last: date, user_id: str | None
    ) -> list[Prompt]:
        found = self._tx.rows(
            Prompt,
            lambda p: (
                p.daily_id == daily_id
                and first <= p.local_date <= last
                and (not user_id or p.user_id == user_id)
            ),
        )
        return sorted(found, key=lambda p: (p.local_date, p.user_id))

    def answers(self, prompt_id: int) -> list[Answer]:
        found = self._tx.rows(Answer, lambda a: a.prompt_id == prompt_id)
        return sorted(found, key=lambda a: a.position)

    def answer_by_message(self, team_id: str, message_ts: str, user_id: str) -> Answer | None:
        def theirs(answer: Answer) -> bool:
            prompt = self._tx.get(Prompt, answer.prompt_id)
            return prompt is not None and prompt.user_id == user_id

        return self._tx.first(
            Answer, lambda a: (a.team_id, a.message_ts) == (team_id, message_ts) and theirs(a)
        )

    def add_answer(self, **fields: Any) -> Answer:
        return self._tx.insert(Answer(**fields))

    def shift_answers(self, prompt_id: int, from_position: int) -> None:
        """Moves answers at `from_position` and after one place on."""
        for answer in self._tx.rows(Answer, lambda a: a.prompt_id == prompt_id):
            if answer.position >= from_position:
                answer.position += 1

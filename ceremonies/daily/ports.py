"""What the daily's rules need from storage: its rows and its store, inside a unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from ceremonies.core.ports import UnitOfWork, UnitOfWorkFactory


class DailyRow(Protocol):
    id: int
    team_id: str
    channel_id: str
    owner_id: str
    prompt_time: Any
    weekdays: frozenset[int]
    questions: list[str]
    country: str | None
    paused: bool
    remind_after_minutes: int
    close_after_minutes: int


class ParticipantRow(Protocol):
    id: int
    team_id: str
    daily_id: int
    user_id: str
    tz: str
    country: str | None
    active: bool
    next_prompt_at: datetime | None
    last_prompt_date: date | None
    dm_channel_id: str | None


class RunRow(Protocol):
    id: int
    team_id: str
    daily_id: int
    local_date: date
    channel_id: str
    parent_ts: str | None
    claimed_at: datetime
    close_at: datetime
    closed_at: datetime | None


class PromptRow(Protocol):
    id: int
    team_id: str
    daily_id: int
    run_id: int | None
    user_id: str
    local_date: date
    status: str
    questions: list[str]
    scheduled_at: datetime
    claimed_at: datetime
    sent_at: datetime | None
    dm_channel_id: str | None
    message_ts: str | None
    remind_at: datetime | None
    reminded_at: datetime | None
    answered_at: datetime | None
    thread_ts: str | None
    thread_claimed_at: datetime | None


class AnswerRow(Protocol):
    id: int
    prompt_id: int
    position: int
    text: str
    message_ts: str | None
    updated_at: datetime


class DailyStore(Protocol):
    """Reads and writes of the dailies' history inside one unit of work."""

    def daily(self, daily_id: int) -> DailyRow | None: ...
    def daily_in_channel(self, team_id: str, channel_id: str) -> DailyRow | None: ...
    def add_daily(self, **fields: Any) -> DailyRow: ...
    def participants(self, daily_id: int, *, active_only: bool = True) -> list[ParticipantRow]: ...
    def participant(self, daily_id: int, user_id: str) -> ParticipantRow | None: ...
    def participants_of_user(self, team_id: str, user_id: str) -> list[ParticipantRow]: ...
    def add_participant(self, **fields: Any) -> ParticipantRow: ...
    def due_participant_ids(self, now: datetime, limit: int) -> list[int]: ...
    def participant_by_id(self, participant_id: int) -> ParticipantRow | None: ...
    def run(self, run_id: int) -> RunRow | None: ...
    def run_for(self, daily_id: int, local_date: date) -> RunRow | None: ...
    def latest_run(self, daily_id: int) -> RunRow | None: ...
    def add_run(self, **fields: Any) -> RunRow: ...
    def runs_to_close(self, now: datetime) -> list[RunRow]: ...
    def runs_missing_parent(self, claimed_before: datetime) -> list[RunRow]: ...
    def prompt(self, prompt_id: int) -> PromptRow | None: ...
    def mark_prompt(
        self, prompt_id: int, expected: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> bool: ...
    def set_dm_channel(self, daily_id: int, user_id: str, channel_id: str) -> None: ...
    def prompt_for(self, daily_id: int, user_id: str, local_date: date) -> PromptRow | None: ...
    def add_prompt(self, **fields: Any) -> PromptRow: ...
    def prompts_of_run(self, run_id: int) -> list[PromptRow]: ...
    def latest_prompt_sent_to(self, team_id: str, user_id: str) -> PromptRow | None:
        """The latest prompt sent to the person, or claimed for them and maybe sent."""
        ...

    def unsent_prompts(self, claimed_before: datetime) -> list[PromptRow]: ...
    def prompts_to_remind(self, now: datetime) -> list[PromptRow]: ...
    def unpublished_answers(self, claimed_before: datetime) -> list[PromptRow]: ...
    def prompts_between(
        self, daily_id: int, first: date, last: date, user_id: str | None
    ) -> list[PromptRow]: ...
    def answers(self, prompt_id: int) -> list[AnswerRow]: ...
    def answer_by_message(
        self, team_id: str, message_ts: str, user_id: str
    ) -> AnswerRow | None: ...
    def add_answer(self, **fields: Any) -> AnswerRow: ...
    def shift_answers(self, prompt_id: int, from_position: int) -> None: ...
    def compare_and_set(
        self, row: Any, expected: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> bool: ...


class DailyUnitOfWork(UnitOfWork, Protocol):
    dailies: DailyStore


DailyUnitOfWorkFactory = UnitOfWorkFactory[DailyUnitOfWork]

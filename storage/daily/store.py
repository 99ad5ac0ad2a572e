"""SQL reads and writes behind the dailies' rules (ceremonies.daily.ports.DailyStore)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select, text, update

from storage.daily.models import (
    Answer,
    Daily,
    DailyRun,
    Participant,
    Prompt,
)
from storage.store_base import SqlStore
from storage.workspaces import active


class SqlDailyStore(SqlStore):
    # dailies and participants
    def daily(self, daily_id: int) -> Daily | None:
        return self.session.get(Daily, daily_id)

    def daily_in_channel(self, team_id: str, channel_id: str) -> Daily | None:
        return self.session.scalar(
            select(Daily).where(Daily.team_id == team_id, Daily.channel_id == channel_id)
        )

    def add_daily(self, **fields: Any) -> Daily:
        return self._insert(Daily(**fields))

    def participants(self, daily_id: int, *, active_only: bool = True) -> list[Participant]:
        query = select(Participant).where(Participant.daily_id == daily_id)
        if active_only:
            query = query.where(Participant.active.is_(True))
        return list(self.session.scalars(query.order_by(Participant.id)))

    def participant(self, daily_id: int, user_id: str) -> Participant | None:
        return self.session.scalar(
            select(Participant).where(
                Participant.daily_id == daily_id, Participant.user_id == user_id
            )
        )

    def participants_of_user(self, team_id: str, user_id: str) -> list[Participant]:
        return list(
            self.session.scalars(
                select(Participant).where(
                    Participant.team_id == team_id, Participant.user_id == user_id
                )
            )
        )

    def add_participant(self, **fields: Any) -> Participant:
        return self._insert(Participant(**fields))

    def due_participant_ids(self, now: datetime, limit: int) -> list[int]:
        return list(
            self.session.scalars(
                select(Participant.id)
                .where(Participant.next_prompt_at <= now, active(Participant.team_id))
                .order_by(Participant.next_prompt_at)
                .limit(limit)
            )
        )

    def participant_by_id(self, participant_id: int) -> Participant | None:
        return self.session.get(Participant, participant_id)

    # runs
    def run(self, run_id: int) -> DailyRun | None:
        return self.session.get(DailyRun, run_id)

    def run_for(self, daily_id: int, local_date: date) -> DailyRun | None:
        return self.session.scalar(
            select(DailyRun).where(DailyRun.daily_id == daily_id, DailyRun.local_date == local_date)
        )

    def latest_run(self, daily_id: int) -> DailyRun | None:
        return self.session.scalar(
            select(DailyRun)
            .where(DailyRun.daily_id == daily_id)
            .order_by(DailyRun.local_date.desc())
            .limit(1)
        )

    def add_run(self, **fields: Any) -> DailyRun:
        return self._insert(DailyRun(**fields))

    def runs_to_close(self, now: datetime) -> list[DailyRun]:
        return list(
            self.session.scalars(
                select(DailyRun).where(
                    DailyRun.close_at <= now,
                    DailyRun.closed_at.is_(None),
                    active(DailyRun.team_id),
                )
            )
        )

    def runs_missing_parent(self, claimed_before: datetime) -> list[DailyRun]:
        return list(
            self.session.scalars(
                select(DailyRun).where(
                    DailyRun.parent_ts.is_(None),
                    DailyRun.claimed_at < claimed_before,
                    DailyRun.closed_at.is_(None),
                    active(DailyRun.team_id),
                )
            )
        )

    def set_dm_channel(self, daily_id: int, user_id: str, channel_id: str) -> None:
        self.session.execute(
            update(Participant)
            .where(Participant.daily_id == daily_id, Participant.user_id == user_id)
            .values(dm_channel_id=channel_id)
            .execution_options(synchronize_session=False)
        )

    # prompts and answers
    def prompt(self, prompt_id: int) -> Prompt | None:
        return self.session.get(Prompt, prompt_id)

    def mark_prompt(
        self, prompt_id: int, expected: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> bool:
        """compare_and_set without loading the row first: one UPDATE."""
        conditions = [Prompt.id == prompt_id]
        conditions += [getattr(Prompt, name) == value for name, value in expected.items()]
        result = self.session.execute(
            update(Prompt)
            .where(*conditions)
            .values(**changes)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def prompt_for(self, daily_id: int, user_id: str, local_date: date) -> Prompt | None:
        return self.session.scalar(
            select(Prompt).where(
                Prompt.daily_id == daily_id,
                Prompt.user_id == user_id,
                Prompt.local_date == local_date,
            )
        )

    def add_prompt(self, **fields: Any) -> Prompt:
        return self._insert(Prompt(**fields))

    def prompts_of_run(self, run_id: int) -> list[Prompt]:
        return list(
            self.session.scalars(select(Prompt).where(Prompt.run_id == run_id).order_by(Prompt.id))
        )

    def latest_prompt_sent_to(self, team_id: str, user_id: str) -> Prompt | None:
        return self.session.scalar(
            select(Prompt)
            .where(
                Prompt.team_id == team_id,
                Prompt.user_id == user_id,
                # Claimed and maybe posted (Slack may have answered 500 after posting it).
                or_(Prompt.sent_at.is_not(None), Prompt.status == "pending"),
            )
            # The participant's latest day first: a replayed clock cannot make an old
            # prompt look newer than today's.
            .order_by(
                Prompt.local_date.desc(),
                func.coalesce(Prompt.sent_at, Prompt.claimed_at).desc(),
                Prompt.id.desc(),
            )
            .limit(1)
        )

    def unsent_prompts(self, claimed_before: datetime) -> list[Prompt]:
        return list(
            self.session.scalars(
                select(Prompt).where(
                    Prompt.status == "pending",
                    Prompt.claimed_at < claimed_before,
                    active(Prompt.team_id),
                )
            )
        )

    def prompts_to_remind(self, now: datetime) -> list[Prompt]:
        return list(
            self.session.scalars(
                select(Prompt).where(
                    Prompt.remind_at <= now,
                    Prompt.reminded_at.is_(None),
                    # Spelled as in the partial index: SQLite only uses it for the same literal.
                    text("prompts.status = 'sent'"),
                    active(Prompt.team_id),
                )
            )
        )

    def unpublished_answers(self, claimed_before: datetime) -> list[Prompt]:
        stale_or_unclaimed = Prompt.thread_claimed_at.is_(None) | (
            Prompt.thread_claimed_at < claimed_before
        )
        return list(
            self.session.scalars(
                select(Prompt).where(
                    Prompt.status == "answered",
                    Prompt.thread_ts.is_(None),
                    stale_or_unclaimed,
                    active(Prompt.team_id),
                )
            )
        )

    def prompts_between(
        self, daily_id: int, first: date, last: date, user_id: str | None
    ) -> list[Prompt]:
        query = select(Prompt).where(
            Prompt.daily_id == daily_id, Prompt.local_date >= first, Prompt.local_date <= last
        )
        if user_id:
            query = query.where(Prompt.user_id == user_id)
        return list(self.session.scalars(query.order_by(Prompt.local_date, Prompt.user_id)))

    def answers(self, prompt_id: int) -> list[Answer]:
        return list(
            self.session.scalars(
                select(Answer).where(Answer.prompt_id == prompt_id).order_by(Answer.position)
            )
        )

    def answer_by_message(self, team_id: str, message_ts: str, user_id: str) -> Answer | None:
        # A ts is unique only within a channel (here: one person's DM), so the person counts.
        return self.session.scalar(
            select(Answer)
            .join(Prompt, Prompt.id == Answer.prompt_id)
            .where(
                Answer.team_id == team_id,
                Answer.message_ts == message_ts,
                Prompt.user_id == user_id,
            )
        )

    def add_answer(self, **fields: Any) -> Answer:
        return self._insert(Answer(**fields))

    def shift_answers(self, prompt_id: int, from_position: int) -> None:
        """Moves answers at `from_position` and after one place on, in two steps so the
        (prompt, position) key is never taken twice, even for a moment."""
        at_or_after = (Answer.prompt_id == prompt_id) & (Answer.position >= from_position)
        self.session.execute(
            update(Answer)
            .where(at_or_after)
            .values(position=Answer.position + 1000)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(
            update(Answer)
            .where((Answer.prompt_id == prompt_id) & (Answer.position >= 1000))
            .values(position=Answer.position - 999)
            .execution_options(synchronize_session=False)
        )
        self.session.expire_all()

    # coordination between workers

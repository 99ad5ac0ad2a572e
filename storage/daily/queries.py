"""The daily's history as other ceremonies read it (ceremonies.daily.queries.DailyQueries)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceremonies.daily.queries import DailyDay, DailyHistory, blocker_of
from ceremonies.daily.rules import ANSWERED, SKIPPED, blocker_position
from storage.daily.models import Answer, Daily, Participant, Prompt


class SqlDailyQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def daily_history(
        self, team_id: str, channel_id: str, first: date, last: date
    ) -> DailyHistory | None:
        daily = self.session.scalar(
            select(Daily).where(Daily.team_id == team_id, Daily.channel_id == channel_id)
        )
        if daily is None:
            return None
        participants = self.session.scalars(
            select(Participant.user_id)
            .where(Participant.daily_id == daily.id, Participant.active.is_(True))
            .order_by(Participant.id)
        )
        in_range = (
            Prompt.daily_id == daily.id,
            Prompt.local_date >= first,
            Prompt.local_date <= last,
        )
        prompts = list(
            self.session.execute(
                select(
                    Prompt.id,
                    Prompt.user_id,
                    Prompt.local_date,
                    Prompt.status,
                    Prompt.questions,
                    Prompt.answered_at,
                )
                .where(*in_range)
                .order_by(Prompt.local_date, Prompt.user_id)
            )
        )
        answers = {
            (row.prompt_id, row.position): row.text
            for row in self.session.execute(
                select(Answer.prompt_id, Answer.position, Answer.text)
                .join(Prompt, Prompt.id == Answer.prompt_id)
                .where(*in_range)
            )
        }
        days = tuple(
            DailyDay(
                user_id=p.user_id,
                local_date=p.local_date,
                answered=p.status == ANSWERED,
                skipped=p.status == SKIPPED,
                blocker=blocker_of(answers.get((p.id, blocker_position(p.questions))))
                if p.status == ANSWERED
                else None,
                answered_at=p.answered_at,
            )
            for p in prompts
        )
        return DailyHistory(channel_id, tuple(participants), days)

"""The daily's history as other ceremonies read it (ceremonies.daily.queries.DailyQueries)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceremonies.daily.queries import (
    PROMPT_ANSWERED,
    PROMPT_MISSED,
    PROMPT_OPEN,
    PROMPT_SKIPPED,
    DailyDay,
    DailyHistory,
    DailyOfPerson,
    blocker_of,
)
from ceremonies.daily.rules import ANSWERED, MISSED, PENDING, SENT, SKIPPED, blocker_position
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

    def dailies_of(self, team_id: str, user_id: str) -> tuple[DailyOfPerson, ...]:
        rows = list(
            self.session.execute(
                select(Daily, Participant.tz)
                .join(Participant, Participant.daily_id == Daily.id)
                .where(
                    Daily.team_id == team_id,
                    Participant.user_id == user_id,
                    Participant.active.is_(True),
                )
                .order_by(Daily.channel_id)
            )
        )
        if not rows:
            return ()
        ids = [daily.id for daily, _ in rows]
        # Each daily's latest prompt for the person (its local date is unique per daily).
        latest = (
            select(Prompt.daily_id, func.max(Prompt.local_date).label("local_date"))
            .where(Prompt.user_id == user_id, Prompt.daily_id.in_(ids), Prompt.status != PENDING)
            .group_by(Prompt.daily_id)
            .subquery()
        )
        prompts = {
            p.daily_id: p
            for p in self.session.scalars(
                select(Prompt)
                .join(
                    latest,
                    (Prompt.daily_id == latest.c.daily_id)
                    & (Prompt.local_date == latest.c.local_date),
                )
                .where(Prompt.user_id == user_id)
            )
        }
        return tuple(_of_person(daily, tz, prompts.get(daily.id)) for daily, tz in rows)


def _of_person(daily: Daily, tz: str, prompt: Prompt | None) -> DailyOfPerson:
    return DailyOfPerson(
        channel_id=daily.channel_id,
        paused=daily.paused,
        prompt_time=daily.prompt_time,
        weekdays=frozenset(daily.weekdays),
        tz=tz,
        prompt_id=prompt.id if prompt else None,
        prompt_date=prompt.local_date if prompt else None,
        prompt_status=_STATUS.get(prompt.status) if prompt else None,
    )


_STATUS = {
    SENT: PROMPT_OPEN,
    ANSWERED: PROMPT_ANSWERED,
    SKIPPED: PROMPT_SKIPPED,
    MISSED: PROMPT_MISSED,
}

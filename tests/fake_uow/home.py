"""In-memory Home tab: the row of storage/home/models.py and SqlHomeStore's queries.

Also what the Home tab reads of each ceremony (the person query ports of
ceremonies/{daily,retro,oncall,weekly}/queries.py), over the fake rows, as
storage/*/queries.py reads them over SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ceremonies.daily.queries import (
    PROMPT_ANSWERED,
    PROMPT_MISSED,
    PROMPT_OPEN,
    PROMPT_SKIPPED,
    DailyOfPerson,
)
from ceremonies.daily.rules import ANSWERED, MISSED, PENDING, SENT, SKIPPED
from ceremonies.retro.queries import OPEN, PARTLY, ActionOfPerson
from ceremonies.weekly.queries import ReportOfPerson
from tests.fake_uow.core import FakeStore, Row, Transaction
from tests.fake_uow.daily import Daily, Participant, Prompt
from tests.fake_uow.retro import Retro, RetroAction, RetroItem
from tests.fake_uow.weekly import (
    FakeDailyQueries,
    FakeRetroQueries,
    WeeklyReportRow,
    WeeklySourceRow,
)


@dataclass(kw_only=True, eq=False)
class HomeViewer(Row):
    UNIQUE = (("team_id", "user_id"),)
    team_id: str
    user_id: str
    opened_at: datetime
    published_hash: str | None = None
    published_at: datetime | None = None


class FakeHomeStore(FakeStore):
    def viewer(self, team_id: str, user_id: str) -> HomeViewer | None:
        return self._tx.first(HomeViewer, lambda v: (v.team_id, v.user_id) == (team_id, user_id))

    def viewers_among(self, team_id: str, user_ids: list[str]) -> list[HomeViewer]:
        wanted = set(user_ids)
        found = self._tx.rows(HomeViewer, lambda v: v.team_id == team_id and v.user_id in wanted)
        return sorted(found, key=lambda v: v.user_id)

    def add_viewer(self, **fields: Any) -> HomeViewer:
        return self._tx.insert(HomeViewer(**fields))


_STATUS = {
    SENT: PROMPT_OPEN,
    ANSWERED: PROMPT_ANSWERED,
    SKIPPED: PROMPT_SKIPPED,
    MISSED: PROMPT_MISSED,
}


class FakeDailyReads(FakeDailyQueries):
    def dailies_of(self, team_id: str, user_id: str) -> tuple[DailyOfPerson, ...]:
        found = []
        for part in self._tx.rows(
            Participant, lambda p: (p.team_id, p.user_id) == (team_id, user_id) and p.active
        ):
            daily = self._tx.get(Daily, part.daily_id)
            assert daily is not None
            prompts = self._tx.rows(
                Prompt,
                lambda p, d=daily: (
                    (p.daily_id, p.user_id) == (d.id, user_id) and p.status != PENDING
                ),
            )
            latest = max(prompts, key=lambda p: p.local_date, default=None)
            found.append(
                DailyOfPerson(
                    channel_id=daily.channel_id,
                    paused=daily.paused,
                    prompt_time=daily.prompt_time,
                    weekdays=frozenset(daily.weekdays),
                    tz=part.tz,
                    prompt_id=latest.id if latest else None,
                    prompt_date=latest.local_date if latest else None,
                    prompt_status=_STATUS.get(latest.status) if latest else None,
                )
            )
        return tuple(sorted(found, key=lambda d: d.channel_id))


class FakeRetroReads(FakeRetroQueries):
    def open_actions_of(self, team_id: str, user_id: str) -> tuple[ActionOfPerson, ...]:
        found = []
        for action in self._tx.rows(
            RetroAction,
            lambda a: (a.team_id, a.owner_id) == (team_id, user_id) and a.status in (OPEN, PARTLY),
        ):
            retro, item = (
                self._tx.get(Retro, action.retro_id),
                self._tx.get(RetroItem, action.item_id),
            )
            assert retro is not None and item is not None
            found.append(
                (
                    (retro.created_at, action.position),
                    ActionOfPerson(
                        action_id=action.id,
                        channel_id=action.channel_id,
                        text=item.text,
                        retro_title=retro.title,
                        chosen_at=retro.created_at,
                        status=action.status,
                        revisit_on=action.revisit_on,
                    ),
                )
            )
        actions = [a for _, a in sorted(found, key=lambda f: f[0])]
        actions.sort(key=lambda a: (a.revisit_on is None, a.revisit_on or a.chosen_at.date()))
        return tuple(actions)


class FakeWeeklyReads:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def reports_of(self, team_id: str, user_id: str) -> tuple[ReportOfPerson, ...]:
        found = []
        for r in self._tx.rows(WeeklyReportRow, lambda r: r.team_id == team_id):
            if r.owner_id != user_id and user_id not in r.recipients:
                continue
            sources = self._tx.rows(WeeklySourceRow, lambda s, r=r: s.report_id == r.id)
            found.append(
                ReportOfPerson(
                    channel_id=r.channel_id,
                    weekday=r.weekday,
                    at=r.at,
                    tz=r.tz,
                    next_due_at=r.next_due_at,
                    paused=r.paused,
                    owner=r.owner_id == user_id,
                    recipient=user_id in r.recipients,
                    sources=tuple(s.channel_id for s in sources),
                )
            )
        never = datetime.max.replace(tzinfo=UTC)
        found.sort(key=lambda r: (r.paused, r.next_due_at or never, r.channel_id))
        return tuple(found)

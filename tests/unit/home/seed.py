"""One person's ceremonies, written through the stores (fake or SQL alike) for Home tests.

Anna (UANNA, Europe/Berlin) takes part in the dailies of CTEAM (prompted and open today)
and COPS (answered today), owns two open retro actions in CTEAM, is in the on-call
rotation of COPS (Ben on call first, Anna from the first handoff), and owns the weekly
report of CMGMT. Ben (UBEN, America/New_York) is in the same rotation and nothing else.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from ceremonies.core.ports import UnitOfWorkFactory
from ceremonies.core.request import Actor, Request
from ceremonies.oncall import setup as oncall_setup
from tests.fakes import FakeChat, utc

TEAM = "T1"
# Tuesday 1 December 2026, 11:00 in Berlin (10:00 UTC): after the 10:00 prompts there.
NOW = utc(2026, 12, 1, 10, 0)
TODAY = date(2026, 12, 1)
QUESTIONS = ["Yesterday?", "Today?", "Blockers?"]
# The rotation starts on the Wednesday before, so its first handoff is Monday 7 December.
ROTATION_START = utc(2026, 11, 25, 9, 0)


def chat() -> FakeChat:
    chat = FakeChat()
    chat.add_user("UANNA", "Europe/Berlin")
    chat.add_user("UBEN", "America/New_York")
    return chat


def daily(uow: Any, channel: str, *, weekdays: frozenset[int] = frozenset(range(5))) -> int:
    row = uow.dailies.add_daily(
        team_id=TEAM,
        channel_id=channel,
        owner_id="UANNA",
        prompt_time=time(10, 0),
        weekdays=weekdays,
        questions=QUESTIONS,
        country=None,
        paused=False,
        remind_after_minutes=120,
        close_after_minutes=480,
        created_at=NOW - timedelta(days=30),
    )
    return int(row.id)


def participant(uow: Any, daily_id: int, user: str = "UANNA", tz: str = "Europe/Berlin") -> None:
    uow.dailies.add_participant(
        team_id=TEAM, daily_id=daily_id, user_id=user, tz=tz, country=None, active=True
    )


def prompt(uow: Any, daily_id: int, day: date, status: str, user: str = "UANNA") -> int:
    at = datetime.combine(day, time(9, 0), tzinfo=NOW.tzinfo)
    row = uow.dailies.add_prompt(
        team_id=TEAM,
        daily_id=daily_id,
        user_id=user,
        local_date=day,
        status=status,
        questions=QUESTIONS,
        scheduled_at=at,
        claimed_at=at,
        sent_at=at,
    )
    return int(row.id)


def action(
    uow: Any, retro_id: int, number: int, text: str, *, status: str, revisit_on: date | None
) -> int:
    item = uow.retros.add_item(
        team_id=TEAM,
        retro_id=retro_id,
        kind="improve",
        text=text,
        source="thread",
        created_at=NOW - timedelta(days=12),
    )
    row = uow.retros.add_action(
        team_id=TEAM,
        retro_id=retro_id,
        channel_id="CTEAM",
        item_id=item.id,
        slot=("quick_win", "most_important", "simplest")[number - 1],
        position=number,
        owner_id="UANNA",
        status=status,
        revisit_on=revisit_on,
        updated_at=NOW - timedelta(days=12),
    )
    return int(row.id)


def seed(uow_factory: UnitOfWorkFactory[Any], chat: FakeChat) -> dict[str, int]:
    """Writes Anna's ceremonies; returns the ids tests press buttons with."""
    ids: dict[str, int] = {}
    with uow_factory() as uow:
        team, ops = daily(uow, "CTEAM"), daily(uow, "COPS")
        for daily_id in (team, ops):
            participant(uow, daily_id)
        participant(uow, team, "UBEN", "America/New_York")
        prompt(uow, team, TODAY - timedelta(days=1), "answered")
        ids["open_prompt"] = prompt(uow, team, TODAY, "sent")
        prompt(uow, ops, TODAY, "answered")
        retro = uow.retros.add_retro(
            team_id=TEAM,
            channel_id="CTEAM",
            title="Sprint 48",
            facilitator_id="UBEN",
            phase="closed",
            created_at=NOW - timedelta(days=12),
            closed_at=NOW - timedelta(days=12),
        )
        ids["later"] = action(
            uow,
            retro.id,
            1,
            "Write the release steps down",
            status="open",
            revisit_on=TODAY + timedelta(days=2),
        )
        ids["due"] = action(
            uow,
            retro.id,
            2,
            "Pair on reviews",
            status="partly",
            revisit_on=TODAY - timedelta(days=1),
        )
        ids["done"] = action(uow, retro.id, 3, "Fix flaky test", status="done", revisit_on=None)
        report = uow.weeklies.add_report(
            team_id=TEAM,
            channel_id="CMGMT",
            owner_id="UANNA",
            tz="America/New_York",
            weekday=4,
            at=time(16, 0),
            recipients=["UCTO"],
            paused=False,
            next_due_at=utc(2026, 12, 4, 19, 0),
            broken_told=[],
            created_at=NOW - timedelta(days=30),
        )
        uow.weeklies.add_source(report.id, "CTEAM", NOW - timedelta(days=30))
        uow.commit()
    oncall_setup.start_rotation(
        uow_factory, chat, Request(TEAM, "COPS", Actor("UANNA"), ROTATION_START), ["UBEN", "UANNA"]
    )
    return ids

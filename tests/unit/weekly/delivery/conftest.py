"""The week the delivery tests share (see the package docstring): its people, its daily
and its report, on the in-memory unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request
from ceremonies.weekly import register, setup
from tests.fake_uow import FakeUnitOfWorkFactory, WeeklyDeliveryRow, WeeklyReportRow
from tests.fakes import FakeChat, utc

BERLIN = "Europe/Berlin"
START = utc(2026, 12, 7, 9, 0)  # Monday, 10:00 in Berlin
STATUS_DM = utc(2026, 12, 11, 13, 0)  # Friday, 14:00 in Berlin: 2 hours ahead
DELIVERY = utc(2026, 12, 11, 15, 0)  # Friday, 16:00 in Berlin
NEXT_STATUS_DM = STATUS_DM + timedelta(weeks=1)
WEEK = "2026-W50"
QUESTIONS = ["Yesterday?", "Today?", "Blockers?"]
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def ask(user: str = "UOWNER", now: datetime = START, channel: str = "CTEAM") -> Request:
    return Request("T1", channel, Actor(user), now)


def refusal(call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as refused:
        call()
    return refused.value


def sent(chat: FakeChat) -> list[tuple[str, str]]:
    return [(m.channel, m.message.template) for m in chat.sent]


def report_row(uow_factory: FakeUnitOfWorkFactory) -> WeeklyReportRow:
    (row,) = uow_factory.rows(WeeklyReportRow)
    return row


def deliveries(uow_factory: FakeUnitOfWorkFactory) -> list[tuple[str, str, bool, bool]]:
    return [
        (d.week, d.kind, d.sent_at is not None, d.late) for d in uow_factory.rows(WeeklyDeliveryRow)
    ]


def seed_daily(uow_factory: FakeUnitOfWorkFactory) -> None:
    """#team's daily, Monday to Friday of week 50: 9 of 10 prompts answered, one blocker."""
    with uow_factory() as uow:
        daily = uow.dailies.add_daily(
            team_id="T1",
            channel_id="CTEAM",
            owner_id="UOWNER",
            prompt_time=time(10, 0),
            weekdays=frozenset(range(5)),
            questions=QUESTIONS,
            created_at=START - timedelta(days=30),
        )
        for user in ("UOWNER", "UDEV"):
            uow.dailies.add_participant(team_id="T1", daily_id=daily.id, user_id=user, tz=BERLIN)
        for offset in range(5):
            day = date(2026, 12, 7) + timedelta(days=offset)
            asked = utc(2026, 12, 7 + offset, 9, 0)
            for user in ("UOWNER", "UDEV"):
                missed = user == "UDEV" and offset == 4
                prompt = uow.dailies.add_prompt(
                    team_id="T1",
                    daily_id=daily.id,
                    user_id=user,
                    local_date=day,
                    status="missed" if missed else "answered",
                    questions=QUESTIONS,
                    scheduled_at=asked,
                    claimed_at=asked,
                    sent_at=asked,
                    answered_at=None if missed else asked + HOUR,
                )
                if missed:
                    continue
                blocked = user == "UDEV" and offset >= 3
                for position, text in enumerate(
                    ["Coding", "More coding", "Waiting on API keys" if blocked else "none"]
                ):
                    uow.dailies.add_answer(
                        team_id="T1",
                        prompt_id=prompt.id,
                        position=position,
                        text=text,
                        created_at=asked + HOUR,
                        updated_at=asked + HOUR,
                    )
        uow.commit()


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    chat = FakeChat()
    for user in ("UOWNER", "UDEV", "UBOSS", "UCTO", "USTRANGER"):
        chat.add_user(user, BERLIN)
    return chat


@pytest.fixture
def started(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat) -> setup.WeeklySettings:
    seed_daily(uow_factory)
    setup.start_report(uow_factory, chat, ask())
    register.add_risk(uow_factory, ask(), "Vendor API late", 2, 3, "UDEV", "req-1")
    return setup.set_recipients(uow_factory, chat, ask(), ["UBOSS", "UCTO"])

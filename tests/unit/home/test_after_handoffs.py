"""A handoff changes "who is on call" for the whole rotation: run-due refreshes the Home
tabs of those of its people who opened theirs, once."""

from __future__ import annotations

from bot.due import JOBS, run_all_due
from ceremonies.home import refresh
from ceremonies.oncall import handoffs
from tests.fake_uow import FakeUnitOfWorkFactory
from tests.fakes import utc
from tests.unit.home import seed
from tests.unit.home.seed import TEAM

HANDOFF = utc(2026, 11, 30, 9, 0)  # Monday 10:00 in Berlin: Ben hands over to Anna


def test_the_handoff_names_everyone_it_concerns() -> None:
    uow_factory, chat = FakeUnitOfWorkFactory(), seed.chat()
    seed.seed(uow_factory, chat)
    report = handoffs.run_due(uow_factory, chat, HANDOFF)
    assert report.handoffs == 1
    assert sorted(report.home_changed) == [(TEAM, "UANNA"), (TEAM, "UBEN")]
    assert handoffs.run_due(uow_factory, chat, HANDOFF).home_changed == []


def test_run_due_publishes_once_for_who_opened_home() -> None:
    uow_factory, chat = FakeUnitOfWorkFactory(), seed.chat()
    seed.seed(uow_factory, chat)
    before = utc(2026, 11, 30, 8, 0)
    refresh.opened(uow_factory, chat, TEAM, "UANNA", before)
    (first,) = chat.homes["UANNA"]
    assert not first.context["home"].rotations.shown[0].you_now
    run_all_due(uow_factory, chat, HANDOFF, JOBS)
    assert len(chat.homes["UANNA"]) == 2 and "UBEN" not in chat.homes
    assert chat.homes["UANNA"][-1].context["home"].rotations.shown[0].you_now
    run_all_due(uow_factory, chat, utc(2026, 11, 30, 9, 1), JOBS)
    assert len(chat.homes["UANNA"]) == 2

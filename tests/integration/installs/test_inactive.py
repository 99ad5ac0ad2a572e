"""A workspace that uninstalled the bot: its due work is not picked up, its history stays,
and a reinstall resumes it (on SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine

from ceremonies.core.request import Actor, Request
from ceremonies.daily import due as daily_due
from ceremonies.daily import setup as daily_setup
from storage.unit_of_work import SqlUnitOfWorkFactory
from storage.workspaces import deactivate, inactive_teams, reactivate
from tests.fakes import FakeChat, utc

SUNDAY = utc(2026, 11, 29, 12, 0)
MONDAY_NOON = utc(2026, 11, 30, 12, 0)  # after 10:00 in Berlin
TUESDAY_NOON = utc(2026, 12, 1, 12, 0)


def test_an_inactive_workspaces_dailies_wait_for_its_reinstall(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, chat: FakeChat
) -> None:
    for team in ("T1", "T2"):
        daily_setup.start_daily(uow_factory, chat, Request(team, "CTEAM", Actor("UBERLIN"), SUNDAY))
    deactivate(engine, "T2", "app_uninstalled", SUNDAY)
    deactivate(engine, "T2", "app_uninstalled", SUNDAY)  # a redelivered event: still one row
    assert inactive_teams(engine) == {"T2"}
    report = daily_due.JOB.run(uow_factory, chat, MONDAY_NOON)
    assert report.failures == []
    with uow_factory() as uow:
        assert uow.dailies.latest_prompt_sent_to("T1", "UBERLIN") is not None
        assert uow.dailies.latest_prompt_sent_to("T2", "UBERLIN") is None
        assert uow.dailies.daily_in_channel("T2", "CTEAM") is not None  # kept
    reactivate(engine, "T2")
    assert inactive_teams(engine) == set()
    daily_due.JOB.run(uow_factory, chat, TUESDAY_NOON)
    with uow_factory() as uow:
        assert uow.dailies.latest_prompt_sent_to("T2", "UBERLIN") is not None

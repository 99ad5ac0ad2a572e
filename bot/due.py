"""Everything `run-due` does, for every ceremony, at one instant."""

from __future__ import annotations

from datetime import datetime

from ceremonies.core.ports import Chat, UnitOfWorkFactory
from ceremonies.daily.delivery import TickReport, run_due
from ceremonies.retro.actions import send_revisits


def run_all_due(uow_factory: UnitOfWorkFactory, chat: Chat, now: datetime) -> TickReport:
    report = run_due(uow_factory, chat, now)
    try:
        report.revisits_sent = send_revisits(uow_factory, chat, now)
    except Exception as error:  # a retro failure must not hide the dailies' report
        report.failures.append(f"retro revisits: {error}")
    return report

"""The in-process clock: APScheduler ticks run-due every minute; run-due does the work."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.due import JOBS, run_all_due
from bot.services import Services
from ceremonies.core.due import DueJob

log = logging.getLogger(__name__)


def tick(services: Services, jobs: tuple[DueJob, ...]) -> None:
    report = run_all_due(services.uow_factory, services.chat, services.clock.now(), jobs)
    if report.failures:  # the tick's own line has the figures; this one stands out
        log.warning("tick finished with %d failures", len(report.failures))


def start_scheduler(services: Services, jobs: tuple[DueJob, ...] = JOBS) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    # At second 0 of every minute; a slow tick is not run twice at once, and a missed one
    # is simply folded into the next (run-due catches up on anything still due).
    scheduler.add_job(
        tick,
        CronTrigger(second=0),
        args=[services, jobs],
        id="run-due",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
    )
    scheduler.start()
    return scheduler

"""run-due as a registry: every ceremony's job, run in turn at one instant.

Adding a ceremony adds its JOB here and touches no other ceremony.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App

from bot import metrics
from bot.inbox import Inbox
from ceremonies.core.due import DueJob, DueReport
from ceremonies.core.ports import Chat, UnitOfWorkFactory
from ceremonies.daily import due as daily_due
from ceremonies.home import refresh as home_refresh
from ceremonies.oncall import due as oncall_due
from ceremonies.retro import due as retro_due
from ceremonies.weekly import due as weekly_due

log = logging.getLogger(__name__)

JOBS: tuple[DueJob, ...] = (daily_due.JOB, retro_due.JOB, oncall_due.JOB, weekly_due.JOB)


def jobs_with_replay(app: App, inbox: Inbox) -> tuple[DueJob, ...]:
    """Every ceremony's job, after the inbox replays what a crash left unfinished (so a
    replayed answer is in before the day closes)."""
    return (inbox.replay_job(app), *JOBS)


@dataclass
class CrashedJob:
    """A job that raised instead of reporting: nothing counted, the reason kept."""

    failures: list[str]

    def figures(self) -> list[tuple[str, int]]:
        return []


@dataclass
class DueRun:
    """What one run-due did, one report per ceremony, in registry order."""

    reports: dict[str, DueReport]

    def __getitem__(self, ceremony: str) -> Any:
        return self.reports[ceremony]

    @property
    def failures(self) -> list[str]:
        return [f"{name}: {f}" for name, report in self.reports.items() for f in report.failures]

    def lines(self) -> list[str]:
        """One line per ceremony, for an operator's terminal or log."""
        return [
            f"{name}: "
            + ", ".join(f"{what} {count}" for what, count in report.figures())
            + ("; " if report.figures() else "")
            + f"failures {len(report.failures)}"
            for name, report in self.reports.items()
        ]


def run_all_due(
    uow_factory: UnitOfWorkFactory[Any],
    chat: Chat,
    now: datetime,
    jobs: tuple[DueJob, ...] = JOBS,
) -> DueRun:
    started = time.monotonic()
    reports: dict[str, DueReport] = {}
    for job in jobs:
        try:
            reports[job.ceremony] = job.run(uow_factory, chat, now)
        except Exception as error:  # one ceremony's failure must not stop the others
            log.exception("run-due for %s failed", job.ceremony)
            reports[job.ceremony] = CrashedJob([str(error)])
    done = DueRun(reports)
    _refresh_homes(uow_factory, chat, done, now)
    _account(done, time.monotonic() - started)
    return done


def _refresh_homes(
    uow_factory: UnitOfWorkFactory[Any], chat: Chat, done: DueRun, now: datetime
) -> None:
    """The Home tabs the tick's work changed (a report's `home_changed`, e.g. a handoff),
    published again for the people who opened theirs — once, and only where they now
    read differently."""
    changed: dict[str, set[str]] = {}
    for report in done.reports.values():
        for team_id, user_id in getattr(report, "home_changed", ()):
            changed.setdefault(team_id, set()).add(user_id)
    for team_id, user_ids in sorted(changed.items()):
        try:
            home_refresh.changed(uow_factory, chat, team_id, user_ids, now)
        except Exception:  # the tick's own work is done; a Home tab waits for the next change
            log.exception("refreshing Home tabs in %s failed", team_id)


def _account(done: DueRun, seconds: float) -> None:
    """The tick's one log line (what each ceremony did, how long it took) and its metrics."""
    for ceremony, report in done.reports.items():
        for what, count in report.figures():
            if count:
                metrics.WORK.labels(ceremony, what).inc(count)
    metrics.TICKS.labels("failed" if done.failures else "ok").inc()
    metrics.TICK_SECONDS.observe(seconds)
    figures = {
        ceremony: dict(report.figures()) | {"failures": len(report.failures)}
        for ceremony, report in done.reports.items()
    }
    log.info(
        "tick in %.0f ms: %s",
        seconds * 1000,
        "; ".join(done.lines()),
        extra={"tick_ms": round(seconds * 1000, 1), "did": figures},
    )

"""Tick cost: one run_due over many configured dailies, with nothing (or a little) due.

python bench/tick.py [--ticks 50] [--history-days 60] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from common import (
    add_database_argument,
    check_database_url,
    describe,
    fresh_database,
    header,
    median,
    ms,
    percentile,
    quiet_logs,
    scratch_dir,
    timed,
)
from sqlalchemy import Engine, event, insert, update
from sqlalchemy.orm import Session

from bot.demo.standin.harness import SettableClock, settings_for
from bot.demo.standin.server import FakeSlack
from bot.runtime import Runtime, build_runtime
from ceremonies.daily.delivery import run_due
from ceremonies.daily.rules import ANSWERED, DEFAULT_QUESTIONS
from storage.daily.models import Daily, DailyRun, Participant, Prompt

TEAM_ID = "TBENCH"
PER_DAILY = 3
ZONES = ("UTC", "Europe/Berlin", "America/New_York")
# Every tick is at 10:00 UTC on one of these days; prompts are at 10:00 in UTC, so a
# participant made due "now" is due on their own local date in all ZONES.
FIRST_DAY = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
FAR_FUTURE = FIRST_DAY + timedelta(days=400)
# Long enough that no reminder or day close comes due while the benchmark moves its clock
# forward a day per tick: only prompts are "the work due".
NEVER_MINUTES = 60 * 24 * 365
TARGET_MS = 100.0
WARMUP_TICKS = 3


@dataclass(frozen=True)
class Scenario:
    dailies: int
    history_days: int = 0
    due: int = 0
    ticks: int = 50


@dataclass
class Result:
    scenario: Scenario
    seconds: list[float]
    queries: int
    seed_seconds: float
    sent: int
    failures: int

    def row(self) -> str:
        s = self.scenario
        history = f"{s.history_days} d" if s.history_days else "none"
        return (
            f"{s.dailies:>7} {s.dailies * PER_DAILY:>12} {history:>8} {s.due:>4} "
            f"{len(self.seconds):>5} {ms(median(self.seconds)):>10} "
            f"{ms(percentile(self.seconds, 95)):>10} {self.queries:>12} {self.seed_seconds:>7.1f} s"
        )


class QueryCounter:
    """Counts SQL statements the engine runs (to show a tick's reads stay constant)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        with self._lock:
            self.count += 1


def seed(engine: Engine, scenario: Scenario) -> list[int]:
    """Bulk-inserts the dailies, their people and past days; returns participant ids."""
    weekdays = frozenset(range(7))  # every day a working day: one due prompt per tick day
    with Session(engine) as session, session.begin():
        daily_ids = list(
            session.scalars(
                insert(Daily).returning(Daily.id, sort_by_parameter_order=True),
                [
                    {
                        "team_id": TEAM_ID,
                        "channel_id": f"C{i:07d}",
                        "owner_id": f"U{i:07d}0",
                        "prompt_time": time(10, 0),
                        "weekdays": weekdays,
                        "questions": list(DEFAULT_QUESTIONS),
                        "country": None,
                        "paused": False,
                        "remind_after_minutes": NEVER_MINUTES,
                        "close_after_minutes": NEVER_MINUTES,
                        "created_at": FIRST_DAY - timedelta(days=scenario.history_days + 1),
                    }
                    for i in range(scenario.dailies)
                ],
            )
        )
        participant_ids = list(
            session.scalars(
                insert(Participant).returning(Participant.id, sort_by_parameter_order=True),
                [
                    {
                        "team_id": TEAM_ID,
                        "daily_id": daily_id,
                        "user_id": f"U{i:07d}{j}",
                        "tz": ZONES[j % len(ZONES)],
                        "country": None,
                        "active": True,
                        "next_prompt_at": FAR_FUTURE,
                        "last_prompt_date": None,
                        "dm_channel_id": f"D{i:07d}{j}",
                    }
                    for i, daily_id in enumerate(daily_ids)
                    for j in range(PER_DAILY)
                ],
            )
        )
        if scenario.history_days:
            seed_history(session, daily_ids, scenario.history_days)
    return participant_ids


def seed_history(session: Session, daily_ids: list[int], days: int) -> None:
    """Past days, all closed and fully answered: what a tick must not have to look through."""
    for back in range(days, 0, -1):
        at = FIRST_DAY - timedelta(days=back)
        day: date = at.date()
        run_ids = list(
            session.scalars(
                insert(DailyRun).returning(DailyRun.id, sort_by_parameter_order=True),
                [
                    {
                        "team_id": TEAM_ID,
                        "daily_id": daily_id,
                        "local_date": day,
                        "channel_id": f"C{i:07d}",
                        "parent_ts": f"{at.timestamp():.0f}.{i:06d}",
                        "claimed_at": at,
                        "close_at": at + timedelta(hours=8),
                        "closed_at": at + timedelta(hours=8),
                    }
                    for i, daily_id in enumerate(daily_ids)
                ],
            )
        )
        session.execute(
            insert(Prompt),
            [
                {
                    "team_id": TEAM_ID,
                    "daily_id": daily_id,
                    "run_id": run_id,
                    "user_id": f"U{i:07d}{j}",
                    "local_date": day,
                    "status": ANSWERED,
                    "questions": list(DEFAULT_QUESTIONS),
                    "scheduled_at": at,
                    "claimed_at": at,
                    "sent_at": at,
                    "dm_channel_id": f"D{i:07d}{j}",
                    "message_ts": f"{at.timestamp():.0f}.{i:06d}{j}",
                    "remind_at": at + timedelta(hours=2),
                    "reminded_at": None,
                    "answered_at": at + timedelta(minutes=30),
                    "thread_ts": f"{at.timestamp() + 1800:.0f}.{i:06d}{j}",
                    "thread_claimed_at": at + timedelta(minutes=30),
                }
                for i, (daily_id, run_id) in enumerate(zip(daily_ids, run_ids, strict=True))
                for j in range(PER_DAILY)
            ],
        )


def set_due(engine: Engine, participant_ids: list[int], at: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(Participant)
            .where(Participant.id.in_(participant_ids))
            .values(next_prompt_at=at)
            .execution_options(synchronize_session=False)
        )


@contextmanager
def bot_runtime(fake: FakeSlack, database_url: str) -> Iterator[Runtime]:
    # Pacing lifted: with work due, the figure is the bot's own cost per prompt, not the
    # 600/min it would otherwise wait for (bench/fanout.py measures that).
    settings = settings_for(fake, database_url).model_copy(
        update={"slack_post_rate_per_minute": 1_000_000}
    )
    runtime = build_runtime(settings, clock=SettableClock(FIRST_DAY))
    try:
        yield runtime
    finally:
        runtime.engine.dispose()


def measure(
    fake: FakeSlack, scenario: Scenario, database_url: str | None, workdir: Path, name: str
) -> Result:
    with fresh_database(database_url, workdir, name) as url, bot_runtime(fake, url) as runtime:
        participant_ids, seed_seconds = timed(lambda: seed(runtime.engine, scenario))
        services = runtime.services
        counter = QueryCounter(runtime.engine)
        # One participant of each of `due` different dailies: a parent and a prompt each.
        chosen = participant_ids[::PER_DAILY][: scenario.due]
        seconds: list[float] = []
        queries: list[int] = []
        sent = failures = 0
        for tick in range(-WARMUP_TICKS, scenario.ticks):
            now = FIRST_DAY + timedelta(days=tick + WARMUP_TICKS) if chosen else FIRST_DAY
            if chosen:
                set_due(runtime.engine, chosen, now)
            before = counter.count
            report, elapsed = timed(lambda at=now: run_due(services.uow_factory, services.chat, at))
            if chosen:
                set_due(runtime.engine, chosen, FAR_FUTURE)  # only the chosen are due next time
            if tick < 0:
                continue
            seconds.append(elapsed)
            queries.append(counter.count - before)
            sent += report.prompts_sent
            failures += len(report.failures)
        return Result(scenario, seconds, round(median(queries)), seed_seconds, sent, failures)


def run(ticks: int, history_days: int, database_url: str | None) -> int:
    scenarios = [
        Scenario(100, ticks=ticks),
        Scenario(1000, ticks=ticks),
        Scenario(5000, ticks=ticks),
        *([Scenario(1000, history_days=history_days, ticks=ticks)] if history_days else []),
        Scenario(1000, due=1, ticks=max(5, ticks // 5)),
        Scenario(1000, due=10, ticks=max(5, ticks // 5)),
        Scenario(1000, due=100, ticks=max(3, ticks // 10)),
    ]
    header(
        "tick: one run_due over many dailies",
        [
            f"Dailies of {PER_DAILY} people each, bulk-seeded, every next prompt in the future;",
            "then run_due(now) repeatedly through the real services, SlackChat and the stand-in",
            f"(limits off; pacing lifted so due work shows its own cost). {WARMUP_TICKS} warm-up "
            "ticks are not counted.",
            "'history': past days of closed runs and answered prompts already in the database.",
            "'due': participants (each in another daily, so each also gets a parent message)",
            "made due before each tick; the clock moves a day per tick.",
            f"target: nothing due, 1,000 dailies: median < {TARGET_MS:.0f} ms; the tick should",
            "grow with 'due', not with 'dailies' or 'history'. queries/tick counts SQL",
            "statements (on SQLite each transaction's BEGIN IMMEDIATE is one of them).",
        ],
    )
    fake = FakeSlack(rate_limits=False)
    fake.start()
    # The people made due, and their channels, must exist in Slack for the posts to land.
    for i in range(max(s.due for s in scenarios)):
        user = f"U{i:07d}0"
        fake.add_user(user, f"person{i}", ZONES[0])
        fake.add_channel(f"C{i:07d}", f"team-{i}", [user])
    results: list[Result] = []
    try:
        with scratch_dir() as tmp:
            print(f"database: {describe(database_url) if database_url else 'temporary SQLite'}")
            print()
            print(
                f"{'dailies':>7} {'participants':>12} {'history':>8} {'due':>4} {'ticks':>5} "
                f"{'median':>10} {'p95':>10} {'queries/tick':>12} {'seeding':>9}"
            )
            for number, scenario in enumerate(scenarios):
                result = measure(fake, scenario, database_url, tmp, f"tick{number}")
                results.append(result)
                print(result.row(), flush=True)
    finally:
        fake.stop()

    print()
    base = next(r for r in results if r.scenario == Scenario(1000, ticks=ticks))
    verdict = "ok" if median(base.seconds) * 1000 < TARGET_MS else "ABOVE TARGET"
    print(
        f"1,000 dailies, nothing due: median {ms(median(base.seconds))} "
        f"(target < {TARGET_MS:.0f} ms: {verdict})"
    )
    for result in results:
        if result.scenario.due:
            per_prompt = (median(result.seconds) - median(base.seconds)) / result.scenario.due
            print(
                f"{result.scenario.due:>3} due: {result.sent} prompts sent over "
                f"{len(result.seconds)} ticks, {result.failures} failures, "
                f"~{ms(per_prompt)} per due prompt (parent message included)"
            )
    if fake.violations:
        print(f"violations: {len(fake.violations)}")
        for line in fake.violations[:10]:
            print(f"   {line[:300]}")
    return 0  # figures, not a test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=50, help="measured ticks, nothing due")
    parser.add_argument(
        "--history-days",
        type=int,
        default=60,
        help="past days seeded for the history row (0: leave it out)",
    )
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.ticks < 1 or args.history_days < 0:
        parser.error("--ticks must be at least 1 and --history-days not negative")
    check_database_url(parser, args.database_url)
    quiet_logs()
    return run(args.ticks, args.history_days, args.database_url)


if __name__ == "__main__":
    sys.exit(main())

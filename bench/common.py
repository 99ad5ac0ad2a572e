"""Setup shared by the benchmarks: databases, a big team in the stand-in, seeding, statistics.

The benchmarks print figures; they are not tests. Each one runs in one process: the bot,
the stand-in Slack and the load all share the interpreter (and its GIL), so absolute
figures are pessimistic for the bot compared with a bot talking to the real Slack.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.request import urlopen

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.demo.standin.harness import Bot
from bot.demo.standin.server import FakeSlack
from ceremonies.daily.delivery import run_due
from ceremonies.daily.tick_report import TickReport
from storage.db import make_engine

# Sunday noon UTC: a daily started now gets its first prompt on Monday.
SUNDAY_NOON = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Monday 30 November 2026, 10:00 in every zone of ZONES_AT_UTC_PLUS_ONE.
MONDAY_10_CET = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# Different zones whose clocks agree on that Monday (CET, and West Africa, which has no DST),
# so a team spread over them is all due at the same instant.
ZONES_AT_UTC_PLUS_ONE = (
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Africa/Lagos",
    "Africa/Algiers",
)
# The only PostgreSQL databases the benchmarks may write to: the tests' own, and "soak",
# kept for bench/soak.py so a long soak does not share a database with a test run.
WIPEABLE_POSTGRES_DATABASE = "test"
WIPEABLE_POSTGRES_DATABASES = (WIPEABLE_POSTGRES_DATABASE, "soak")
# A schema of our own in it: the tests drop and recreate schema public (tests/db.py), so
# sharing public would break a test run going on at the same time, and the other way round.
BENCH_SCHEMA = "ceremony_bench"


def header(title: str, lines: Sequence[str]) -> None:
    print(f"== {title} ==")
    for line in lines:
        print(f"   {line}")
    print(flush=True)


def quiet_logs() -> None:
    # 429 retries and per-request INFO lines would drown the figures.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("slack_sdk", "slack_bolt", "waitress"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL only, and only a database named "
        f"{' or '.join(repr(d) for d in WIPEABLE_POSTGRES_DATABASES)}: the benchmarks use a "
        f"schema {BENCH_SCHEMA} there, dropped and recreated (default: a temporary SQLite file)",
    )


def describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def check_database_url(parser: argparse.ArgumentParser, url: str | None) -> None:
    """Refuses, before any work, a database the benchmarks may not wipe."""
    if url is None:
        return
    try:
        parsed = make_url(url)
    except Exception as error:  # sqlalchemy raises several kinds for a bad URL
        parser.error(f"--database-url: cannot parse it ({error})")
    if parsed.get_backend_name() != "postgresql":
        # A SQLite file of the user's would have to be emptied first: never ours to do.
        parser.error("--database-url: PostgreSQL only (leave it out for a temporary SQLite file)")
    if parsed.database not in WIPEABLE_POSTGRES_DATABASES:
        parser.error(
            f"--database-url: its schema is wiped, so only a database named "
            f"{' or '.join(repr(d) for d in WIPEABLE_POSTGRES_DATABASES)} is accepted, "
            f"not {parsed.database!r}"
        )


def _recreate_bench_schema(url: str, *, create: bool = True) -> None:
    parsed = make_url(url)
    if parsed.database not in WIPEABLE_POSTGRES_DATABASES:
        raise SystemExit(f"--database-url: refusing to write to database {parsed.database!r}")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {BENCH_SCHEMA} CASCADE"))
            if create:
                connection.execute(text(f"CREATE SCHEMA {BENCH_SCHEMA}"))
    finally:
        engine.dispose()


@contextmanager
def scratch_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ceremony-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def fresh_database(url: str | None, workdir: Path, name: str = "bench") -> Iterator[str]:
    """A URL to an empty database: a new SQLite file in workdir, or a fresh schema of the
    PostgreSQL test database (dropped again afterwards)."""
    if url is None:
        yield f"sqlite:///{workdir / (name + '.db')}"
        return
    if make_url(url).get_backend_name() != "postgresql":
        raise SystemExit("--database-url: PostgreSQL only")
    _recreate_bench_schema(url)
    # Every connection of the bot, migrations included, then works in our schema only.
    scoped = make_url(url).update_query_dict({"options": f"-c search_path={BENCH_SCHEMA}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        _recreate_bench_schema(url, create=False)


def add_team(
    fake: FakeSlack, channel_id: str, size: int, zones: Sequence[str], prefix: str = "UB"
) -> list[str]:
    """`size` people spread over `zones`, all members of one channel with the bot."""
    users = [f"{prefix}{i:05d}" for i in range(size)]
    for i, user in enumerate(users):
        fake.add_user(user, f"person{i}", zones[i % len(zones)])
    fake.add_channel(channel_id, channel_id.lower(), users)
    return users


def start_daily_by_command(bot: Bot, user: str, channel: str, timeout: float = 120.0) -> None:
    """`/daily start` through the signed HTTP endpoint, waiting for the public settings reply."""
    fake = bot.slack
    before = len(fake.messages(channel))
    result = bot.driver.command(user, channel, "/daily", "start")
    if result.status != 200:
        raise SystemExit(f"/daily start answered HTTP {result.status}: {result.text[:200]}")
    fake.wait_for(lambda: len(fake.messages(channel)) > before, timeout=timeout, interval=0.05)


def daily_tick(bot: Bot, at: datetime) -> TickReport:
    """The dailies' own run_due with the bot's real SlackChat (Bot.tick may grow other work)."""
    bot.clock.current = at
    services = bot.runtime.services
    return run_due(services.uow_factory, services.chat, at)


def bot_prompts_per_user(fake: FakeSlack, users: Sequence[str]) -> dict[str, int]:
    """How many messages the bot has put in each person's DM (only prompts in a fan-out)."""
    counts: dict[str, int] = {}
    for user in users:
        counts[user] = sum(1 for m in fake.dm_messages(user) if m.get("bot_id"))
    return counts


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_jiffies() -> tuple[int, int]:
    """(busy, all) CPU time of every core so far, in clock ticks (Linux /proc/stat): their
    difference over a burst tells whether the machine itself was the limit."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def inbox_writer(events_url: str) -> dict[str, float]:
    """The receipt writer's figures so far, from the server's /metrics: batches stored,
    receipts in them, seconds spent storing them and seconds requests waited for them."""
    with urlopen(events_url.replace("/slack/events", "/metrics"), timeout=10) as response:
        text = response.read().decode()
    wanted = {
        "ceremony_inbox_batch_receipts_count": "batches",
        "ceremony_inbox_batch_receipts_sum": "receipts",
        "ceremony_inbox_batch_seconds_sum": "storing",
        "ceremony_inbox_wait_seconds_sum": "waiting",
    }
    return {
        wanted[sample.name]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name in wanted
    }


def writer_line(before: dict[str, float], after: dict[str, float]) -> str:
    """What the receipt writer did between two readings, as one line."""
    batches = after["batches"] - before["batches"]
    receipts = after["receipts"] - before["receipts"]
    if not batches or not receipts:
        return "   inbox writer: nothing stored"
    storing = (after["storing"] - before["storing"]) / batches
    waiting = (after["waiting"] - before["waiting"]) / receipts
    return (
        f"   inbox writer: {batches:.0f} batches of {receipts / batches:.1f} receipts, "
        f"{ms(storing)} each to store; a request waited {ms(waiting)} for its receipt"
    )


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed[T](work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"

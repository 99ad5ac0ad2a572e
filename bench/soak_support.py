"""The soak's helpers: the environment of its processes, what it reads and moves in the
database, clocks and how a process ended."""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bot.demo.standin.harness import SIGNING_SECRET
from bot.demo.standin.models import BOT_TOKEN
from bot.demo.standin.server import FakeSlack
from storage.daily.models import Participant, Prompt
from storage.db import make_engine

ROOT = Path(__file__).resolve().parents[1]


def env_for(
    fake: FakeSlack, url: str, port: int, post_rate: int | None, scheduler: bool = False
) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env = {
        **keep,
        # Our copy of the code first, whatever is installed.
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), keep.get("PYTHONPATH")) if p),
        "PYTHONFAULTHANDLER": "1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": url,
        "PORT": str(port),
        "SCHEDULER_ENABLED": "true" if scheduler else "false",
        "LOG_LEVEL": "WARNING",
    }
    if post_rate is not None:
        env["SLACK_POST_RATE_PER_MINUTE"] = str(post_rate)
    return env


def soak_switches() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("SOAK_")}


def due_at(url: str, now: datetime) -> dict[int, str]:
    """participant id -> user id of everyone due at `now` (read before the fan-out)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Participant.id, Participant.user_id).where(Participant.next_prompt_at <= now)
            )
            return {pid: user for pid, user in rows}
    finally:
        engine.dispose()


def prompts_per_user(url: str, user_ids: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """(all prompt rows per user, prompt rows with status sent per user) for `user_ids`."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Prompt.user_id, Prompt.status, func.count()).group_by(
                    Prompt.user_id, Prompt.status
                )
            )
            total: dict[str, int] = dict.fromkeys(user_ids, 0)
            sent: dict[str, int] = dict.fromkeys(user_ids, 0)
            for user, status, count in rows:
                if user in total:
                    total[user] += count
                    if status == "sent":
                        sent[user] += count
            return total, sent
    finally:
        engine.dispose()


def describe_exit(code: int | None) -> str:
    if code is None:
        return "timeout"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


def next_minute_boundary(at_least: float = 5.0) -> datetime:
    """The next second 0 of a minute at least `at_least` seconds from now (UTC)."""
    now = datetime.now(UTC)
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (boundary - now).total_seconds() < at_least:
        boundary += timedelta(minutes=1)
    return boundary


def move_due_to(url: str, participant_ids: Iterable[int], instant: datetime) -> None:
    """Makes these participants due at `instant` (today: a working day's late prompt)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(Participant)
                .where(Participant.id.in_(list(participant_ids)))
                .values(next_prompt_at=instant)
            )
    finally:
        engine.dispose()


def sleep_until(instant: datetime) -> None:
    while (left := (instant - datetime.now(UTC)).total_seconds()) > 0:
        time.sleep(min(left, 0.5) if left > 0.05 else left)


def serve_share(args: argparse.Namespace, url: str, now: datetime) -> str:
    """(scheduler on, its tick claimed N): prompt rows claimed at a real instant after --now
    (every run-due claims at exactly --now; serve's tick at its own clock's time)."""
    if not args.serve_scheduler:
        return ""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            by_serve = connection.scalar(
                select(func.count()).select_from(Prompt).where(Prompt.claimed_at > now)
            )
    finally:
        engine.dispose()
    return f" (scheduler on, its tick claimed {by_serve})"

"""Fan-out: N participants due at the same instant, delivered under Slack's rate limits.

python bench/fanout.py [--participants 1000] [--limit 600] [--database-url URL] [--profile FILE]

--limit: the stand-in's workspace-wide chat.postMessage limit per minute (300 and 6000 are
the issue's cases). The bot is not told it: it starts at SLACK_POST_RATE_PER_MINUTE's
default and adapts to what the stand-in accepts.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from common import (
    MONDAY_10_CET,
    SUNDAY_NOON,
    ZONES_AT_UTC_PLUS_ONE,
    add_database_argument,
    add_team,
    bot_prompts_per_user,
    check_database_url,
    describe,
    fresh_database,
    header,
    quiet_logs,
    scratch_dir,
    start_daily_by_command,
)
from sqlalchemy import func, select

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.processes import bot_env
from bot.demo.standin.ratelimit import POST_MESSAGE, RateLimitConfig
from bot.demo.standin.server import FakeSlack
from storage.daily.models import Participant

CHANNEL = "CFANOUT"
ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.1


class PostTimeline:
    """Records when the stand-in accepted or refused each chat.postMessage (for the why)."""

    def __init__(self, fake: FakeSlack) -> None:
        self.accepted: list[float] = []
        self.refused: list[float] = []
        self._lock = threading.Lock()
        limiter = fake.limiter
        original: Callable[[str, str | None], float] = limiter.acquire

        def acquire(method: str, channel: str | None = None) -> float:
            wait = original(method, channel)
            if method == POST_MESSAGE:
                with self._lock:
                    (self.refused if wait > 0 else self.accepted).append(time.monotonic())
            return wait

        limiter.acquire = acquire  # type: ignore[method-assign]

    def summary(self, start: float) -> list[str]:
        if not self.accepted:
            return ["no chat.postMessage accepted"]
        first, last = self.accepted[0] - start, self.accepted[-1] - start
        span = self.accepted[-1] - self.accepted[0]
        rate = (len(self.accepted) - 1) / span if span > 0 else float("inf")
        gaps = [b - a for a, b in zip(self.accepted, self.accepted[1:], strict=False)]
        long_gaps = [g for g in gaps if g > 0.5]
        refused = (
            f"429s from +{self.refused[0] - start:.2f} s to +{self.refused[-1] - start:.2f} s"
            if self.refused
            else "no 429s"
        )
        return [
            f"first accepted post at +{first:.2f} s, last at +{last:.2f} s, "
            f"{rate:.2f} posts/s in between",
            f"gaps between accepted posts over 0.5 s: {len(long_gaps)} "
            f"(sum {sum(long_gaps):.2f} s, longest {max(gaps, default=0):.2f} s)",
            *self._gap_lines(start),
            refused,
        ]

    def _gap_lines(self, start: float) -> list[str]:
        """Each long gap, with the 429s in the second before it: were all workers refused?"""
        lines = []
        for before, after in zip(self.accepted, self.accepted[1:], strict=False):
            if after - before <= 0.5:
                continue
            refused = [t for t in self.refused if before - 1.0 <= t <= after]
            lines.append(
                f"  gap +{before - start:.2f} s → +{after - start:.2f} s: "
                f"{len(refused)} 429s in the second before it and during it"
            )
        return lines


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def due_participants(bot: Bot) -> int:
    with bot.runtime.services.uow_factory() as uow:
        session = uow.session  # type: ignore[attr-defined]
        return int(
            session.scalar(
                select(func.count())
                .select_from(Participant)
                .where(Participant.next_prompt_at == MONDAY_10_CET)
            )
            or 0
        )


def run(
    participants: int, database_url: str | None, limit: int = 600, profile: str | None = None
) -> int:
    limits = RateLimitConfig(post_workspace_per_minute=limit)
    header(
        f"fan-out: {participants} participants due at once, Slack's rate limits on",
        [
            "One /daily start in a channel of N people across 7 time zones (all at UTC+1 on",
            "Monday 30 Nov 2026), then ONE run_due at their shared 10:00, through the real",
            "SlackChat against the stand-in Slack (chat.postMessage: "
            f"{limits.post_workspace_per_minute}/min burst {limits.post_workspace_burst} per",
            f"workspace, {limits.post_per_channel_per_second:g}/s burst "
            f"{limits.post_channel_burst} per channel). Timed until every prompt is delivered.",
            "floor = least time the stand-in's limits allow for N prompts + the day's parent.",
            f"targets: ratio time/floor <= {TARGET_RATIO}; 0 duplicates, 0 lost, 0 violations.",
        ],
    )
    with scratch_dir() as tmp, fresh_database(database_url, tmp) as url:
        print(f"database: {describe(url)}")
        fake = FakeSlack(rate_limits=False, limits=limits)
        fake.start()
        try:
            users = add_team(fake, CHANNEL, participants, ZONES_AT_UTC_PLUS_ONE)
            with running_bot(fake, tmp, SUNDAY_NOON, database_url=url) as bot:
                seeded_at = time.perf_counter()
                start_daily_by_command(bot, users[0], CHANNEL)
                print(
                    f"seeded by /daily start in {time.perf_counter() - seeded_at:.1f} s "
                    f"(limits off); {due_participants(bot)} participants due at "
                    f"{MONDAY_10_CET.isoformat()}"
                )
                seeding_violations = list(fake.violations)
                pace = bot.runtime.settings.slack_post_rate_per_minute
                print(
                    f"bot's pacing of chat.postMessage starts at {pace}/min "
                    "(SLACK_POST_RATE_PER_MINUTE) and adapts"
                )

                fake.reset_records()  # full buckets, no calls counted from seeding
                fake.rate_limits = True
                timeline = PostTimeline(fake)
                children_cpu = _children_cpu()
                own_cpu = time.process_time()
                start = time.monotonic()
                # The fan-out in a process of its own, as cron runs it: the stand-in here
                # does not share the bot's interpreter.
                command = [sys.executable, "app.py", "run-due", "--now", MONDAY_10_CET.isoformat()]
                if profile:  # py-spy's folded stacks of run-due, where it holds the GIL
                    command = [
                        "py-spy",
                        "record",
                        "--gil",
                        "-r",
                        "200",
                        "-f",
                        "raw",
                        "-o",
                        profile,
                        "--",
                        *command,
                    ]
                done = subprocess.run(
                    command,
                    env=bot_env(fake, url, 3000),
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=3600,
                )
                elapsed = time.monotonic() - start
                run_due_cpu = _children_cpu() - children_cpu
                standin_cpu = time.process_time() - own_cpu
                daily_line = next(
                    (line for line in done.stdout.splitlines() if line.startswith("daily:")), ""
                )
                fake.rate_limits = False

                counts = bot_prompts_per_user(fake, users)
                posts = len(fake.calls_to(POST_MESSAGE))
                ok_posts = sum(1 for c in fake.calls_to(POST_MESSAGE) if c.response.get("ok"))
                parents = sum(
                    1
                    for m in fake.messages(CHANNEL)
                    if (m.get("metadata") or {}).get("event_type") == "ceremony_daily_run"
                )
                delivered = sum(counts.values())
                duplicates = sum(1 for c in counts.values() if c > 1)
                lost = sum(1 for c in counts.values() if c == 0)
                floor = fake.floor_seconds(POST_MESSAGE, participants + 1, participants + 1)
                # From the fan-out's first post: run-due's own start-up (imports, migrations:
                # ~1-2 s) is not the fan-out, and serve's in-process tick has none.
                fanning = timeline.accepted[-1] - timeline.accepted[0] if timeline.accepted else 0
                ratio = fanning / floor if floor else float("inf")
                violations = list(fake.violations)

                print()
                print(
                    f"prompts delivered:        {delivered} / {participants} "
                    f"(run-due exit {done.returncode}: {daily_line})"
                )
                print(f"parent messages:          {parents}")
                print(f"time taken:               {elapsed:.2f} s with run-due's start-up")
                print(f"first post to last:       {fanning:.2f} s")
                print(f"floor ({participants + 1} chat.postMessage): {floor:.2f} s")
                verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
                print(
                    f"ratio (first to last)/floor: {ratio:.3f} (target <= {TARGET_RATIO}: "
                    f"{verdict}); with start-up {elapsed / floor:.3f}"
                )
                print(
                    f"CPU:                      run-due {run_due_cpu:.1f} s, the stand-in "
                    f"{standin_cpu:.1f} s (2 cores for both)"
                )
                print(f"duplicates:               {duplicates}")
                print(f"lost:                     {lost}")
                share = fake.ratelimited / posts if posts else 0.0
                print(f"429s answered:            {fake.ratelimited} ({share:.1%} of calls)")
                print(f"chat.postMessage calls:   {posts} ({ok_posts} ok)")
                print(f"violations:               {len(violations)}")
                for line in violations[:10]:
                    print(f"   {line}")
                if seeding_violations:
                    print(f"violations while seeding: {len(seeding_violations)}")
                    for line in seeding_violations[:5]:
                        print(f"   {line[:300]}")
                if done.returncode != 0:
                    print(done.stderr[-2000:])
                print("timeline: " + "; ".join(timeline.summary(start)))
        finally:
            fake.stop()
    return 0  # figures, not a test: a missed target is printed, not an exit status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=600, help="stand-in posts per minute")
    parser.add_argument("--profile", help="write py-spy's folded stacks of run-due to this file")
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.participants < 1:
        parser.error("--participants must be at least 1")
    check_database_url(parser, args.database_url)
    quiet_logs()
    return run(args.participants, args.database_url, args.limit, args.profile)


if __name__ == "__main__":
    sys.exit(main())

"""Ack latency: how long Slack waits for the HTTP answer to a slash command.

    python bench/ack.py [--commands 500] [--concurrency 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from common import (
    MONDAY_10_CET,
    SUNDAY_NOON,
    ZONES_AT_UTC_PLUS_ONE,
    add_database_argument,
    add_team,
    check_database_url,
    daily_tick,
    describe,
    fresh_database,
    header,
    median,
    ms,
    percentile,
    quiet_logs,
    scratch_dir,
    start_daily_by_command,
)
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.server import HttpServer, make_wsgi_app
from bot.standin.driver import SlackDriver
from bot.standin.harness import SIGNING_SECRET, Bot, running_bot
from bot.standin.models import BOT_TOKEN
from bot.standin.ratelimit import POST_MESSAGE
from bot.standin.server import FakeSlack
from ceremonies.daily_delivery import TickReport

TEAM_CHANNEL = "CTEAM"
TEAM = ("UANNA", "UBEN", "UCHITRA", "UDAN", "UEVA")
TEAM_ZONE = "Asia/Tokyo"
# 10:00 in Tokyo: the small team's day is under way before the big fan-out starts.
MONDAY_10_TOKYO = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
BIG_CHANNEL = "CBIG"
FANOUT = 1000
WARMUP = 20
TARGET_RATIO = 1.5
TARGET_DURING_FANOUT = 3.0
REPLY_TIMEOUT = 60.0


@dataclass
class Sample:
    label: str
    acks: list[float]
    statuses: dict[int, int]
    wall: float
    cpu_per_command: float | None = None

    def line(self) -> str:
        codes = ", ".join(f"HTTP {k}: {v}" for k, v in sorted(self.statuses.items()))
        cpu = f"; CPU {ms(self.cpu_per_command)}/cmd" if self.cpu_per_command else ""
        return (
            f"{self.label:<34} p50 {ms(median(self.acks)):>9}  "
            f"p99 {ms(percentile(self.acks, 99)):>9}  max {ms(max(self.acks)):>9}  "
            f"({len(self.acks)} in {self.wall:.1f} s; {codes}{cpu})"
        )


def fire(driver: SlackDriver, label: str, users: Sequence[str], count: int,
         concurrency: int) -> Sample:
    """`count` × `/daily status` from `users` in turn, `concurrency` in flight at once."""

    def one(i: int) -> tuple[float, int]:
        result = driver.command(users[i % len(users)], TEAM_CHANNEL, "/daily", "status")
        return result.elapsed, result.status

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(count)))
    wall = time.monotonic() - started
    statuses: dict[int, int] = {}
    for _, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return Sample(label, [elapsed for elapsed, _ in results], statuses, wall)


def ephemeral_count(fake: FakeSlack) -> int:
    return sum(len(fake.ephemerals(user)) for user in TEAM)


def wait_for_replies(fake: FakeSlack, expected: int) -> int:
    """Lets the bot finish answering (after its acks) so one phase does not load the next."""
    deadline = time.monotonic() + REPLY_TIMEOUT
    while time.monotonic() < deadline:
        if ephemeral_count(fake) >= expected:
            break
        time.sleep(0.05)
    return ephemeral_count(fake)


def bare_bolt_server(fake: FakeSlack) -> HttpServer:
    """A Bolt app that only acks `/daily`, behind the same WSGI wrapper and waitress."""
    app = App(
        signing_secret=SIGNING_SECRET,
        token_verification_enabled=False,
        client=WebClient(token=BOT_TOKEN, base_url=fake.api_url),
    )

    @app.command("/daily")
    def on_daily(ack: Ack) -> None:
        ack()

    server = HttpServer(make_wsgi_app(app, lambda: True), "127.0.0.1", 0)
    server.start_in_background()
    return server


def measure(driver: SlackDriver, label: str, count: int, concurrency: int,
            replies: bool) -> tuple[Sample, int]:
    """Warm up, then fire; with `replies`, also wait for the bot's answers after its acks so
    their work is counted in the CPU per command and does not spill into the next phase."""
    fake = driver.fake
    before = ephemeral_count(fake)
    fire(driver, "warm-up", TEAM, WARMUP, concurrency)
    if replies:
        before = wait_for_replies(fake, before + WARMUP)
    cpu = time.process_time()
    sample = fire(driver, label, TEAM, count, concurrency)
    answered = wait_for_replies(fake, before + count) - before if replies else 0
    sample.cpu_per_command = (time.process_time() - cpu) / count
    return sample, answered


def run(count: int, concurrency: int, database_url: str | None) -> int:
    header(
        f"ack latency: {count} × '/daily status', {concurrency} at a time",
        [
            "Time from sending a signed slash command to the HTTP answer (the ack), through",
            "waitress + Bolt on loopback, the stand-in Slack and the load in this process.",
            "1. our bot, a channel with a daily under way (5 people): one command at a time,",
            f"   then {concurrency} at a time (its answers after the ack count in CPU/cmd);",
            "2. a bare Bolt app that only calls ack(), behind the same make_wsgi_app/HttpServer;",
            f"3. our bot again while run_due fans out {FANOUT} prompts (limits on) in a thread.",
            f"targets: p99 ours <= {TARGET_RATIO} × p99 bare; p99 < {TARGET_DURING_FANOUT:.0f} s "
            "during the fan-out.",
        ],
    )
    with scratch_dir() as tmp, fresh_database(database_url, tmp) as url:
        print(f"database: {describe(url)}")
        fake = FakeSlack(rate_limits=False)
        fake.start()
        bare: HttpServer | None = None
        try:
            for user in TEAM:
                fake.add_user(user, user[1:].lower(), TEAM_ZONE)
            fake.add_channel(TEAM_CHANNEL, "team", list(TEAM))
            big = add_team(fake, BIG_CHANNEL, FANOUT, ZONES_AT_UTC_PLUS_ONE)
            with running_bot(fake, tmp, SUNDAY_NOON, database_url=url) as bot:
                start_daily_by_command(bot, TEAM[0], TEAM_CHANNEL)
                start_daily_by_command(bot, big[0], BIG_CHANNEL)
                early = daily_tick(bot, MONDAY_10_TOKYO)
                print(f"seeded: dailies in {TEAM_CHANNEL} ({len(TEAM)} people, "
                      f"{early.prompts_sent} prompted) and {BIG_CHANNEL} ({FANOUT} people "
                      "due at 09:00 UTC)")
                bare = bare_bolt_server(fake)
                bare_driver = SlackDriver(
                    fake, f"http://127.0.0.1:{bare.port}/slack/events", SIGNING_SECRET
                )
                print()
                one_by_one = max(1, count // 5)
                ours_alone, _ = measure(bot.driver, "ours, one at a time", one_by_one, 1, True)
                print(ours_alone.line(), flush=True)
                bare_alone, _ = measure(bare_driver, "bare Bolt, one at a time", one_by_one, 1,
                                        False)
                print(bare_alone.line(), flush=True)
                ours, replies = measure(bot.driver, f"ours, {concurrency} at a time", count,
                                        concurrency, True)
                print(ours.line() + f"; replies {replies}/{count}", flush=True)
                bare_sample, _ = measure(bare_driver, f"bare Bolt, {concurrency} at a time",
                                         count, concurrency, False)
                print(bare_sample.line(), flush=True)

                before_fanout = list(fake.violations)  # the fan-out starts a fresh record
                during, fanout, fanout_time, replies_during = measure_during_fanout(
                    bot, count, concurrency
                )
                print(during.line() + f"; replies {replies_during}/{count}")
                recorded = before_fanout + list(fake.violations)
                violations = [v for v in recorded if "ack took" not in v]
                late_acks = sum(1 for v in recorded if "ack took" in v)
        finally:
            if bare is not None:
                bare.stop()
            fake.stop()

    ratio = percentile(ours.acks, 99) / percentile(bare_sample.acks, 99)
    alone = percentile(ours_alone.acks, 99) / percentile(bare_alone.acks, 99)
    print()
    print(f"p99 ours / p99 bare, alone: {alone:.2f}")
    print(f"p99 ours / p99 bare, {concurrency:>2}:   {ratio:.2f} (target <= {TARGET_RATIO}: "
          f"{'ok' if ratio <= TARGET_RATIO else 'ABOVE TARGET'})")
    worst = percentile(during.acks, 99)
    print(f"p99 during fan-out:         {ms(worst)} (target < {TARGET_DURING_FANOUT:.0f} s: "
          f"{'ok' if worst < TARGET_DURING_FANOUT else 'ABOVE TARGET'}); "
          f"{ratio_during(during, bare_sample):.2f} × bare")
    print(f"acks over Slack's 3 s:      {late_acks}")
    print(f"the fan-out meanwhile:      {fanout.prompts_sent} prompts in {fanout_time:.1f} s, "
          f"{len(fanout.failures)} failures")
    print(f"other violations:           {len(violations)}")
    for line in violations[:10]:
        print(f"   {line[:300]}")
    return 0  # figures, not a test


def ratio_during(during: Sample, bare: Sample) -> float:
    return percentile(during.acks, 99) / percentile(bare.acks, 99)


def measure_during_fanout(bot: Bot, count: int, concurrency: int
                          ) -> tuple[Sample, TickReport, float, int]:
    fake = bot.slack
    fake.reset_records()
    fake.rate_limits = True
    outcome: list[TickReport] = []
    started = time.monotonic()

    def fan_out() -> None:
        outcome.append(daily_tick(bot, MONDAY_10_CET))

    worker = threading.Thread(target=fan_out, name="fan-out", daemon=True)
    worker.start()
    # Measure in the steady state of the fan-out, not during its first burst.
    fake.wait_for(lambda: len(fake.calls_to(POST_MESSAGE)) >= 50, timeout=60, interval=0.05)
    before = ephemeral_count(fake)
    sample = fire(bot.driver, f"ours during {FANOUT}-prompt fan-out", TEAM, count, concurrency)
    replies = wait_for_replies(fake, before + count) - before
    worker.join(timeout=300)
    elapsed = time.monotonic() - started
    fake.rate_limits = False
    report = outcome[0] if outcome else TickReport(failures=["fan-out did not finish"])
    return sample, report, elapsed, replies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.commands < 1 or args.concurrency < 1:
        parser.error("--commands and --concurrency must be at least 1")
    check_database_url(parser, args.database_url)
    quiet_logs()
    return run(args.commands, args.concurrency, args.database_url)


if __name__ == "__main__":
    sys.exit(main())

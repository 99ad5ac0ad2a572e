"""Ack latency: how long Slack waits for the HTTP answer to a slash command.

python bench/ack.py [--commands 500] [--concurrency 20] [--rate 200] [--rounds 5]
                    [--database-url URL]

Two loads: --concurrency commands in flight at all times (a closed loop: the server is kept
saturated, so this mostly measures how the machine's CPU is shared out), and a fixed
arrival rate of --rate commands a second (an open loop, as Slack's traffic arrives).

The ratios are p99 over all rounds, each side's acks pooled: one burst of 500 lasts under a
second, and its p99 (its 5th-slowest ack) moves with whatever else this shared machine does
in that second.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bursts import PACED_SENDERS, TEAM, TEAM_CHANNEL, TEAM_ZONE, Sample, fire, fire_paced
from common import (
    ZONES_AT_UTC_PLUS_ONE,
    add_database_argument,
    add_team,
    check_database_url,
    cpu_seconds,
    describe,
    fresh_database,
    header,
    inbox_writer,
    machine_jiffies,
    ms,
    percentile,
    quiet_logs,
    scratch_dir,
    writer_line,
)

from bot.demo.standin.driver import SlackDriver
from bot.demo.standin.harness import SIGNING_SECRET
from bot.demo.standin.processes import bot_env, free_port, start_server
from bot.demo.standin.ratelimit import POST_MESSAGE
from bot.demo.standin.server import FakeSlack

BIG_CHANNEL = "CBIG"
FANOUT = 1000
WARMUP = 20
TARGET_RATIO = 1.5
TARGET_DURING_FANOUT = 3.0
REPLY_TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parents[1]


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


def next_prompt_instant(now: datetime) -> datetime:
    """The next weekday 09:00 UTC (10:00 at UTC+1) strictly after `now`."""
    day = now.date()
    while True:
        candidate = datetime.combine(day, datetime.min.time(), UTC).replace(hour=9)
        if candidate > now and candidate.weekday() < 5:
            return candidate
        day += timedelta(days=1)


def measure(
    driver: SlackDriver,
    label: str,
    count: int,
    concurrency: int,
    replies: bool,
    pid: int,
    text: str = "status",
    rate: float | None = None,
) -> tuple[Sample, int]:
    """Warm up, then fire; with `replies`, also wait for the bot's answers after its acks so
    their work is counted in the CPU per command and does not spill into the next phase."""
    fake = driver.fake
    before = ephemeral_count(fake)
    fire(driver, "warm-up", TEAM, WARMUP, concurrency, text)
    if replies:
        before = wait_for_replies(fake, before + WARMUP)
    cpu = cpu_seconds(pid)
    busy_before, all_before = machine_jiffies()
    if rate is None:
        sample = fire(driver, label, TEAM, count, concurrency, text)
    else:
        sample = fire_paced(driver, label, TEAM, count, rate, text)
    busy_after, all_after = machine_jiffies()
    sample.machine_busy = (busy_after - busy_before) / max(1, all_after - all_before)
    answered = wait_for_replies(fake, before + count) - before if replies else 0
    sample.cpu_per_command = (cpu_seconds(pid) - cpu) / count
    return sample, answered


def run(count: int, concurrency: int, rate: float, rounds: int, database_url: str | None) -> int:
    header(
        f"ack latency: bursts of {count} slash commands, {rounds} rounds",
        [
            "Time from sending a signed slash command to the HTTP answer (the ack). Each server",
            "runs in its own process, as deployed: the stand-in Slack and the senders here.",
            "1. our bot (`python app.py serve`, waitress + Bolt), a channel with a daily, one",
            "   command at a time; then each round, in a turning order, three sides:",
            "   ours with '/daily status' (read-only), ours with '/daily skip' (stored in the",
            "   inbox before its ack), and a bare Bolt app that only calls ack() behind the same",
            f"   make_wsgi_app/HttpServer; each under two loads: {concurrency} in flight at all",
            f"   times, and {rate:g} commands a second (answers after the ack count in CPU/cmd);",
            f"2. our bot again while `app.py run-due` fans out {FANOUT} prompts (limits on).",
            f"targets: p99 ours <= {TARGET_RATIO} × p99 bare; p99 < {TARGET_DURING_FANOUT:.0f} s "
            "during the fan-out.",
        ],
    )
    with scratch_dir() as tmp, fresh_database(database_url, tmp) as url:
        print(f"database: {describe(url)}")
        fake = FakeSlack(rate_limits=False)
        fake.start()
        processes: list[subprocess.Popen[bytes]] = []
        try:
            for user in TEAM:
                fake.add_user(user, user[1:].lower(), TEAM_ZONE)
            fake.add_channel(TEAM_CHANNEL, "team", list(TEAM))
            big = add_team(fake, BIG_CHANNEL, FANOUT, ZONES_AT_UTC_PLUS_ONE)
            ours_port, bare_port = free_port(), free_port()
            ours = start_server(
                [sys.executable, "app.py", "serve"], bot_env(fake, url, ours_port), ours_port
            )
            processes.append(ours)
            bare = start_server(
                [sys.executable, "bench/bare_app.py"], bot_env(fake, url, bare_port), bare_port
            )
            processes.append(bare)
            driver = SlackDriver(fake, f"http://127.0.0.1:{ours_port}/slack/events", SIGNING_SECRET)
            bare_driver = SlackDriver(
                fake, f"http://127.0.0.1:{bare_port}/slack/events", SIGNING_SECRET
            )
            for owner, channel in ((TEAM[0], TEAM_CHANNEL), (big[0], BIG_CHANNEL)):
                driver.command(owner, channel, "/daily", "start")
                fake.wait_for(lambda c=channel: fake.messages(c), timeout=300, interval=0.1)
            print(
                f"seeded: dailies in {TEAM_CHANNEL} ({len(TEAM)} people) and {BIG_CHANNEL} "
                f"({FANOUT} people, all due at the same instant)"
            )
            print()
            one_by_one = max(1, count // 5)
            ours_alone, _ = measure(driver, "ours, one at a time", one_by_one, 1, True, ours.pid)
            print(ours_alone.line(), flush=True)
            bare_alone, _ = measure(
                bare_driver, "bare Bolt, one at a time", one_by_one, 1, False, bare.pid
            )
            print(bare_alone.line(), flush=True)
            phases = [
                Phase("bare", "bare Bolt", bare_driver, "status", bare),
                Phase("ours", "ours", driver, "status", ours),
                # `/daily skip` changes something, so each one is in the inbox before its ack.
                Phase("stored", "ours, stored", driver, "skip", ours),
            ]
            loads = [
                Load(f"{concurrency} in flight", concurrency),
                Load(f"{rate:g}/s", PACED_SENDERS, rate),
            ]
            pooled = run_rounds(phases, loads, rounds, count)
            before_fanout = list(fake.violations)  # the fan-out starts a fresh record
            during, fanout_sent, fanout_time, replies_during = measure_during_fanout(
                fake, driver, bot_env(fake, url, 3000), count, concurrency, big
            )
            print(during.line() + f"; replies {replies_during}/{count}")
            recorded = before_fanout + list(fake.violations)
            violations = [v for v in recorded if "ack took" not in v]
            late_acks = sum(1 for v in recorded if "ack took" in v)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
            fake.stop()

    alone = percentile(ours_alone.acks, 99) / percentile(bare_alone.acks, 99)
    print()
    print(f"p99 ours / p99 bare, one at a time: {alone:.2f}")
    for load in loads:
        bare_p99 = percentile(pooled[("bare", load.name)], 99)
        for name in ("ours", "stored"):
            acks = pooled[(name, load.name)]
            ratio = percentile(acks, 99) / bare_p99
            print(
                f"p99 {name:<6} / p99 bare, {load.name}: {ratio:.2f} "
                f"({ms(percentile(acks, 99))} against {ms(bare_p99)}, {len(acks)} acks each, "
                f"{rounds} rounds; target <= {TARGET_RATIO}: "
                f"{'ok' if ratio <= TARGET_RATIO else 'ABOVE TARGET'})"
            )
    print("   (stored: '/daily skip', in the inbox before its ack)")
    bare_p99 = percentile(pooled[("bare", loads[0].name)], 99)
    worst = percentile(during.acks, 99)
    print(
        f"p99 during fan-out:         {ms(worst)} (target < {TARGET_DURING_FANOUT:.0f} s: "
        f"{'ok' if worst < TARGET_DURING_FANOUT else 'ABOVE TARGET'}); "
        f"{worst / bare_p99:.2f} × bare"
    )
    print(f"acks over Slack's 3 s:      {late_acks}")
    print(
        f"the fan-out meanwhile:      {fanout_sent} prompts in {fanout_time:.1f} s "
        "(a run-due process beside the server, as cron would run it)"
    )
    print(f"other violations:           {len(violations)}")
    for line in violations[:10]:
        print(f"   {line[:300]}")
    return 0  # figures, not a test


@dataclass
class Phase:
    """One kind of measurement of a round: a server, and the command sent to it."""

    name: str
    label: str
    driver: SlackDriver
    text: str
    process: subprocess.Popen[bytes]

    @property
    def replies(self) -> bool:
        return self.name != "bare"  # the bare app acks and says nothing

    @property
    def stored(self) -> bool:
        return self.name == "stored"


@dataclass(frozen=True)
class Load:
    """How the commands of a burst are sent: `concurrency` at a time, or at a fixed rate."""

    name: str
    concurrency: int
    rate: float | None = None


def run_rounds(
    phases: list[Phase], loads: list[Load], rounds: int, count: int
) -> dict[tuple[str, str], list[float]]:
    """Each round measures every phase under every load, the phases in an order that turns
    round by round, so the load this shared machine carries at any moment falls on each
    side alike; the acks of all rounds are pooled per (phase, load)."""
    pooled: dict[tuple[str, str], list[float]] = {}
    for round_number in range(rounds):
        turn = round_number % len(phases)
        for load in loads:
            p99s: dict[str, float] = {}
            for phase in phases[turn:] + phases[:turn]:
                writer_before = inbox_writer(phase.driver.app_url) if phase.stored else None
                sample, answered = measure(
                    phase.driver,
                    f"{phase.label}, {load.name}",
                    count,
                    load.concurrency,
                    phase.replies,
                    phase.process.pid,
                    phase.text,
                    load.rate,
                )
                replies = f"; replies {answered}/{count}" if phase.replies else ""
                print(f"round {round_number + 1}: " + sample.line() + replies, flush=True)
                if writer_before is not None:
                    print(writer_line(writer_before, inbox_writer(phase.driver.app_url)))
                pooled.setdefault((phase.name, load.name), []).extend(sample.acks)
                p99s[phase.name] = percentile(sample.acks, 99)
            ratios = ", ".join(
                f"{name} {p99s[name] / p99s['bare']:.2f}" for name in p99s if name != "bare"
            )
            print(f"round {round_number + 1}, {load.name}: p99 / p99 bare: {ratios}", flush=True)
    return pooled


def measure_during_fanout(
    fake: FakeSlack,
    driver: SlackDriver,
    env: dict[str, str],
    count: int,
    concurrency: int,
    big: Sequence[str],
) -> tuple[Sample, int, float, int]:
    """Fires the commands while `run-due` (another process, as cron) sends the fan-out."""
    fake.reset_records()
    fake.rate_limits = True
    now = next_prompt_instant(datetime.now(UTC))
    started = time.monotonic()
    fan_out = subprocess.Popen(
        [sys.executable, "app.py", "run-due", "--now", now.isoformat()],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # Measure in the steady state of the fan-out, not during its first burst.
    try:
        fake.wait_for(lambda: len(fake.calls_to(POST_MESSAGE)) >= 50, timeout=120, interval=0.05)
    except TimeoutError:
        fan_out.kill()
        output = fan_out.communicate()[0][-2000:]
        raise RuntimeError(f"the fan-out did not start: {output!r}") from None
    before = ephemeral_count(fake)
    sample = fire(driver, f"ours during {FANOUT}-prompt fan-out", TEAM, count, concurrency)
    replies = wait_for_replies(fake, before + count) - before
    fan_out.wait(timeout=600)
    elapsed = time.monotonic() - started
    fake.rate_limits = False
    sent = sum(1 for user in big if any(m.get("bot_id") for m in fake.dm_messages(user)))
    return sample, sent, elapsed, replies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rate", type=float, default=200.0, help="commands a second, paced")
    parser.add_argument("--rounds", type=int, default=5)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.commands < 1 or args.concurrency < 1 or args.rounds < 1 or args.rate <= 0:
        parser.error("--commands, --concurrency, --rounds and --rate must be positive")
    check_database_url(parser, args.database_url)
    quiet_logs()
    return run(args.commands, args.concurrency, args.rate, args.rounds, args.database_url)


if __name__ == "__main__":
    sys.exit(main())

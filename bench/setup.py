"""`/daily start` and `/oncall start` in a big channel at Slack's real limits: time to ready.

python bench/setup.py [--members 1000] [--rotation 100] [--database-url URL]

The stand-in enforces its tiers (users.info Tier 4: 100 a minute; users.list Tier 2: 20 a
minute; conversations.members Tier 4). The bot reads the channel's members, their profiles
(zone, bot or not) through the workspace directory, stores the daily and posts its
settings in the channel: that post is "ready". Then `/oncall start` with --rotation of the
channel's members named (a rotation holds at most 100), in a fresh database: the bot checks
each named person (zone, bot or not) and posts the rotation. Target for both: acknowledged
at once, ready < 30 s.
"""

from __future__ import annotations

import argparse
import sys
import time

from common import (
    SUNDAY_NOON,
    ZONES_AT_UTC_PLUS_ONE,
    add_database_argument,
    add_team,
    check_database_url,
    describe,
    fresh_database,
    header,
    ms,
    quiet_logs,
    scratch_dir,
)

from bot.demo.standin.harness import running_bot
from bot.demo.standin.server import FakeSlack

CHANNEL = "CBIG"
READY_TARGET = 30.0


def run(members: int, rotation: int, database_url: str | None) -> int:
    header(
        f"/daily start and /oncall start in a {members}-member channel, Slack's limits on",
        [
            "From the signed slash command to the settings posted in the channel.",
            f"target: ack at once (< 3 s), ready < {READY_TARGET:.0f} s",
        ],
    )
    for name, text in (("daily", "start"), ("oncall", None)):
        with scratch_dir() as tmp, fresh_database(database_url, tmp) as url:
            fake = FakeSlack(rate_limits=True)
            fake.start()
            try:
                people = add_team(fake, CHANNEL, members, ZONES_AT_UTC_PLUS_ONE)
                # Spread over the directory, not its first page.
                step = max(1, len(people) // rotation)
                picked = people[::step][:rotation]
                named = " ".join(f"<@{user}|{user.lower()}>" for user in picked)
                with running_bot(fake, tmp, SUNDAY_NOON, database_url=url) as bot:
                    started = time.monotonic()
                    result = bot.driver.command(
                        people[0], CHANNEL, f"/{name}", text or f"start {named}"
                    )
                    fake.wait_for(lambda f=fake: f.messages(CHANNEL), timeout=900, interval=0.05)
                    ready = time.monotonic() - started
            finally:
                fake.stop()
        _report(f"/{name} start" + ("" if text else f" of {rotation}"), fake, result, ready)
        print(f"database: {describe(url)}")
    return 0  # figures, not a test


def _report(what: str, fake: FakeSlack, result: object, ready: float) -> None:
    methods = ("conversations.members", "users.list", "users.info")
    calls = {method: len(fake.calls_to(method)) for method in methods}
    print(f"{what}:")
    print(f"  ack:   {ms(result.elapsed)} (HTTP {result.status})")  # type: ignore[attr-defined]
    print(
        f"  ready: {ready:.1f} s (target < {READY_TARGET:.0f} s: "
        f"{'ok' if ready < READY_TARGET else 'ABOVE TARGET'})"
    )
    print(
        "  calls: " + ", ".join(f"{m} {n}" for m, n in calls.items()) + f"; 429s {fake.ratelimited}"
    )
    print(f"  violations: {len(fake.violations)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rotation", type=int, default=100, help="people named in /oncall start")
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.members < 2:
        parser.error("--members must be at least 2")
    check_database_url(parser, args.database_url)
    quiet_logs()
    return run(args.members, min(args.rotation, args.members), args.database_url)


if __name__ == "__main__":
    sys.exit(main())

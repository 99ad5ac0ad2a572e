"""Fan-out: N participants due at the same instant, delivered under Slack's rate limits.

python bench/fanout.py [--participants 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable

from common import (
    MONDAY_10_CET,
    SUNDAY_NOON,
    ZONES_AT_UTC_PLUS_ONE,
    add_database_argument,
    add_team,
    bot_prompts_per_user,
    check_database_url,
    daily_tick,
    describe,
    fresh_database,
    header,
    quiet_logs,
    scratch_dir,
    start_daily_by_command,
)
from sqlalchemy import func, select

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.ratelimit import POST_MESSAGE, RateLimitConfig
from bot.demo.standin.server import FakeSlack
from storage.daily.models import Participant

CHANNEL = "CFANOUT"
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
            refused,
        ]


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


def run(participants: int, database_url: str | None) -> int:
    limits = RateLimitConfig()
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
                    f"bot's own pacing of chat.postMessage: {pace}/min (SLACK_POST_RATE_PER_MINUTE)"
                )

                fake.reset_records()  # full buckets, no calls counted from seeding
                fake.rate_limits = True
                timeline = PostTimeline(fake)
                start = time.monotonic()
                report = daily_tick(bot, MONDAY_10_CET)
                elapsed = time.monotonic() - start
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
                ratio = elapsed / floor if floor else float("inf")
                violations = list(fake.violations)

                print()
                print(
                    f"prompts delivered:        {delivered} / {participants} "
                    f"(run_due says sent={report.prompts_sent}, "
                    f"failures={len(report.failures)})"
                )
                print(f"parent messages:          {parents}")
                print(f"time taken:               {elapsed:.2f} s")
                print(f"floor ({participants + 1} chat.postMessage): {floor:.2f} s")
                verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
                print(
                    f"ratio time/floor:         {ratio:.3f} (target <= {TARGET_RATIO}: {verdict})"
                )
                print(f"duplicates:               {duplicates}")
                print(f"lost:                     {lost}")
                print(f"429s answered:            {fake.ratelimited}")
                print(f"chat.postMessage calls:   {posts} ({ok_posts} ok)")
                print(f"violations:               {len(violations)}")
                for line in violations[:10]:
                    print(f"   {line}")
                if seeding_violations:
                    print(f"violations while seeding: {len(seeding_violations)}")
                    for line in seeding_violations[:5]:
                        print(f"   {line[:300]}")
                for failure in report.failures[:10]:
                    print(f"failure: {failure}")
                print("timeline: " + "; ".join(timeline.summary(start)))
        finally:
            fake.stop()
    return 0  # figures, not a test: a missed target is printed, not an exit status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.participants < 1:
        parser.error("--participants must be at least 1")
    check_database_url(parser, args.database_url)
    quiet_logs()
    return run(args.participants, args.database_url)


if __name__ == "__main__":
    sys.exit(main())

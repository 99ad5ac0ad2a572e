"""On-call figures: computing a big rotation's schedule, and run-due over many rotations.

python bench/oncall.py [--repeat 20] [--rotations 1000] [--database-url URL]

1. The schedule of a 50-person rotation over two years with 100 overrides, 50 absences and
   50 swaps (weekly and daily shifts), computed from scratch: target < 50 ms.
2. run-due (the on-call job) with 1,000 rotations configured and nothing due (target
   < 100 ms), then with 10 and 100 handoffs due, to show the cost follows what is due.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

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
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.demo.standin.harness import SettableClock, settings_for
from bot.demo.standin.server import FakeSlack
from bot.runtime import build_runtime
from ceremonies.core.ports import Profile
from ceremonies.core.request import Actor, Request
from ceremonies.core.time_model import DateRange, Person
from ceremonies.oncall import handoffs, setup
from ceremonies.oncall.plan import Swap, Window, plan
from ceremonies.oncall.rotation import DAILY, WEEKLY, RotationVersion
from storage.oncall.models import Rotation

START = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # a Thursday
SATURDAY = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # nothing due for anyone
MONDAY_HANDOFF = datetime(2026, 12, 7, 9, 0, 30, tzinfo=UTC)  # 10:00 Berlin, just after
FAR = datetime(2030, 1, 1, tzinfo=UTC)
PLAN_TARGET_MS = 50.0
TICK_TARGET_MS = 100.0
PEOPLE = ["UANNA", "UBEN", "UCHITRA"]


def big_rotation(
    shift: str, seed: int
) -> tuple[list[RotationVersion], dict[str, Person], list[Swap], list[Window]]:
    rng = random.Random(seed)
    members = tuple(f"U{i:03d}" for i in range(50))
    version = RotationVersion(START, members, shift, 0, time(10), "Europe/Berlin", True)
    people = {m: Person("Europe/Berlin") for m in members}
    for _ in range(50):
        who = rng.choice(members)
        first = date(2027, 1, 1) + timedelta(days=rng.randrange(700))
        span = DateRange(first, first + timedelta(days=rng.randrange(1, 15)))
        people[who] = Person("Europe/Berlin", None, (*people[who].absences, span))
    base = plan([version], people, START + timedelta(days=730))
    turns = list(base.turns)
    swaps = []
    for _ in range(50):
        a, b = rng.sample(turns[1:], 2)
        swaps.append(Swap(a.start, a.user_id, b.start, b.user_id))
    windows = []
    for _ in range(100):
        start = START + timedelta(hours=rng.randrange(24 * 720))
        windows.append(
            Window(start, start + timedelta(hours=rng.randrange(2, 72)), rng.choice(members))
        )
    return [version], people, swaps, windows


def bench_plan(repeat: int) -> list[str]:
    lines = []
    for shift in (WEEKLY, DAILY):
        versions, people, swaps, windows = big_rotation(shift, 7)
        until = START + timedelta(days=730)
        times = []
        for _ in range(repeat):
            result, elapsed = timed(
                lambda v=versions, p=people, u=until, s=swaps, w=windows: plan(
                    v, p, u, swaps=s, windows=w
                )
            )
            times.append(elapsed)
        lines.append(
            f"  {shift:>6} shifts: {len(result.turns):>4} turns, {len(result.shifts):>5} shifts"
            f"  median {ms(median(times))}  p95 {ms(percentile(times, 95))}"
            f"  (target < {PLAN_TARGET_MS:.0f} ms)"
        )
    return lines


class Profiles:
    """Seeding needs only people's zones: asking the stand-in 4,000 times would measure its
    rate limits, not the bot."""

    def profile(self, team_id: str, user_id: str) -> Profile:
        return Profile(user_id, user_id, "Europe/Berlin")

    def profiles_of(self, team_id: str, user_ids: list[str]) -> list[Profile]:
        return [self.profile(team_id, user_id) for user_id in user_ids]


def seed(uow_factory: object, rotations: int) -> None:
    for i in range(rotations):
        request = Request("T0001", f"C{i:07d}", Actor("UANNA"), START)
        setup.start_rotation(uow_factory, Profiles(), request, PEOPLE)  # type: ignore[arg-type]


def bench_ticks(rotations: int, repeat: int, database_url: str | None, workdir: Path) -> list[str]:
    lines = []
    with FakeSlack() as fake:
        for user, name in (("UANNA", "anna"), ("UBEN", "ben"), ("UCHITRA", "chitra")):
            fake.add_user(user, name, "Europe/Berlin")
        for i in range(100):
            fake.add_channel(f"C{i:07d}", f"team-{i}", PEOPLE)
        for due in (0, 10, 100):
            with fresh_database(database_url, workdir, f"oncall{due}") as url:
                settings = settings_for(fake, url).model_copy(
                    update={"slack_post_rate_per_minute": 1_000_000}
                )
                runtime = build_runtime(settings, clock=SettableClock(START))
                services = runtime.services
                _, seeded = timed(
                    lambda s=services: seed(s.uow_factory, rotations)  # type: ignore[misc]
                )
                if due:
                    with Session(runtime.engine) as session, session.begin():
                        session.execute(
                            update(Rotation).where(Rotation.id > due).values(next_due_at=FAR)
                        )
                at = SATURDAY if due == 0 else MONDAY_HANDOFF
                times, handed = [], 0
                for _ in range(repeat if due == 0 else 1):
                    report, elapsed = timed(
                        lambda s=services, a=at: handoffs.run_due(s.uow_factory, s.chat, a)  # type: ignore[misc]
                    )
                    times.append(elapsed)
                    handed += report.handoffs
                lines.append(
                    f"  {rotations} rotations, {due:>3} due: median {ms(median(times))}"
                    f"  ({len(times)} run{'s' if len(times) > 1 else ''}, {handed} handoffs posted,"
                    f" seeded in {seeded:.1f} s)"
                    + (f"  (target < {TICK_TARGET_MS:.0f} ms)" if due == 0 else "")
                )
                runtime.engine.dispose()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rotations", type=int, default=1000)
    add_database_argument(parser)
    args = parser.parse_args()
    check_database_url(parser, args.database_url)
    quiet_logs()
    header(
        "oncall: the schedule, computed",
        ["50 people, two years, 100 overrides, 50 absences, 50 swaps"],
    )
    for line in bench_plan(args.repeat):
        print(line)
    header(
        "oncall: run-due over many rotations",
        [
            "database: "
            + (describe(args.database_url) if args.database_url else "a temporary SQLite file")
        ],
    )
    with scratch_dir() as workdir:
        for line in bench_ticks(args.rotations, args.repeat, args.database_url, workdir):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

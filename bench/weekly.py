"""Building a weekly report: does its cost follow the week, or the length of the history?

python bench/weekly.py [--people 50] [--database-url URL]

Two databases, side by side in one run: a 50-person team's daily (three answers a day,
a blocker now and then) and a retro every two weeks with three actions, over 4 weeks and
over 104 weeks, with the reports a running bot sent for the chart's earlier weeks (their
figures are kept with them). Each builds the latest week's report (compose: every query and
rule, no Slack) several times; prints the median of each, their ratio (target <= 1.3) and the
absolute time (target < 1 s).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, time, timedelta

from common import (
    add_database_argument,
    check_database_url,
    describe,
    fresh_database,
    header,
    median,
    ms,
    quiet_logs,
    scratch_dir,
    timed,
)
from sqlalchemy.orm import Session, sessionmaker

from ceremonies.weekly.compose import compose
from ceremonies.weekly.content import content_of
from ceremonies.weekly.schedule import week_of
from ceremonies.weekly.trend import TREND_WEEKS
from storage.daily.models import Answer, Daily, Participant, Prompt
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.retro.models import Retro, RetroAction, RetroItem
from storage.unit_of_work import SqlUnitOfWorkFactory
from storage.weekly.models import WeeklyReportRow, WeeklySourceRow

TARGET_RATIO, TARGET_SECONDS, RUNS = 1.3, 1.0, 7
QUESTIONS = ["What did you do yesterday?", "What will you do today?", "Any blockers?"]
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # Friday 16:00 in Berlin


def seed(factory: sessionmaker[Session], team: str, people: int, weeks: int) -> None:
    """`team`'s channel CTEAM: its daily, retros and report, over `weeks` weeks."""
    rng = random.Random(weeks)
    first = date(2026, 11, 30) - timedelta(weeks=weeks - 1)
    with factory() as session:
        start = datetime.combine(first, time(0), UTC)
        daily = Daily(
            team_id=team,
            channel_id="CTEAM",
            owner_id="U00000",
            prompt_time=time(10),
            weekdays=frozenset(range(5)),
            questions=QUESTIONS,
            country=None,
            paused=False,
            created_at=start,
        )
        session.add(daily)
        session.flush()
        users = [f"U{i:05d}" for i in range(people)]
        session.add_all(
            Participant(
                team_id=team,
                daily_id=daily.id,
                user_id=u,
                tz="Europe/Berlin",
                active=True,
            )
            for u in users
        )
        for day in (first + timedelta(days=d) for d in range(weeks * 7)):
            if day.weekday() >= 5:
                continue
            at = datetime.combine(day, time(9), UTC)
            prompts = [
                Prompt(
                    team_id=team,
                    daily_id=daily.id,
                    user_id=u,
                    local_date=day,
                    status="answered",
                    questions=QUESTIONS,
                    scheduled_at=at,
                    claimed_at=at,
                    sent_at=at,
                    answered_at=at,
                )
                for u in users
            ]
            session.add_all(prompts)
            session.flush()
            session.add_all(
                Answer(
                    team_id=team,
                    prompt_id=p.id,
                    position=k,
                    created_at=at,
                    updated_at=at,
                    text=(
                        "waiting on infra"
                        if k == 2 and rng.random() < 0.1
                        else "no"
                        if k == 2
                        else "work"
                    ),
                )
                for p in prompts
                for k in range(3)
            )
        for week in range(0, weeks, 2):
            held = datetime.combine(first + timedelta(weeks=week, days=3), time(14), UTC)
            retro = Retro(
                team_id=team,
                channel_id="CTEAM",
                title=f"Retro {week}",
                facilitator_id="U00000",
                phase="closed",
                created_at=held,
                closed_at=held + timedelta(hours=1),
            )
            session.add(retro)
            session.flush()
            for k in range(3):
                item = RetroItem(
                    team_id=team,
                    retro_id=retro.id,
                    number=k + 1,
                    kind="improve",
                    text=f"improve {k}",
                    source="thread",
                    created_at=held,
                )
                session.add(item)
                session.flush()
                session.add(
                    RetroAction(
                        team_id=team,
                        retro_id=retro.id,
                        channel_id="CTEAM",
                        item_id=item.id,
                        slot=("quick_win", "most_important", "simplest")[k],
                        position=k,
                        owner_id=users[k],
                        status="done" if week < weeks - 2 else "open",
                        updated_at=held,
                    )
                )
        report = WeeklyReportRow(
            team_id=team,
            channel_id="CTEAM",
            owner_id="U00000",
            tz="Europe/Berlin",
            weekday=4,
            at=time(16),
            recipients=[],
            paused=False,
            broken_told=[],
            created_at=start,
        )
        session.add(report)
        session.flush()
        session.add(WeeklySourceRow(report_id=report.id, channel_id="CTEAM", added_at=start))
        session.commit()


def seed_sent_reports(uow_factory: SqlUnitOfWorkFactory, team: str, weeks: int) -> None:
    """The reports a running bot sent for the chart's earlier weeks (oldest first, each
    reading the ones before it), kept with their content as delivery does."""
    with uow_factory() as uow:
        (row,) = uow.weeklies.reports_of(team)
        this_week = week_of(row, NOW)
        for back in range(min(weeks, TREND_WEEKS) - 1, 0, -1):
            week = this_week.shifted(-back)
            composed = compose(uow, row, week)
            uow.weeklies.add_delivery(
                team_id=team,
                report_id=row.id,
                week=week.label,
                kind="report",
                claimed_at=week.delivery,
                sent_at=week.delivery,
                channel_id="CTEAM",
                ts=f"{week.delivery.timestamp():.6f}",
                late=False,
                content=content_of(composed, False),
            )
            uow.commit()


def build_once(uow_factory: SqlUnitOfWorkFactory, team: str) -> int:
    with uow_factory() as uow:
        (row,) = uow.weeklies.reports_of(team)
        composed = compose(uow, row, week_of(row, NOW))
    return len(composed.trend)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    add_database_argument(parser)
    args = parser.parse_args(argv)
    check_database_url(parser, args.database_url)
    quiet_logs()
    header(
        f"weekly report: {args.people} people, 4 vs 104 weeks of history",
        [
            "compose() of the latest week: every query and rule, no Slack; median of "
            f"{RUNS} runs each, the two histories measured in turn in one run."
        ],
    )
    with scratch_dir() as tmp, fresh_database(args.database_url, tmp) as url:
        # One database, two teams: the same engine and cache serve both histories.
        print(f"database: {describe(url)}")
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        seed(factory, "T4", args.people, 4)
        seed(factory, "T104", args.people, 104)
        uow_factory = SqlUnitOfWorkFactory(factory)
        seed_sent_reports(uow_factory, "T4", 4)
        seed_sent_reports(uow_factory, "T104", 104)
        times: dict[str, list[float]] = {"4 weeks": [], "104 weeks": []}
        teams = {"4 weeks": "T4", "104 weeks": "T104"}
        for _ in range(RUNS):  # interleaved, so the machine's load hits both alike
            for label, team in teams.items():
                _, seconds = timed(lambda t=team: build_once(uow_factory, t))
                times[label].append(seconds)
        engine.dispose()
    for label, values in times.items():
        print(
            f"{label:<10} median {ms(median(values)):>9}  (runs: "
            + ", ".join(ms(v) for v in values)
            + ")"
        )
    ratio = median(times["104 weeks"]) / median(times["4 weeks"])
    worst = median(times["104 weeks"])
    print(
        f"ratio 104/4 weeks: {ratio:.2f} (target <= {TARGET_RATIO}: "
        f"{'ok' if ratio <= TARGET_RATIO else 'ABOVE TARGET'})"
    )
    print(
        f"absolute:          {ms(worst)} (target < {TARGET_SECONDS:.0f} s: "
        f"{'ok' if worst < TARGET_SECONDS else 'ABOVE TARGET'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

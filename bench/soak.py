"""Soak: the day's fan-out (`app.py run-due`) beside `app.py serve` answering slash commands,
round after round, until run-due crashes or the rounds run out (issue 13).

python bench/soak.py [--rounds 10] [--database-url URL] [--participants 300]
                     [--commands 200] [--concurrency 20] [--max-minutes 30]
                     [--slack-limits] [--post-rate 60000] [--logs DIR] [--once]
                     [--racers 1] [--serve-scheduler] [--racer-lead 2] [--stop-on-crash]

Per round: a fresh database (a new SQLite file, or schema ceremony_bench of the PostgreSQL
database recreated), a fresh stand-in Slack and a fresh `serve`; `/daily start` in a channel
of --participants people all due at the same instant, and in a 5-person team channel; then
`run-due --now <that instant>` (PYTHONFAULTHANDLER=1) while --commands `/daily status`
(--concurrency at a time) hit `serve`, starting at the fan-out's first post, and again in
further batches of --commands until run-due ends (--once: one batch only). Checked
afterwards: run-due's exit status (a negative code is the signal that killed it), and that
every due participant was prompted exactly once, both in the database (one prompt row per
person, status sent) and in the stand-in (one bot message in each person's DM).

Racing tickers (what a deployment with cron *and* serve's in-process scheduler does):
--racers K starts K `run-due --now <instant>` processes at the same instant (each
PYTHONFAULTHANDLER=1, each with its own stderr log), so they claim the same prompts at once:
unique-key conflicts (SAVEPOINT rolled back, Conflict), lost compare-and-sets, tracebacks.
--serve-scheduler leaves serve's scheduler on (SCHEDULER_ENABLED=true). It ticks at second 0
of every minute on the real clock, so then the due participants are moved to that minute
boundary (next_prompt_at = the next :00 at least 5 s away, a working day's late prompt) and
the racers start at that boundary, less --racer-lead seconds (default 2: their start-up
time), with --now set to it: serve's tick races them (serve then gets the same --post-rate
pacing as run-due); the round line says how many prompts serve's tick claimed itself. Every
round checks each run-due's exit status and whether serve died before it was stopped;
exactly-once is over everyone who sent.

Speed: by default the stand-in's rate limits are OFF during the fan-out and run-due's own
pacing (SLACK_POST_RATE_PER_MINUTE) is raised to --post-rate, so a 300-person round takes
seconds instead of the ~30 s Slack's 600/min would allow. --slack-limits turns the
stand-in's limits on (and leaves the bot's pacing at its default) for a realistic round.

Environment switches for narrowing down pass through to both subprocesses, e.g.
PSYCOPG_IMPL=python, PYTHONMALLOC=debug; SQLAlchemy 2.1 has no run-time switch for its
Cython modules (DISABLE_SQLALCHEMY_CEXT only applies when building), so to run without them
put a copy of the package without its *.so files first on PYTHONPATH. The SOAK_* switches
of bench/soak_run_due.py (worker threads, GC) make run-due start through that wrapper
instead of app.py.
A crash's faulthandler output is kept in --logs (run-due's and serve's stderr). Prints one
line per round, then "rounds R, run-due processes P, crashes C, serve deaths S". Exit status 1
if any process crashed or someone was prompted not exactly once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from ack import next_prompt_instant
from bursts import TEAM, TEAM_CHANNEL, TEAM_ZONE
from common import (
    ZONES_AT_UTC_PLUS_ONE,
    add_database_argument,
    add_team,
    check_database_url,
    describe,
    fresh_database,
    quiet_logs,
    scratch_dir,
)
from soak_support import (
    describe_exit,
    due_at,
    env_for,
    move_due_to,
    next_minute_boundary,
    prompts_per_user,
    serve_share,
    sleep_until,
    soak_switches,
)

from bot.demo.standin.driver import SlackDriver
from bot.demo.standin.harness import SIGNING_SECRET
from bot.demo.standin.processes import free_port, start_server
from bot.demo.standin.ratelimit import POST_MESSAGE
from bot.demo.standin.server import FakeSlack

BIG_CHANNEL = "CSOAK"
ROOT = Path(__file__).resolve().parents[1]
RUN_DUE_TIMEOUT = 300.0
SEED_TIMEOUT = 300.0


def fire(driver: SlackDriver, count: int, concurrency: int) -> dict[int, int]:
    def one(i: int) -> int:
        try:
            return driver.command(TEAM[i % len(TEAM)], TEAM_CHANNEL, "/daily", "status").status
        except OSError:
            return -1

    statuses: dict[int, int] = {}
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for status in pool.map(one, range(count)):
            statuses[status] = statuses.get(status, 0) + 1
    return statuses


@dataclass(frozen=True)
class Round:
    processes: int  # run-due processes started
    crashes: int  # of them: killed by a signal, or hung past RUN_DUE_TIMEOUT
    serve_died: bool  # serve ended before the round stopped it
    exactly_once: bool
    line: str


def start_serve(env: dict[str, str], port: int, stderr: IO[bytes]) -> subprocess.Popen[bytes]:
    """`app.py serve`, its stderr (faulthandler's dump, if any) to a file, once /healthz answers."""
    return start_server([sys.executable, "app.py", "serve"], env, port, stderr=stderr)


def one_round(number: int, args: argparse.Namespace, logs: Path) -> Round:
    started = time.monotonic()
    with scratch_dir() as tmp, fresh_database(args.database_url, tmp, f"soak{number}") as url:
        fake = FakeSlack(rate_limits=False)
        fake.start()
        serve: subprocess.Popen[bytes] | None = None
        racers: list[subprocess.Popen[bytes]] = []
        stderr_paths = [
            logs / f"round{number:03d}-run-due{i + 1}.stderr" for i in range(args.racers)
        ]
        serve_stderr_path = logs / f"round{number:03d}-serve.stderr"
        with contextlib.ExitStack() as files:
            try:
                for user in TEAM:
                    fake.add_user(user, user[1:].lower(), TEAM_ZONE)
                fake.add_channel(TEAM_CHANNEL, "team", list(TEAM))
                big = add_team(fake, BIG_CHANNEL, args.participants, ZONES_AT_UTC_PLUS_ONE, "US")
                port = free_port()
                pacing = None if args.slack_limits else args.post_rate
                serve_env = env_for(
                    fake,
                    url,
                    port,
                    pacing if args.serve_scheduler else None,
                    scheduler=args.serve_scheduler,
                )
                serve = start_serve(
                    serve_env, port, files.enter_context(serve_stderr_path.open("wb"))
                )
                driver = SlackDriver(fake, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
                for owner, channel in ((TEAM[0], TEAM_CHANNEL), (big[0], BIG_CHANNEL)):
                    driver.command(owner, channel, "/daily", "start")
                    fake.wait_for(
                        lambda c=channel: fake.messages(c), timeout=SEED_TIMEOUT, interval=0.1
                    )
                now = next_prompt_instant(datetime.now(UTC))
                due = due_at(url, now)
                if len(due) < args.participants:
                    raise RuntimeError(f"only {len(due)} participants due at {now.isoformat()}")
                if args.serve_scheduler:
                    # serve ticks on the real clock at second 0: make everyone due then.
                    now = next_minute_boundary()
                    move_due_to(url, due, now)
                    due = due_at(url, now)
                seeded = time.monotonic() - started

                fake.reset_records()
                fake.rate_limits = args.slack_limits
                entry = ["bench/soak_run_due.py"] if soak_switches() else ["app.py", "run-due"]
                racer_env = env_for(fake, url, 3000, pacing)
                stderrs = [files.enter_context(path.open("wb")) for path in stderr_paths]
                if args.serve_scheduler:
                    # A run-due takes ~2 s to import and connect: --racer-lead seconds early,
                    # their first claims meet serve's tick at second 0 instead of its tail.
                    sleep_until(now - timedelta(seconds=args.racer_lead))
                for stderr in stderrs:  # back to back: all start within a few milliseconds
                    racers.append(
                        subprocess.Popen(
                            [sys.executable, *entry, "--now", now.isoformat()],
                            env=racer_env,
                            cwd=ROOT,
                            stdout=subprocess.PIPE,
                            stderr=stderr,
                        )
                    )

                def all_ended() -> bool:
                    return all(r.poll() is not None for r in racers)

                # Commands while the fan-out is under way, not before it starts.
                with contextlib.suppress(TimeoutError):
                    fake.wait_for(
                        lambda: fake.calls_to(POST_MESSAGE) or all_ended(),
                        timeout=120,
                        interval=0.02,
                    )
                # --commands at least once; more batches while the fan-out goes on, so the
                # acknowledgements overlap all of it (bounded by RUN_DUE_TIMEOUT).
                statuses: dict[int, int] = {}
                fire_until = time.monotonic() + RUN_DUE_TIMEOUT
                while True:
                    for status, n in fire(driver, args.commands, args.concurrency).items():
                        statuses[status] = statuses.get(status, 0) + n
                    if not args.keep_firing or all_ended() or time.monotonic() > fire_until:
                        break
                posts_when_acks_done = len(fake.calls_to(POST_MESSAGE))
                codes: list[int | None] = []
                outs: list[str] = []
                wait_until = time.monotonic() + RUN_DUE_TIMEOUT
                for racer in racers:
                    try:
                        left = max(1.0, wait_until - time.monotonic())
                        out = racer.communicate(timeout=left)[0].decode(errors="replace")
                        codes.append(racer.returncode)
                    except subprocess.TimeoutExpired:
                        racer.kill()
                        out = racer.communicate()[0].decode(errors="replace")
                        codes.append(None)
                    outs.append(out)
                if args.serve_scheduler:
                    # serve's own tick may still be sending: wait until nobody is left unsent.
                    with contextlib.suppress(TimeoutError):
                        fake.wait_for(
                            lambda: (
                                sum(1 for u in set(due.values()) if bot_dms(fake, u)) >= len(due)
                                or serve.poll() is not None
                            ),
                            timeout=RUN_DUE_TIMEOUT,
                            interval=0.2,
                        )
                    time.sleep(1.0)  # and a moment for a second, double post to show up
                serve_code = serve.poll()  # None: still alive, as it should be
                fake.rate_limits = False
                users = set(due.values())
                total, sent = prompts_per_user(url, users)
                dms = {u: bot_dms(fake, u) for u in users}
                not_once_db = sum(1 for u in users if total[u] != 1 or sent[u] != 1)
                not_once_dm = sum(1 for u in users if dms[u] != 1)
                share = serve_share(args, url, now)
            finally:
                for racer in racers:
                    if racer.poll() is None:
                        racer.kill()
                        racer.wait()
                if serve is not None:
                    if serve.poll() is None:
                        serve.terminate()
                    try:
                        serve.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        serve.kill()
                        serve.wait()
                fake.stop()
    crashes = sum(1 for code in codes if code is None or code < 0)
    serve_died = serve_code is not None
    ok = not_once_db == 0 and not_once_dm == 0
    kept = []
    for path, code in zip(stderr_paths, codes, strict=True):
        if (code is None or code < 0) or not ok:
            kept.append(str(path))
        else:
            path.unlink(missing_ok=True)
    if serve_died or not ok:
        kept.append(str(serve_stderr_path))
    else:
        serve_stderr_path.unlink(missing_ok=True)
    summaries = []
    for out in outs:
        lines = out.strip().splitlines()
        summary = lines[-1] if lines else "(no output)"
        if len(lines) > 1 and lines[0].startswith("soak_run_due:"):
            summary = f"{lines[0]}; {summary}"
        summaries.append(summary)
    acks = ",".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
    exits = ", ".join(describe_exit(code) for code in codes)
    line = (
        f"round {number}: run-due×{len(codes)} [{exits}]; serve "
        f"{describe_exit(serve_code) if serve_died else 'alive'}"
        f"{share}; due {len(due)}, "
        f"prompt rows sent {sum(sent.values())}, DMs {sum(dms.values())}, "
        f"not exactly once: db {not_once_db} / slack {not_once_dm}; "
        f"acks [{acks}] (fan-out at {posts_when_acks_done} posts when they ended); "
        f"seed {seeded:.1f} s, round {time.monotonic() - started:.1f} s; "
        + " | ".join(f"[{s}]" for s in summaries)
    )
    if kept:
        line += f"; stderr kept in {', '.join(kept)}"
    return Round(len(codes), crashes, serve_died, ok, line)


def bot_dms(fake: FakeSlack, user: str) -> int:
    return sum(1 for m in fake.dm_messages(user) if m.get("bot_id"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--max-minutes", type=float, default=30.0, help="stop after this long")
    parser.add_argument("--slack-limits", action="store_true", help="stand-in rate limits on")
    parser.add_argument("--post-rate", type=int, default=60000, help="run-due's pacing, per min")
    parser.add_argument(
        "--logs", type=Path, default=Path(tempfile.gettempdir()) / "ceremony-soak-logs"
    )
    parser.add_argument("--stop-on-crash", action="store_true")
    parser.add_argument(
        "--racers", type=int, default=1, help="run-due processes started at once per round"
    )
    parser.add_argument(
        "--serve-scheduler",
        action="store_true",
        help="serve's in-process scheduler on; racers start at its tick (second 0)",
    )
    parser.add_argument(
        "--racer-lead",
        type=float,
        default=2.0,
        help="with --serve-scheduler: start the racers this many seconds before second 0 "
        "(their start-up time), still with --now at second 0",
    )
    parser.add_argument(
        "--once",
        dest="keep_firing",
        action="store_false",
        help="send --commands once only (default: batches of them until run-due ends)",
    )
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if min(args.rounds, args.participants, args.concurrency, args.racers) < 1 or args.commands < 0:
        parser.error("--rounds, --participants, --concurrency and --racers must be at least 1")
    check_database_url(parser, args.database_url)
    quiet_logs()
    args.logs.mkdir(parents=True, exist_ok=True)
    target = describe(args.database_url) if args.database_url else "a temporary SQLite file"
    from sqlalchemy.util._has_cython import HAS_CYEXTENSION

    names = ("PSYCOPG_IMPL", "PYTHONMALLOC")
    switches = {
        "sqlalchemy cython": HAS_CYEXTENSION,  # off: a copy without the .so first on PYTHONPATH
        **{k: os.environ[k] for k in names if k in os.environ},
        **soak_switches(),
    }
    print(
        f"soak: {args.rounds} rounds on {target}; {args.participants} due at once, "
        f"{args.commands} × /daily status ({args.concurrency} at a time); "
        f"stand-in limits {'on' if args.slack_limits else 'off'}; {args.racers} run-due at once; "
        f"serve's scheduler {'on' if args.serve_scheduler else 'off'}; switches {switches}",
        flush=True,
    )
    deadline = time.monotonic() + args.max_minutes * 60
    rounds = processes = crashes = serve_deaths = wrong = 0
    for number in range(1, args.rounds + 1):
        if time.monotonic() > deadline:
            print(f"stopping: --max-minutes {args.max_minutes:g} reached")
            break
        result = one_round(number, args, args.logs)
        rounds += 1
        processes += result.processes
        crashes += result.crashes
        serve_deaths += result.serve_died
        wrong += not result.exactly_once
        print(result.line, flush=True)
        if (result.crashes or result.serve_died) and args.stop_on_crash:
            break
    print(
        f"rounds {rounds}, run-due processes {processes}, crashes {crashes}, "
        f"serve deaths {serve_deaths}" + (f", not exactly once {wrong}" if wrong else "")
    )
    return 1 if crashes or serve_deaths or wrong else 0


if __name__ == "__main__":
    threading.current_thread().name = "soak"
    sys.exit(main())

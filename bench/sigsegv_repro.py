"""Issue 13 without the bot: does a run-due-like fan-out crash CPython 3.11 with SIGSEGV?

python bench/sigsegv_repro.py [--python PY ...] [--runs 50] [--variant full] [--jobs 1]
                              [--database-url URL] [--max-minutes 20]
python bench/sigsegv_repro.py --list-variants

Needs only SQLAlchemy 2.x and psycopg 3 (not the bot, which no longer imports on 3.11), e.g.
  /root/.pyenv/versions/3.11.7/bin/python3.11 -m venv /tmp/v311-seg
  /tmp/v311-seg/bin/pip install "sqlalchemy==2.1.*" "psycopg[binary]==3.3.*"
and the same for 3.12; pass each venv's python with --python.

Each run is a fresh child process (PYTHONFAULTHANDLER=1, gc.set_threshold low) doing what
run-due's fan-out does, bare: WORKERS threads, each with its own Session per participant
(session.get of a participant and its daily, attribute changes, commit, a POST to a stand-in
Slack over HTTP on 127.0.0.1). A negative return code is the signal that killed the child.
Prints runs and crashes per interpreter and variant. The variants take pieces away, so the
smallest one that still crashes names the mechanism:

  full      PostgreSQL (psycopg), ORM sessions, 8 threads, HTTP posts
  nohttp    full without the HTTP posts
  sqlite    nohttp on SQLite (the stdlib's sqlite3) instead of PostgreSQL
  core      nohttp with Core (connection.execute) instead of the ORM: no InstanceState, no
            identity-map weakref callbacks
  onethread nohttp with one worker thread
  nocycle   nohttp, every Session closed and nothing left to the collector
  hamt      the mechanism of python/cpython#148891 in pure Python, no database: a weakref
            callback that sets a ContextVar while ContextVar.set allocates HAMT nodes

Apart from nocycle and core, each worker also drops neighbours it loaded, each in a reference
cycle of its own, while their session lives: as in run-due, the collector then calls
SQLAlchemy's InstanceState._cleanup (a weakref callback) and the remove callback of
sqlalchemy.orm.session._sessions (a WeakValueDictionary) from whatever allocation set it off.
Those two are the only Python code a 3.11 run-due runs inside a collection (traced with
gc.callbacks and sys.setprofile in a soak round).

The PostgreSQL variants use --database-url (default: database sigsegv on 127.0.0.1) and a
schema sigsegv_repro_<pid>_<slot> per place in --jobs, dropped first and at the end. Stops after
--max-minutes. Crashed children's stderr (faulthandler) stays in --keep-logs.

What it showed (December 2026, 2 shared cores, gc threshold 50, 10 rounds of 300 = 3,000
prompts per child unless said):
  full       3.11.7: 37 runs, 0 crashes    3.12.1: 36 runs, 0 crashes   (~110,000 prompts each)
  nohttp, sqlite, core, onethread, nocycle (5 rounds): 3.11.7: 8 runs each, 0 crashes
  nohttp at thresholds 1, 10, 50 (3 rounds): 3.11.7: 6 runs each, 0 crashes
  hamt (1 round = 100,000 sets)  3.11.7: 22 of 64 runs crashed    3.12.1: 0 of 60
The bot itself crashed about 1 run-due in 100-240, i.e. about once per 30,000-72,000 prompts,
so at the bot's rate full would have crashed 1-4 times on 3.11: the bare fan-out does not
reproduce issue 13. And #148891 does not apply to the bot: a run-due calls PyContextVar_Set
(and _PyHamt_Assoc) exactly once, in _decimal's first context, as psycopg's C module is
imported in the main thread, never inside a collection (gdb breakpoints, one and three racing
run-dues); no Python code in it calls ContextVar.set or reset. Its crash also looks different:
it dies inside ContextVar.set, not in the collector.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    create_engine,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/sigsegv"
SCHEMA = "sigsegv_repro"
PARTICIPANTS = 300


class Base(DeclarativeBase):
    pass


class Daily(Base):
    __tablename__ = "dailies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    questions: Mapped[str] = mapped_column(String(400))


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    daily_id: Mapped[int] = mapped_column(ForeignKey("dailies.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    next_prompt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))


class Prompt(Base):
    __tablename__ = "prompts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    day: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    message_ts: Mapped[str | None] = mapped_column(String(32))


VARIANTS = {
    # name: (database, orm, workers, http, leave garbage cycles to the collector)
    "full": ("pg", True, 8, True, True),
    "nohttp": ("pg", True, 8, False, True),
    "sqlite": ("sqlite", True, 8, False, True),
    "core": ("pg", False, 8, False, True),
    "onethread": ("pg", True, 1, False, True),
    "nocycle": ("pg", True, 8, False, False),
    "hamt": (None, False, 1, False, True),
}


# ---------------------------------------------------------------- the child: one fan-out


def child(variant: str, url: str, port: int, rounds: int, threshold: int, schema: str) -> None:
    import gc

    gc.set_threshold(threshold)
    if variant == "hamt":
        hamt_child(rounds)
        return
    database, orm, workers, http, cycles = VARIANTS[variant]
    engine, models = setup_database(database, url, schema)
    post = make_poster(port) if http else None
    for day in range(rounds):
        ids = list(range(1, PARTICIPANTS + 1))
        chunks = [ids[i::workers] for i in range(workers)]
        work = orm_worker if orm else core_worker
        threads = [
            threading.Thread(target=guarded, args=(work, engine, models, chunk, day, post, cycles))
            for chunk in chunks
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    engine.dispose()
    if ERRORS:
        sys.exit(3)  # a worker raised (its traceback is on stderr): not a crash, not a pass


ERRORS: list[BaseException] = []


def guarded(work: Any, *args: Any) -> None:
    try:
        work(*args)
    except BaseException as error:
        ERRORS.append(error)
        raise


def setup_database(database: str, url: str, schema: str) -> tuple[Engine, tuple[type[Base], ...]]:
    if database == "sqlite":
        path = f"/tmp/sigsegv_repro_{os.getpid()}.sqlite"
        engine = create_engine(f"sqlite:///{path}", pool_size=10)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=30)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET search_path TO {schema}")
            dbapi_connection.commit()

    Base.metadata.create_all(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Daily), [{"id": 1, "channel_id": "C1", "questions": "yesterday|today|blockers"}]
        )
        connection.execute(
            insert(Participant),
            [
                {
                    "id": i,
                    "daily_id": 1,
                    "user_id": f"U{i}",
                    "tz": "Europe/Paris",
                    "next_prompt_at": now,
                }
                for i in range(1, PARTICIPANTS + 1)
            ],
        )
    return engine, (Daily, Participant, Prompt)


def orm_worker(engine, models, ids, day, post, cycles) -> None:
    daily_cls, participant_cls, prompt_cls = models
    for pid in ids:
        session = Session(engine, expire_on_commit=False)
        participant = session.get(participant_cls, pid)
        daily = session.get(daily_cls, participant.daily_id)
        if cycles:
            # Neighbours loaded and dropped while the session lives, each in a reference cycle
            # of its own: the collector finds them, their InstanceState is still held by the
            # identity map, so it calls InstanceState._cleanup (a weakref callback) at whatever
            # allocation triggered the collection, in whichever thread.
            for other in session.scalars(
                select(participant_cls).where(participant_cls.id.between(pid - 3, pid + 3))
            ):
                other.scratch = [other]
            del other
        if daily.paused or not participant.active:
            continue
        prompt = prompt_cls(participant_id=pid, day=day, status="claimed")
        session.add(prompt)
        participant.next_prompt_at = None
        session.commit()
        text = f"{daily.questions.split('|')[0]}? ({participant.user_id}, {participant.tz})"
        ts = post(participant.user_id, text) if post else f"{pid}.{day}"
        prompt.status = "sent"
        prompt.message_ts = ts
        participant.dm_channel_id = f"D{pid}"
        session.commit()
        if cycles:
            # As a unit of work that ends without close(): the objects, their states and the
            # session are left to the collector (InstanceState._cleanup weakref callbacks).
            participant.dm_channel_id = "D0"  # modified: the state holds it strongly
            del session, participant, daily, prompt
        else:
            session.close()


def core_worker(engine, models, ids, day, post, cycles) -> None:
    daily_cls, participant_cls, prompt_cls = models
    participants = participant_cls.__table__
    dailies = daily_cls.__table__
    prompts = prompt_cls.__table__
    for pid in ids:
        with engine.begin() as connection:
            participant = connection.execute(
                select(participants).where(participants.c.id == pid)
            ).one()
            daily = connection.execute(
                select(dailies).where(dailies.c.id == participant.daily_id)
            ).one()
            prompt_id = connection.execute(
                insert(prompts)
                .values(participant_id=pid, day=day, status="claimed")
                .returning(prompts.c.id)
            ).scalar_one()
            connection.execute(
                update(participants).where(participants.c.id == pid).values(next_prompt_at=None)
            )
        ts = post(participant.user_id, daily.questions) if post else f"{pid}.{day}"
        with engine.begin() as connection:
            connection.execute(
                update(prompts)
                .where(prompts.c.id == prompt_id)
                .values(status="sent", message_ts=ts)
            )


def make_poster(port: int):
    import urllib.request

    def post(user: str, text: str) -> str:
        body = json.dumps({"channel": user, "text": text}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/chat.postMessage",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["ts"]

    return post


def hamt_child(rounds: int) -> None:
    """python/cpython#148891's mechanism: the collector runs inside _PyHamt_Assoc (3.11 may
    collect at any GC allocation, 3.12 only at the eval breaker), and a weakref callback of
    the garbage calls ContextVar.set, which frees the HAMT the outer set is still copying."""
    import contextvars
    import weakref

    var = contextvars.ContextVar("from_callback")
    pads = [contextvars.ContextVar(f"pad{i}") for i in range(64)]
    for pad in pads:
        pad.set(object())  # a HAMT several levels deep
    refs: set[weakref.ref[object]] = set()

    def callback(ref: weakref.ref[object]) -> None:
        refs.discard(ref)
        var.set(object())

    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector frees it, and then calls back

    for i in range(rounds * 100_000):
        node = Node()
        refs.add(weakref.ref(node, callback))
        del node
        pads[i % 64].set(i)


# ---------------------------------------------------------------- the stand-in Slack


class Slack(BaseHTTPRequestHandler):
    counter = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        with Slack.lock:
            Slack.counter += 1
            ts = f"{time.time():.6f}{Slack.counter}"
        body = json.dumps({"ok": True, "ts": ts}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


# ---------------------------------------------------------------- the parent: runs, counts


def drop_schemas(url: str, jobs: int) -> None:
    """The children's schemas (one per place in --jobs, reused run after run)."""
    try:
        engine = create_engine(url)
        with engine.begin() as connection:
            for slot in range(jobs):
                connection.execute(
                    text(f"DROP SCHEMA IF EXISTS {SCHEMA}_{os.getpid()}_{slot} CASCADE")
                )
        engine.dispose()
    except Exception as error:  # a run without PostgreSQL (sqlite, hamt) needs none
        print(f"(schemas not dropped: {error.__class__.__name__})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", help="interpreter(s) (default: this one)")
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS))
    parser.add_argument("--runs", type=int, default=50, help="child processes per interpreter")
    parser.add_argument("--rounds", type=int, default=3, help="fan-outs per child")
    parser.add_argument("--gc-threshold", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=1, help="children at once (2 cores!)")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--max-minutes", type=float, default=20.0)
    parser.add_argument("--keep-logs", default="/tmp/sigsegv_repro_logs")
    parser.add_argument("--list-variants", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--schema", default=SCHEMA, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.list_variants:
        for name, spec in VARIANTS.items():
            print(name, spec)
        return 0
    if args.child:
        child(args.child, args.database_url, args.port, args.rounds, args.gc_threshold, args.schema)
        return 0
    pythons = args.python or [sys.executable]
    variants = args.variant or ["full"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.makedirs(args.keep_logs, exist_ok=True)
    deadline = time.monotonic() + args.max_minutes * 60
    results: dict[tuple[str, str], list[int]] = {}
    for variant in variants:
        for python in pythons:
            counts = results.setdefault((python, variant), [0, 0, 0])  # runs, crashes, other
            running: list[tuple[subprocess.Popen[bytes], str, int]] = []
            started = 0
            while (started < args.runs or running) and time.monotonic() < deadline:
                while started < args.runs and len(running) < args.jobs:
                    slot = min(set(range(args.jobs)) - {r[2] for r in running})
                    name = f"{variant}-py{pythons.index(python)}-{started}-{os.getpid()}.err"
                    log = os.path.join(args.keep_logs, name)
                    command = [
                        python,
                        __file__,
                        "--child",
                        variant,
                        "--rounds",
                        str(args.rounds),
                        "--gc-threshold",
                        str(args.gc_threshold),
                        "--database-url",
                        args.database_url,
                        "--port",
                        str(server.server_address[1]),
                        "--schema",
                        f"{SCHEMA}_{os.getpid()}_{slot}",
                    ]
                    env = dict(os.environ, PYTHONFAULTHANDLER="1")
                    with open(log, "wb") as stderr:
                        process = subprocess.Popen(command, stderr=stderr, env=env)
                    running.append((process, log, slot))
                    started += 1
                for entry in list(running):
                    process, log, _slot = entry
                    code = process.poll()
                    if code is None:
                        continue
                    running.remove(entry)
                    counts[0] += 1
                    if code < 0:
                        counts[1] += 1
                        print(
                            f"  {variant} {python}: run {counts[0]} killed by signal "
                            f"{-code}, faulthandler in {log}",
                            flush=True,
                        )
                    elif code != 0:
                        counts[2] += 1
                        print(
                            f"  {variant} {python}: run {counts[0]} exit {code}, see {log}",
                            flush=True,
                        )
                    else:
                        os.unlink(log)
                time.sleep(0.05)
            for process, log, _slot in running:  # out of time: neither a pass nor a crash
                process.kill()
                process.wait()
                os.unlink(log)
            print(
                f"{variant} {python}: runs {counts[0]}, crashes {counts[1]}, "
                f"other failures {counts[2]}",
                flush=True,
            )
    server.shutdown()
    drop_schemas(args.database_url, args.jobs)
    print("== summary")
    for (python, variant), (runs, crashes, other) in results.items():
        print(f"{variant:10s} {python}: runs {runs}, crashes {crashes}, other failures {other}")
    return 1 if any(c[1] for c in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

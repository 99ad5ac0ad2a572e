"""Engine construction: SQLite tuned for one host with many threads, or PostgreSQL."""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


_HANDED_OVER = -1  # the turn given to a waiter that has not woken yet


class WriterQueue:
    """This process's threads in line for SQLite's one writer, urgent ones first.

    SQLite makes a writer that finds the database locked sleep and poll (1, 2, 5 … 100 ms),
    so under a burst a thread can lose the race again and again while the lock is mostly
    free. Queueing here hands the turn to the next thread the moment a transaction ends, and
    lets an inbox receipt — a person waiting for the ack — go before leftover work. Other
    processes (a cron run-due) still meet SQLite's own busy handling.

    The turn is handed to one waiter, first come first served (urgent ones first): waking
    every waiter to let one through (a condition's notify_all) cost a fan-out's eight
    workers seven needless wake-ups per transaction, each taking the interpreter lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._urgent: deque[threading.Lock] = deque()
        self._others: deque[threading.Lock] = deque()
        self._local = threading.local()

    @contextmanager
    def urgently(self) -> Iterator[None]:
        """Transactions this thread begins inside the block go before the others waiting."""
        self._local.urgent = True
        try:
            yield
        finally:
            self._local.urgent = False

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._lock:
            if self._owner == me:  # the same thread again: SQLite would refuse it anyway
                self._depth += 1
                return
            if self._owner is None:
                self._owner, self._depth = me, 1
                return
            turn = threading.Lock()
            turn.acquire()
            urgent = getattr(self._local, "urgent", False)
            (self._urgent if urgent else self._others).append(turn)
        turn.acquire()  # released by `release` when it is this thread's turn
        with self._lock:
            self._owner = me

    def release(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth > 0:
                return
            line = self._urgent or self._others
            if line:
                self._owner, self._depth = _HANDED_OVER, 1
                line.popleft().release()
            else:
                self._owner, self._depth = None, 0


_QUEUES: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The queue in front of a SQLite engine's writer; None for PostgreSQL (it has no need)."""
    return _QUEUES.get(engine)


def _tune_sqlite(engine: Engine) -> None:
    queue = _QUEUES[engine] = WriterQueue()

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A deferred transaction that later writes fails at once with SQLITE_BUSY under
        # concurrent writers; taking the write lock up front makes writers queue instead.
        queue.acquire()
        connection.info["in_line"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _leave(connection)
            raise

    def _leave(connection: Any) -> None:
        if connection.info.pop("in_line", False):
            queue.release()

    def _end(connection: Any, statement: str) -> None:
        # Ended here, on the driver's connection, so the next in line begins only once
        # SQLite has let go; SQLAlchemy's own commit/rollback then finds nothing to end.
        try:
            raw = connection.connection.dbapi_connection
            if raw is not None and raw.in_transaction:
                raw.execute(statement)
        finally:
            _leave(connection)

    @event.listens_for(engine, "commit")
    def on_commit(connection: Any) -> None:
        _end(connection, "COMMIT")

    @event.listens_for(engine, "rollback")
    def on_rollback(connection: Any) -> None:
        _end(connection, "ROLLBACK")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)

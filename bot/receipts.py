"""Receipts of requests, stored together before their acks: one writer thread, one
transaction per batch (a group commit); the same thread records, in batches, that their
work has ended."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot import metrics
from ceremonies.core.ports import Clock

log = logging.getLogger(__name__)


@dataclass
class Receipt:
    """One request waiting for its row: what to store, and then its id (or why not)."""

    team_id: str
    kind: str
    key: str
    body: dict[str, Any]
    entry_id: int | None = None
    error: BaseException | None = None
    # Told once the row is stored or could not be, through a SimpleQueue (written in C):
    # an Event, whose condition variable is made and waited on in Python for every stored
    # request, cost ~10 times more.
    _told: queue.SimpleQueue[None] = field(default_factory=queue.SimpleQueue, repr=False)

    def tell(self) -> None:
        self._told.put(None)

    def wait(self) -> None:
        self._told.get()


class Connection(Protocol):
    """What the writer needs of a database connection (SQLAlchemy's Connection has it)."""

    def begin(self) -> contextlib.AbstractContextManager[Any]: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class End:
    """A request's work has ended: its row is done (with why, for one that could not be read)."""

    entry_id: int
    rejected: str | None = None


Store = Callable[[Any, list[Receipt], datetime], list[int | None]]
Finish = Callable[[Any, list[End], datetime], None]


class Closed(Exception):
    """The writer was closed (the bot is stopping): the request is not acked, Slack retries."""


_STOP = object()


@dataclass
class _Taken:
    """What the writer took off its queue in one go."""

    receipts: list[Receipt] = field(default_factory=list)
    ends: list[End] = field(default_factory=list)
    flushes: list[threading.Event] = field(default_factory=list)  # set once ends are written
    stopping: bool = False


class ReceiptWriter:
    """Stores the receipts of concurrent requests together: one thread, one transaction.

    Under a burst every request thread used to run its own short transaction, and each one
    waited for the others (SQLite has one writer; PostgreSQL one commit each) while sharing
    the interpreter with them. One writer thread taking whatever has queued up meanwhile
    commits them all at once (a group commit), so an ack waits for at most about one batch.

    The end of each request's work is recorded by the same thread, many in one statement
    (those of up to ENDS_EVERY seconds), after the receipts waiting beside them: nobody
    waits for it, and a unit of work of its own per request cost about as much as the
    request's work. An end not yet written when
    the process dies leaves its row unfinished, and a later tick takes the request again,
    which changes nothing (the services are written to be taken twice).
    """

    MAX_BATCH = 100
    MAX_ENDS = 1000
    # Ends wait this long for others to be recorded with (nobody waits for them).
    ENDS_EVERY = 0.2  # seconds
    # A connection unused for this long goes back to the pool and a fresh one is checked
    # out (PostgreSQL's pool pings it first), so a connection the server dropped overnight
    # does not fail the first request of the morning.
    IDLE_RECHECK = 30.0  # seconds

    def __init__(
        self,
        store: Store,
        connect: Callable[[], Connection],
        clock: Clock,
        urgently: Callable[[], contextlib.AbstractContextManager[None]],
        finish: Finish | None = None,
    ) -> None:
        self._store, self._connect, self._clock = store, connect, clock
        self._urgently = urgently
        self._finish = finish
        self._queue: queue.SimpleQueue[Receipt | End | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        self._closed = False

    def receive(self, receipt: Receipt) -> int | None:
        with metrics.INBOX_WAIT_SECONDS.time():
            self._put(receipt)
            receipt.wait()
        if receipt.error is not None:
            raise receipt.error
        return receipt.entry_id

    def ended(self, end: End) -> None:
        """Records, soon and without waiting, that a request's work has ended."""
        if self._finish is None:
            raise RuntimeError("this writer records no ends")
        self._put(end)

    def flush(self, timeout: float) -> bool:
        """Waits until the ends queued so far are written; False if `timeout` came first.

        A tick replaying unfinished rows flushes first: otherwise it could take again a
        request this process has finished but not yet recorded (a demo's or a test's clock
        jumps past the lease in an instant)."""
        if self._finish is None or self._thread is None:
            return True
        flushed = threading.Event()
        try:
            self._put(flushed)
        except Closed:
            return True  # closing writes everything queued
        return flushed.wait(timeout)

    def close(self, timeout: float) -> bool:
        """Writes what is queued, then stops; False if that took longer than `timeout`."""
        with self._starting:
            if self._closed:
                return True
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(_STOP)  # after it, nothing more is queued
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _put(self, item: Receipt | End | threading.Event) -> None:
        with self._starting:
            if self._closed:
                raise Closed("the inbox is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="inbox", daemon=True)
                self._thread.start()
            self._queue.put(item)

    def _run(self) -> None:
        # One connection for the thread's life, a transaction per batch: a Session and a
        # pool checkout for every batch cost more than storing it.
        connection: Connection | None = None
        used = 0.0
        ends: list[End] = []
        ends_since = 0.0
        stopping = False
        while not stopping:
            wait = None if not ends else max(0.0, ends_since + self.ENDS_EVERY - time.monotonic())
            taken = self._take(wait)
            stopping = taken.stopping
            if taken.ends and not ends:
                ends_since = time.monotonic()
            ends += taken.ends
            if connection is not None and time.monotonic() - used > self.IDLE_RECHECK:
                connection = self._close(connection)
            if taken.receipts:
                metrics.INBOX_BATCH_RECEIPTS.observe(len(taken.receipts))
                with metrics.INBOX_BATCH_SECONDS.time():
                    connection = self._write(taken.receipts, connection)
            due = time.monotonic() - ends_since >= self.ENDS_EVERY
            write_ends = stopping or bool(taken.flushes) or due or len(ends) >= self.MAX_ENDS
            if ends and write_ends:
                connection = self._write_ends(ends, connection)
                ends = []
            for flushed in taken.flushes:
                flushed.set()
            used = time.monotonic()
        if connection is not None:
            self._close(connection)

    def _take(self, wait: float | None) -> _Taken:
        """What queues up within `wait` seconds (None: until something does), at most a
        batch of receipts."""
        taken = _Taken()
        try:
            item = self._queue.get(timeout=wait)
        except queue.Empty:
            return taken
        while True:
            if item is _STOP:
                taken.stopping = True
                return taken
            if isinstance(item, Receipt):
                taken.receipts.append(item)
            elif isinstance(item, End):
                taken.ends.append(item)
            elif isinstance(item, threading.Event):
                taken.flushes.append(item)
            if len(taken.receipts) >= self.MAX_BATCH or len(taken.ends) >= self.MAX_ENDS:
                return taken
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return taken

    def _write(self, batch: list[Receipt], connection: Connection | None) -> Connection | None:
        """Stores the batch in one transaction; the connection to use next (None after a
        failure, so a broken one is not used again)."""
        now = self._clock.now()
        try:
            if connection is None:
                connection = self._connect()
            with self._urgently(), connection.begin():  # commits, or rolls back on error
                ids = self._store(connection, batch, now)
            for receipt, entry_id in zip(batch, ids, strict=True):
                receipt.entry_id = entry_id
            metrics.INBOX_STORED.inc(len(batch))
        except BaseException as error:  # the requests are not acked: Slack sends them again
            for receipt in batch:
                receipt.error = error
            connection = self._close(connection) if connection is not None else None
        finally:
            for receipt in batch:
                receipt.tell()
        return connection

    def _write_ends(self, ends: list[End], connection: Connection | None) -> Connection | None:
        """Records the ends in one transaction, after the receipts (no one waits for them);
        on failure the rows stay unfinished and a later tick takes them again."""
        assert self._finish is not None
        try:
            if connection is None:
                connection = self._connect()
            with connection.begin():
                self._finish(connection, ends, self._clock.now())
        except Exception as error:
            log.warning("could not record the end of %d inbox entries: %s", len(ends), error)
            connection = self._close(connection) if connection is not None else None
        return connection

    @staticmethod
    def _close(connection: Connection) -> None:
        with contextlib.suppress(Exception):  # a connection that is gone is gone
            connection.close()
        return None

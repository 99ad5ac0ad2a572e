"""Receipts of requests, stored together before their acks: one writer thread, one
transaction per batch (a group commit)."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot import metrics
from ceremonies.core.ports import Clock


@dataclass
class Receipt:
    """One request waiting for its row: what to store, and then its id (or why not)."""

    team_id: str
    kind: str
    key: str
    body: dict[str, Any]
    stored: threading.Event = field(default_factory=threading.Event)
    entry_id: int | None = None
    error: BaseException | None = None


class Connection(Protocol):
    """What the writer needs of a database connection (SQLAlchemy's Connection has it)."""

    def begin(self) -> contextlib.AbstractContextManager[Any]: ...
    def close(self) -> None: ...


Store = Callable[[Any, list[Receipt], datetime], list[int | None]]


class ReceiptWriter:
    """Stores the receipts of concurrent requests together: one thread, one transaction.

    Under a burst every request thread used to run its own short transaction, and each one
    waited for the others (SQLite has one writer; PostgreSQL one commit each) while sharing
    the interpreter with them. One writer thread taking whatever has queued up meanwhile
    commits them all at once (a group commit), so an ack waits for at most about one batch.
    """

    MAX_BATCH = 100
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
    ) -> None:
        self._store, self._connect, self._clock = store, connect, clock
        self._urgently = urgently
        self._queue: queue.SimpleQueue[Receipt] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def receive(self, receipt: Receipt) -> int | None:
        self._start()
        with metrics.INBOX_WAIT_SECONDS.time():
            self._queue.put(receipt)
            receipt.stored.wait()
        if receipt.error is not None:
            raise receipt.error
        return receipt.entry_id

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="inbox", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        # One connection for the thread's life, a transaction per batch: a Session and a
        # pool checkout for every batch cost more than storing it.
        connection: Connection | None = None
        used = 0.0
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if connection is not None and time.monotonic() - used > self.IDLE_RECHECK:
                connection = self._close(connection)
            metrics.INBOX_BATCH_RECEIPTS.observe(len(batch))
            with metrics.INBOX_BATCH_SECONDS.time():
                connection = self._write(batch, connection)
            used = time.monotonic()

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
                receipt.stored.set()
        return connection

    @staticmethod
    def _close(connection: Connection) -> None:
        with contextlib.suppress(Exception):  # a connection that is gone is gone
            connection.close()
        return None

"""Receipts of requests, stored together before their acks: one transaction per batch (a
group commit), written by the request thread that finds no batch being written."""

from __future__ import annotations

import contextlib
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
    # Set once the row is stored (or failed), or once this request is to write the next batch.
    woken: threading.Event = field(default_factory=threading.Event)
    leads: bool = False
    entry_id: int | None = None
    error: BaseException | None = None


class Connection(Protocol):
    """What the writer needs of a database connection (SQLAlchemy's Connection has it)."""

    def begin(self) -> contextlib.AbstractContextManager[Any]: ...
    def close(self) -> None: ...


class NotStored(RuntimeError):
    """The receipt's batch ended without word of its row: the request must not be acked."""


Store = Callable[[Any, list[Receipt], datetime], list[int | None]]


class ReceiptWriter:
    """Stores the receipts of concurrent requests together, one batch at a time.

    Under a burst every request thread used to run its own short transaction, and each one
    waited for the others (SQLite has one writer; PostgreSQL one commit each) while sharing
    the interpreter with them. Now a request that finds no batch being written writes its
    own receipt at once, in its own thread (no hand-off to another thread and back, which
    under load costs a wait for the interpreter lock each way); those that arrive meanwhile
    wait, and the first of them then writes all of theirs in one transaction (a group
    commit), so an ack waits for at most about one batch.
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
        self._lock = threading.Lock()
        self._writing = False  # a batch is being written: newcomers wait in `_waiting`
        self._waiting: list[Receipt] = []
        # One connection, used by one batch at a time (whichever thread writes it): a
        # Session and a pool checkout for every batch cost more than storing it.
        self._connection: Connection | None = None
        self._used = 0.0

    def receive(self, receipt: Receipt) -> int | None:
        with self._lock:
            leads = not self._writing
            if leads:
                self._writing = True
            else:
                self._waiting.append(receipt)
        if not leads:
            receipt.woken.wait()
        if leads or receipt.leads:
            self._lead(receipt)
        if receipt.error is not None:
            raise receipt.error
        return receipt.entry_id

    def _lead(self, receipt: Receipt) -> None:
        """Writes one batch (this receipt's, with those waiting), then passes the turn on."""
        batch = [receipt]
        try:
            with self._lock:
                if receipt.leads:  # woken for its turn: it is first in line
                    batch = self._waiting[: self.MAX_BATCH]
                    del self._waiting[: self.MAX_BATCH]
            for member in batch:  # nothing is acked unless its row is known to be stored
                member.error = NotStored()
            self._write(batch)
        finally:
            with self._lock:
                following = self._waiting[0] if self._waiting else None
                self._writing = following is not None
                if following is not None:
                    following.leads = True
            if following is not None:  # first, so the next batch starts while these answer
                following.woken.set()
            for other in batch:
                if other is not receipt:
                    other.woken.set()

    def _write(self, batch: list[Receipt]) -> None:
        """Stores the batch in one transaction; a failure fails each of its requests and
        closes the connection, so a broken one is not used again."""
        try:
            now = self._clock.now()
            connection = self._fresh_connection()
            with self._urgently(), connection.begin():  # commits, or rolls back on error
                ids = self._store(connection, batch, now)
            for receipt, entry_id in zip(batch, ids, strict=True):
                receipt.entry_id, receipt.error = entry_id, None
        except BaseException as error:  # the requests are not acked: Slack sends them again
            for receipt in batch:
                receipt.error = error
            if self._connection is not None:
                self._connection = self._close(self._connection)
        else:
            metrics.INBOX_STORED.inc(len(batch))
        finally:
            self._used = time.monotonic()

    def _fresh_connection(self) -> Connection:
        if self._connection is not None and time.monotonic() - self._used > self.IDLE_RECHECK:
            self._connection = self._close(self._connection)
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    @staticmethod
    def _close(connection: Connection) -> None:
        with contextlib.suppress(Exception):  # a connection that is gone is gone
            connection.close()
        return None

"""Receipts of requests, stored together before their acks: one writer thread, one
transaction per batch (a group commit)."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import metrics
from ceremonies.core.ports import Clock, UnitOfWorkFactory


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


class ReceiptWriter:
    """Stores the receipts of concurrent requests together: one thread, one transaction.

    Under a burst every request thread used to run its own short transaction, and each one
    waited for the others (SQLite has one writer; PostgreSQL one commit each) while sharing
    the interpreter with them. One writer thread taking whatever has queued up meanwhile
    commits them all at once (a group commit), so an ack waits for at most about one batch.
    """

    MAX_BATCH = 100

    def __init__(
        self,
        store: Callable[[Any, list[Receipt], datetime], list[int | None]],
        uow_factory: UnitOfWorkFactory[Any],
        clock: Clock,
        urgently: Callable[[], contextlib.AbstractContextManager[None]],
    ) -> None:
        self._store, self._uow_factory, self._clock = store, uow_factory, clock
        self._urgently = urgently
        self._queue: queue.SimpleQueue[Receipt] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def receive(self, receipt: Receipt) -> int | None:
        self._start()
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
        # One unit of work for the thread's life, committed per batch: opening one for
        # every batch cost more than storing it.
        uow: Any = None
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            uow = self._write(batch, uow)

    def _write(self, batch: list[Receipt], uow: Any) -> Any:
        """Stores the batch; the unit of work to use next (None after a failure)."""
        now = self._clock.now()
        try:
            if uow is None:
                uow = self._uow_factory().__enter__()
            with self._urgently():
                ids = self._store(uow, batch, now)
                uow.commit()
            for receipt, entry_id in zip(batch, ids, strict=True):
                receipt.entry_id = entry_id
            metrics.INBOX_STORED.inc(len(batch))
        except BaseException as error:  # the requests are not acked: Slack sends them again
            for receipt in batch:
                receipt.error = error
            if uow is not None:
                uow.__exit__(type(error), error, error.__traceback__)  # rolls back, closes
            uow = None
        finally:
            for receipt in batch:
                receipt.stored.set()
        return uow

"""Receipts of concurrent requests are stored together; a failed batch fails each request."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.receipts import Closed, End, Finish, Receipt, ReceiptWriter


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 12, 1, tzinfo=UTC)


class Transaction:
    committed = 0

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, error_type: Any, *_: Any) -> None:
        if error_type is None:
            Transaction.committed += 1


class Connection:
    """A database connection: one transaction at a time, committed unless it raised."""

    def __init__(self) -> None:
        self.closed = False

    def begin(self) -> Transaction:
        return Transaction()

    def close(self) -> None:
        self.closed = True


def test_many_requests_at_once_share_few_transactions() -> None:
    Transaction.committed = 0
    batches: list[int] = []
    lock = threading.Lock()

    def store(uow: Any, batch: list[Receipt], now: datetime) -> list[int | None]:
        with lock:
            batches.append(len(batch))
        return [int(r.key) for r in batch]

    writer = ReceiptWriter(store, Connection, Clock(), contextlib.nullcontext)
    with ThreadPoolExecutor(40) as pool:
        ids = list(
            pool.map(lambda n: writer.receive(Receipt("T1", "event", str(n), {})), range(400))
        )
    assert ids == list(range(400))
    assert sum(batches) == 400 and Transaction.committed == len(batches) < 400


def test_a_failed_batch_fails_every_request_in_it() -> None:
    Transaction.committed = 0

    def store(uow: Any, batch: list[Receipt], now: datetime) -> list[int | None]:
        raise RuntimeError("the database went away")

    writer = ReceiptWriter(store, Connection, Clock(), contextlib.nullcontext)
    with pytest.raises(RuntimeError, match="went away"):
        writer.receive(Receipt("T1", "event", "1", {}))
    assert Transaction.committed == 0  # rolled back: nothing of it is kept


def test_a_connection_idle_for_long_is_exchanged_for_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[Connection] = []

    def connect() -> Connection:
        opened.append(Connection())
        return opened[-1]

    writer = ReceiptWriter(
        lambda uow, batch, now: [1] * len(batch), connect, Clock(), contextlib.nullcontext
    )
    writer.receive(Receipt("T1", "event", "1", {}))
    monkeypatch.setattr(ReceiptWriter, "IDLE_RECHECK", 0.0)
    writer.receive(Receipt("T1", "event", "2", {}))
    assert len(opened) == 2 and opened[0].closed


def test_batches_share_one_connection_until_one_fails() -> None:
    opened: list[Connection] = []
    failing = {"2"}

    def open_unit() -> Connection:
        opened.append(Connection())
        return opened[-1]

    def store(uow: Any, batch: list[Receipt], now: datetime) -> list[int | None]:
        if any(r.key in failing for r in batch):
            raise RuntimeError("deadlock detected")
        return [int(r.key) for r in batch]

    writer = ReceiptWriter(store, open_unit, Clock(), contextlib.nullcontext)
    assert writer.receive(Receipt("T1", "event", "1", {})) == 1
    assert writer.receive(Receipt("T1", "event", "3", {})) == 3
    assert len(opened) == 1
    with pytest.raises(RuntimeError, match="deadlock"):
        writer.receive(Receipt("T1", "event", "2", {}))
    assert writer.receive(Receipt("T1", "event", "4", {})) == 4
    assert len(opened) == 2 and opened[0].closed  # a failed batch's connection is not used again


def ending_writer(finish: Finish, connect: Callable[[], Connection] = Connection) -> ReceiptWriter:
    """A writer that stores every receipt as row 1 and records ends with `finish`."""
    return ReceiptWriter(
        lambda uow, batch, now: [1] * len(batch),
        connect,
        Clock(),
        contextlib.nullcontext,
        finish=finish,
    )


def test_ends_are_recorded_together_and_all_before_the_writer_stops() -> None:
    recorded: list[list[int]] = []

    def finish(connection: Any, ends: list[End], now: datetime) -> None:
        recorded.append([end.entry_id for end in ends])

    writer = ending_writer(finish)
    assert writer.receive(Receipt("T1", "event", "1", {})) == 1
    for entry_id in range(50):
        writer.ended(End(entry_id))
    assert writer.close(timeout=5)
    assert sorted(entry_id for batch in recorded for entry_id in batch) == list(range(50))
    assert len(recorded) < 50  # many in one statement, not one each


def test_a_flush_returns_once_the_ends_queued_before_it_are_recorded() -> None:
    recorded: list[int] = []

    def finish(connection: Any, ends: list[End], now: datetime) -> None:
        recorded.extend(end.entry_id for end in ends)

    writer = ending_writer(finish)
    writer.ENDS_EVERY = 60.0  # left alone, these ends would wait a minute
    assert writer.flush(timeout=1)  # nothing started yet: nothing to wait for
    writer.ended(End(1))
    writer.ended(End(2))
    assert writer.flush(timeout=5)
    assert recorded == [1, 2]
    assert writer.close(timeout=5)


def test_a_closed_writer_takes_no_receipt_and_the_request_is_not_acked() -> None:
    writer = ending_writer(lambda connection, ends, now: None)
    assert writer.receive(Receipt("T1", "event", "1", {})) == 1
    assert writer.close(timeout=5)
    with pytest.raises(Closed):
        writer.receive(Receipt("T1", "event", "2", {}))
    with pytest.raises(Closed):
        writer.ended(End(1))


def test_ends_that_fail_to_be_recorded_are_logged_and_receipts_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    opened: list[Connection] = []

    def connect() -> Connection:
        opened.append(Connection())
        return opened[-1]

    def finish(connection: Any, ends: list[End], now: datetime) -> None:
        raise RuntimeError("the database went away")

    writer = ending_writer(finish, connect)
    writer.ended(End(7))
    assert writer.close(timeout=5)
    assert "could not record the end of 1 inbox entries" in caplog.text
    assert "Traceback" not in caplog.text
    assert opened and opened[0].closed  # a failed connection is not used again

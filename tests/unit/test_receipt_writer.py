"""Receipts of concurrent requests are stored together; a failed batch fails each request."""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.receipts import Receipt, ReceiptWriter


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
        time.sleep(0.001)  # a commit takes a moment: requests arriving meanwhile wait for it
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


def test_a_request_finding_no_batch_written_writes_its_own_and_the_next_waits_its_turn() -> None:
    writing = threading.Event()
    go_on = threading.Event()
    threads: list[tuple[str, str]] = []

    def store(uow: Any, batch: list[Receipt], now: datetime) -> list[int | None]:
        threads.extend((r.key, threading.current_thread().name) for r in batch)
        if batch[0].key == "1":
            writing.set()
            go_on.wait(5)
        return [int(r.key) for r in batch]

    writer = ReceiptWriter(store, Connection, Clock(), contextlib.nullcontext)
    results: dict[str, int | None] = {}

    def request(key: str) -> None:
        results[key] = writer.receive(Receipt("T1", "event", key, {}))

    first = threading.Thread(target=request, args=("1",), name="first")
    first.start()
    assert writing.wait(5)
    later = [threading.Thread(target=request, args=(k,), name=f"r{k}") for k in ("2", "3")]
    for thread in later:
        thread.start()
    time.sleep(0.05)  # both are waiting for the batch being written
    assert [key for key, _ in threads] == ["1"]
    go_on.set()
    for thread in (first, *later):
        thread.join(5)
    assert results == {"1": 1, "2": 2, "3": 3}
    # Each batch is written by one of its own requests, the two that waited in one batch.
    assert threads[0] == ("1", "first")
    assert {t for _, t in threads[1:]} in ({"r2"}, {"r3"}) and len(threads) == 3


def test_a_batch_that_ends_without_word_of_its_rows_acks_none_of_them() -> None:
    def store(uow: Any, batch: list[Receipt], now: datetime) -> list[int | None]:
        return []  # e.g. a store that lost track: no row is known to be stored

    writer = ReceiptWriter(store, Connection, Clock(), contextlib.nullcontext)
    with pytest.raises(ValueError):  # zip(strict=True): not one id per receipt
        writer.receive(Receipt("T1", "event", "1", {}))

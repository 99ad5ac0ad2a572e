"""SQLite's one writer, queued in the process: urgent transactions first, nothing lost."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from storage.db import WriterQueue, make_engine, writer_queue


def test_urgent_waiters_go_before_the_others() -> None:
    queue = WriterQueue()
    order: list[str] = []
    queue.acquire()  # someone is writing

    def wait(name: str, urgent: bool) -> None:
        if urgent:
            with queue.urgently():
                queue.acquire()
        else:
            queue.acquire()
        order.append(name)
        queue.release()

    slow = threading.Thread(target=wait, args=("leftover work", False))
    slow.start()
    time.sleep(0.05)
    fast = threading.Thread(target=wait, args=("a receipt", True))
    fast.start()
    time.sleep(0.05)
    queue.release()
    slow.join(timeout=5)
    fast.join(timeout=5)
    assert order == ["a receipt", "leftover work"]


def test_waiters_take_their_turns_in_the_order_they_came() -> None:
    queue = WriterQueue()
    order: list[int] = []
    queue.acquire()

    def wait(number: int) -> None:
        queue.acquire()
        order.append(number)
        queue.release()

    waiters = [threading.Thread(target=wait, args=(n,)) for n in range(6)]
    for waiter in waiters:
        waiter.start()
        time.sleep(0.02)  # each in line before the next comes
    queue.release()
    for waiter in waiters:
        waiter.join(timeout=5)
    assert order == list(range(6))


def test_the_same_thread_may_enter_again() -> None:
    queue = WriterQueue()
    queue.acquire()
    queue.acquire()
    queue.release()
    queue.release()
    other = threading.Thread(target=lambda: (queue.acquire(), queue.release()))
    other.start()
    other.join(timeout=5)
    assert not other.is_alive()


def test_concurrent_sqlite_writers_all_commit_and_the_line_empties(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    assert writer_queue(engine) is not None
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE hits (n INTEGER)"))

    def write(n: int) -> None:
        for k in range(20):
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO hits VALUES (:n)"), {"n": n * 100 + k})
            with engine.connect() as connection:  # a read that ends with a rollback
                connection.execute(text("SELECT count(*) FROM hits")).scalar()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM hits")).scalar() == 160
    queue = writer_queue(engine)
    assert queue is not None and queue._owner is None  # nobody left holding the line
    engine.dispose()

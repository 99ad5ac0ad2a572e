"""The listener and work pools: a submit is a put on a queue; shutdown as Executor's."""

from __future__ import annotations

import threading
import time

import pytest

from bot.pool import ThreadPool


def test_runs_work_on_its_threads_and_returns_results() -> None:
    pool = ThreadPool(3, "test")
    names = [pool.submit(lambda: threading.current_thread().name) for _ in range(30)]
    assert {future.result(timeout=5) for future in names} <= {"test_0", "test_1", "test_2"}
    assert pool.submit(pow, 2, 10).result(timeout=5) == 1024
    pool.shutdown()


def test_work_runs_side_by_side_up_to_max_workers() -> None:
    pool = ThreadPool(3)
    together = threading.Barrier(3, timeout=5)
    futures = [pool.submit(together.wait) for _ in range(3)]
    assert sorted(f.result(timeout=5) for f in futures) == [0, 1, 2]
    pool.shutdown()


def test_an_error_is_kept_in_the_future_and_the_thread_goes_on() -> None:
    pool = ThreadPool(1)

    def fails() -> None:
        raise ValueError("bad input")

    failed = pool.submit(fails)
    with pytest.raises(ValueError, match="bad input"):
        failed.result(timeout=5)
    assert pool.submit(lambda: "still working").result(timeout=5) == "still working"
    pool.shutdown()


def test_shutdown_waits_for_running_work_and_refuses_new_work() -> None:
    pool = ThreadPool(2)
    ended: list[str] = []
    pool.submit(lambda: (time.sleep(0.1), ended.append("slow")))
    pool.shutdown(wait=True)
    assert ended == ["slow"]
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(print)


def test_shutdown_can_cancel_what_has_not_started() -> None:
    pool = ThreadPool(1)
    release = threading.Event()
    running = pool.submit(release.wait, 5)
    time.sleep(0.05)  # the one thread is busy with `running`
    waiting = pool.submit(lambda: "never")
    pool.shutdown(wait=False, cancel_futures=True)
    assert waiting.cancelled()
    release.set()
    assert running.result(timeout=5) is True


def test_a_pool_never_used_shuts_down_at_once() -> None:
    ThreadPool(4).shutdown(wait=True)


def test_max_workers_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ThreadPool(0)

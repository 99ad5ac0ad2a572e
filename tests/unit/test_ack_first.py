"""Acks first: an ack is answered the moment it is given, and leftover work waits for a lull
in requests, or at most its patience."""

from __future__ import annotations

import contextvars
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.ack_first import AckFirst, PromptAck, Stopping, prompt_acks, wait_for_ack


def started_at(started: list[float]) -> Callable[[], None]:
    return lambda: started.append(time.monotonic())


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_work_waits_while_requests_keep_coming_and_runs_in_the_first_lull() -> None:
    gate = AckFirst(patience=5.0, quiet=0.05)
    started: list[float] = []
    begin = time.monotonic()
    with gate.answering():
        gate.after_acks(started_at(started))
        time.sleep(0.1)
    for _ in range(5):  # a burst: requests 10 ms apart are one burst, not five lulls
        time.sleep(0.01)
        with gate.answering():
            pass
    last_answer = time.monotonic()
    wait_for(lambda: started)
    assert started[0] >= last_answer + 0.04
    assert started[0] - begin < 1.0
    assert gate.deferred == 0


class Stream:
    """Requests answered back to back, each taking 5 ms, until stopped."""

    def __init__(self, gate: AckFirst) -> None:
        self.gate, self.done = gate, threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self.done.is_set():
            with self.gate.answering():
                time.sleep(0.005)

    def __enter__(self) -> Stream:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()


def test_a_steady_stream_cannot_starve_the_work() -> None:
    gate = AckFirst(patience=0.2, quiet=0.05)
    started: list[float] = []
    with Stream(gate):
        begin = time.monotonic()
        gate.after_acks(started_at(started))
        wait_for(lambda: started)
    assert 0.19 <= started[0] - begin < 1.0


def test_beside_a_stream_overdue_work_goes_one_piece_at_a_time() -> None:
    gate = AckFirst(patience=0.1, quiet=0.05)
    pool = ThreadPoolExecutor(4)
    spans: list[tuple[float, float]] = []

    def piece() -> None:
        begun = time.monotonic()
        time.sleep(0.15)
        spans.append((begun, time.monotonic()))

    with Stream(gate):
        for _ in range(3):
            gate.after_acks(lambda: pool.submit(piece))
        wait_for(lambda: len(spans) == 3)
    pool.shutdown()
    spans.sort()
    for (_, ended), (begun, _) in itertools.pairwise(spans):
        assert begun >= ended  # never two at once while requests keep coming


def test_in_a_lull_all_waiting_work_goes_at_once() -> None:
    gate = AckFirst(patience=5.0, quiet=0.05)
    started: list[float] = []
    with gate.answering():
        for _ in range(3):
            gate.after_acks(started_at(started))
    wait_for(lambda: len(started) == 3, timeout=1.0)
    assert max(started) - min(started) < 0.05


def test_release_all_starts_what_waits_and_later_work_at_once() -> None:
    gate = AckFirst(patience=60.0, quiet=0.05)
    started: list[str] = []
    with gate.answering():
        gate.after_acks(lambda: started.append("waiting"))
        gate.release_all()
        assert started == ["waiting"]
        gate.after_acks(lambda: started.append("later"))
        assert started == ["waiting", "later"]
    assert gate.deferred == 0


def test_work_that_cannot_start_is_logged_and_the_rest_still_goes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = AckFirst(patience=5.0, quiet=0.01)
    started: list[float] = []

    def refused() -> None:
        raise RuntimeError("cannot schedule new futures after shutdown")

    with gate.answering():
        gate.after_acks(refused)
        gate.after_acks(started_at(started))
    wait_for(lambda: started)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert any("could not start" in r.getMessage() for r in warnings)
    assert all(r.exc_info is None for r in caplog.records)


def test_the_dispatching_thread_is_woken_by_the_ack_not_a_poll() -> None:
    pool = ThreadPoolExecutor(2)
    acked_at: list[float] = []
    context: dict[str, Any] = {}

    def listener() -> None:
        time.sleep(0.05)
        context["ack"]()
        acked_at.append(time.monotonic())
        time.sleep(0.5)  # work after the ack does not hold the answer back

    with prompt_acks(context):
        future = pool.submit(listener)
        wait_for_ack(future)
        returned_at = time.monotonic()
    assert isinstance(context["ack"], PromptAck)
    assert context["ack"].response is not None and context["ack"].response.status == 200
    assert acked_at and 0 <= returned_at - acked_at[0] < 0.02
    assert not future.done()
    pool.shutdown()


def test_a_listener_that_ends_without_acking_releases_the_wait() -> None:
    pool = ThreadPoolExecutor(1)
    with prompt_acks({}):
        started = time.monotonic()
        wait_for_ack(pool.submit(lambda: None))
    assert time.monotonic() - started < 1.0
    pool.shutdown()


def test_work_submitted_from_a_listener_thread_does_not_wait_for_the_ack() -> None:
    pool = ThreadPoolExecutor(2)
    with prompt_acks({}):
        # The pool copies nothing here, but a listener thread that inherited the context
        # (Bolt's executors copy it) is not the dispatching thread, so it never waits.
        inherited = contextvars.copy_context()
        future = pool.submit(
            inherited.run, lambda: wait_for_ack(pool.submit(time.sleep, 2)) or time.monotonic()
        )
        started = time.monotonic()
        assert future.result(timeout=2) - started < 1.0
    pool.shutdown(wait=False, cancel_futures=True)


def test_after_close_no_request_is_taken_and_those_being_answered_are_waited_for() -> None:
    gate = AckFirst()
    answered = threading.Event()

    def slow_request() -> None:
        with gate.answering():
            time.sleep(0.1)
        answered.set()

    request = threading.Thread(target=slow_request)
    request.start()
    time.sleep(0.02)
    assert gate.close(timeout=5)
    assert answered.is_set()  # close returned only once it was answered
    try:
        with gate.answering():
            raise AssertionError("a request was taken after close")
    except Stopping:
        pass
    request.join()

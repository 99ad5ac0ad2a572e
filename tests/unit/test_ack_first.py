"""Acks first: an ack is answered the moment it is given, and leftover work waits for a lull
in requests, or at most its patience."""

from __future__ import annotations

import contextvars
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.ack_first import AckFirst, PromptAck, Stopping, prompt_acks, wait_for_ack


def test_work_waits_while_requests_keep_coming_and_runs_in_the_first_lull() -> None:
    gate = AckFirst(patience=5.0, quiet=0.05)
    started: list[float] = []
    work = threading.Thread(target=gate.after_acks(lambda: started.append(time.monotonic())))
    begin = time.monotonic()
    with gate.answering():
        work.start()
        time.sleep(0.1)
    for _ in range(5):  # a burst: requests 10 ms apart are one burst, not five lulls
        time.sleep(0.01)
        with gate.answering():
            pass
    last_answer = time.monotonic()
    work.join(timeout=5)
    assert started and started[0] >= last_answer + 0.04
    assert started[0] - begin < 1.0


def test_a_steady_stream_cannot_starve_the_work() -> None:
    gate = AckFirst(patience=0.2, quiet=0.05)
    started: list[float] = []
    done = threading.Event()

    def stream() -> None:
        while not done.is_set():
            with gate.answering():
                time.sleep(0.005)

    requests = threading.Thread(target=stream)
    requests.start()
    begin = time.monotonic()
    try:
        gate.after_acks(lambda: started.append(time.monotonic()))()
    finally:
        done.set()
        requests.join()
    assert 0.19 <= started[0] - begin < 1.0


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

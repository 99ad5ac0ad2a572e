"""The acks-first gate: leftover work waits for a lull in requests, or at most its patience."""

from __future__ import annotations

import threading
import time

from bot.ack_first import AckFirst


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

"""Full garbage collections wait for a lull (bot/collector.py)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from bot.ack_first import AckFirst
from bot.collector import LullCollections

pytestmark = pytest.mark.skipif(
    not LullCollections.applies(), reason="Python 3.14's collector is incremental"
)


class Deferred:
    """Records what the collector hands to AckFirst, for the test to run when it likes."""

    def __init__(self) -> None:
        self.pieces: list[Callable[[], Future[Any] | None]] = []
        self.arrived = threading.Event()

    def __call__(self, start: Callable[[], Future[Any] | None]) -> None:
        self.pieces.append(start)
        self.arrived.set()


@pytest.fixture
def deferred() -> Iterator[tuple[Deferred, int]]:
    before = gc.get_threshold()
    recorder = Deferred()
    collections = LullCollections(recorder)
    gc.collect()
    collections.install()
    try:
        yield recorder, collections.every
    finally:
        collections.uninstall()
        assert gc.get_threshold() == before


def middle_passes(count: int) -> None:
    for _ in range(count):
        gc.collect(1)


def test_a_due_full_pass_is_asked_for_once_and_not_made_by_the_collector(
    deferred: tuple[Deferred, int],
) -> None:
    deferred, every = deferred
    assert every == 10  # Python's default
    middle_passes(every - 1)
    assert not deferred.arrived.wait(0.2)  # not due yet

    middle_passes(3 * every)  # due, and more passes meanwhile: still one request
    assert deferred.arrived.wait(5.0)
    assert gc.get_count()[2] >= 3 * every  # the collector made no full pass of its own
    assert len(deferred.pieces) == 1

    deferred.pieces[0]()  # the lull
    assert gc.get_count()[2] == 0


def test_after_a_full_pass_the_next_one_is_asked_for_again(
    deferred: tuple[Deferred, int],
) -> None:
    deferred, every = deferred
    middle_passes(every)
    assert deferred.arrived.wait(5.0)
    deferred.arrived.clear()
    deferred.pieces[0]()

    middle_passes(every)
    assert deferred.arrived.wait(5.0)
    assert len(deferred.pieces) == 2


def test_through_ack_first_the_pass_runs_once_requests_stop() -> None:
    gate = AckFirst(patience=30.0, quiet=0.05)
    collections = LullCollections(gate.after_acks)
    gc.collect()
    collections.install()
    try:
        with gate.answering():  # a request is being answered: the pass waits
            middle_passes(2 * collections.every)
            passes = gc.get_count()[2]
            assert passes >= 2 * collections.every
            threading.Event().wait(0.2)
            assert gc.get_count()[2] >= passes
        collected = False
        for _ in range(100):  # answered: after the quiet spell the full pass runs
            collected = gc.get_count()[2] == 0
            if collected:
                break
            threading.Event().wait(0.05)
        assert collected
    finally:
        collections.uninstall()
        gate.release_all()

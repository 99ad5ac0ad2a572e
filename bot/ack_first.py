"""Acks first: answered the moment a listener acks, and leftover work waits for a lull.

All of the bot runs in one Python process, so threads share one interpreter lock. Under a
burst of commands the work each one leaves behind (database writes, rendering, respond())
would otherwise take CPU turns — and, on SQLite, the one writer — from the next command's
acknowledgement, which Slack wants within 3 seconds. So leftover work starts only once no
request has been waiting for its ack for a short `quiet` spell (a burst's requests follow
each other closely, and a gap between two of them is not the end of the burst), and at the
latest after `patience` seconds, so a steady stream of requests cannot starve it (beside
such a stream, one piece at a time).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltResponse

log = logging.getLogger(__name__)

ACK_TIMEOUT = 3.0  # seconds: Slack's, and Bolt's listener.ack_timeout


class Stopping(Exception):
    """The bot is stopping and takes no new request; Slack sends it again later."""


@dataclass
class _Deferred:
    """A piece of work waiting for a lull: how to start it, and when it goes regardless."""

    start: Callable[[], Future[Any] | None]
    due: float  # time.monotonic()


class AckFirst:
    def __init__(self, patience: float = 2.0, quiet: float = 0.05) -> None:
        self.patience = patience
        self.quiet = quiet
        self._answering = 0
        self._last_answer = 0.0
        lock = threading.Lock()
        self._changed = threading.Condition(lock)  # a request was answered
        self._arrived = threading.Condition(lock)  # work was deferred
        self._closed = False
        # Deferred work waits here, watched by one thread, rather than each piece in a pool
        # thread of its own: those woke at every lull in a burst and, with the hand-off to
        # the pool, cost each acknowledged request ~0.1 ms of the interpreter's time.
        self._deferred: deque[_Deferred] = deque()
        self._releaser: threading.Thread | None = None
        self._overdue = False  # the one piece let go beside a stream of requests is running
        self._released = False

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Wraps the handling of one incoming request up to its response (the ack).

        Raises `Stopping` once `close` was called: a request the server had taken but not
        begun when the stop came must not reach a listener pool that is shutting down.
        """
        with self._changed:
            if self._closed:
                raise Stopping
            self._answering += 1
        try:
            yield
        finally:
            with self._changed:
                self._answering -= 1
                self._last_answer = time.monotonic()
                if not self._answering:
                    self._changed.notify_all()

    def wait_until_quiet(self, timeout: float) -> bool:
        """Waits until no request is waiting for its answer; False if `timeout` came first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._answering, timeout)

    def close(self, timeout: float) -> bool:
        """Takes no new request, then waits for those being answered (False on `timeout`)."""
        with self._changed:
            self._closed = True
        return self.wait_until_quiet(timeout)

    def after_acks(self, start: Callable[[], Future[Any] | None]) -> None:
        """Calls `start` (which hands a piece of work to a pool) once requests have stopped
        coming for a moment, or once it has waited `patience`: while requests keep coming,
        pieces that waited that long go one at a time, each after the previous one ended."""
        with self._changed:
            if not self._released:
                self._deferred.append(_Deferred(start, time.monotonic() + self.patience))
                if self._releaser is None:
                    self._releaser = threading.Thread(
                        target=self._release_forever, name="after-acks", daemon=True
                    )
                    self._releaser.start()
                self._arrived.notify()
                return
        start()  # released: the bot is stopping, and what is left goes at once

    def release_all(self) -> None:
        """Starts every piece still waiting, in this thread, and any deferred later at once
        (the bot is stopping: its pools are about to be shut down)."""
        with self._changed:
            self._released = True
            waiting = list(self._deferred)
            self._deferred.clear()
            self._arrived.notify()
            self._changed.notify_all()
        for piece in waiting:
            piece.start()
        if self._releaser is not None:
            self._releaser.join(timeout=5.0)

    @property
    def deferred(self) -> int:
        """How many pieces of work are waiting for a lull."""
        return len(self._deferred)

    def _release_forever(self) -> None:
        while True:
            with self._changed:
                taken = self._next_to_start()
            if taken is None:
                return
            starts, overdue = taken
            futures = [self._start(start) for start in starts]
            if overdue:  # one piece, beside a stream: the next waits until it has ended
                if futures[0] is None:
                    self._overdue_ended(None)
                else:
                    futures[0].add_done_callback(self._overdue_ended)

    @staticmethod
    def _start(start: Callable[[], Future[Any] | None]) -> Future[Any] | None:
        try:
            return start()
        except Exception as error:  # a pool already shut down: the inbox row is taken again
            log.warning("work after an ack could not start: %s", error)
            return None

    def _next_to_start(
        self,
    ) -> tuple[list[Callable[[], Future[Any] | None]], bool] | None:
        """Waits, holding the lock, for the work to start now and whether it goes as the one
        overdue piece beside a stream of requests; None once `release_all` was called."""
        while True:
            if self._released:
                return None
            if not self._deferred:
                self._arrived.wait()
                continue
            now = time.monotonic()
            calm_for = now - self._last_answer
            if not self._answering and calm_for >= self.quiet:
                starts = [piece.start for piece in self._deferred]
                self._deferred.clear()
                return starts, False
            oldest = self._deferred[0]
            if not self._overdue and oldest.due <= now:
                self._deferred.popleft()
                self._overdue = True
                return [oldest.start], True
            # Woken when the last answer ends or the overdue piece does; else wait for the
            # rest of the quiet spell, or for the oldest piece's patience.
            timeouts = [] if self._overdue else [oldest.due - now]
            if not self._answering:
                timeouts.append(self.quiet - calm_for)
            self._changed.wait(min(timeouts) if timeouts else None)

    def _overdue_ended(self, _future: Future[Any] | None) -> None:
        with self._changed:
            self._overdue = False
            self._changed.notify_all()


class PromptAck(Ack):
    """Bolt's `ack()` that wakes the thread waiting to send the answer the moment it is given.

    Bolt's thread runner hands a listener to its executor and then checks every 10 ms
    whether it has acked, so each ack waited up to 10 ms for nothing. The request thread
    now waits on `settled` inside the executor's submit instead (see `wait_for_ack`), and
    finds the ack already given when Bolt's loop first looks.
    """

    def __init__(self) -> None:
        # Acked, or the listener ended without acking: told by a put (one or more) on a
        # queue of C, cheaper than an Event for every request, waited for by one thread.
        self.settled: queue.SimpleQueue[None] = queue.SimpleQueue()
        super().__init__()

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._response = value
        if value is not None:
            self.settled.put(None)


@dataclass(frozen=True)
class _Dispatch:
    """The request this thread is dispatching: its ack, and whether its listener runs here."""

    thread: int  # executors copy the context into their threads, which must not wait
    ack: PromptAck
    here: bool


_DISPATCHING: ContextVar[_Dispatch | None] = ContextVar("dispatching", default=None)


@contextmanager
def prompt_acks(context: dict[str, Any], *, listener_here: bool = False) -> Iterator[None]:
    """Wraps one Bolt dispatch: its listener's ack becomes a `PromptAck`; with
    `listener_here`, the listener runs in the dispatching thread (see `listener_runs_here`)."""
    ack = PromptAck()
    context["ack"] = ack
    token = _DISPATCHING.set(_Dispatch(threading.get_ident(), ack, listener_here))
    try:
        yield
    finally:
        _DISPATCHING.reset(token)


def listener_runs_here() -> bool:
    """Whether the listener Bolt hands to its pool right now is run in this thread instead.

    For requests whose listeners ack and leave everything slow to work after the ack (slash
    commands and events, handlers/kit.py): handing each to a pool thread and waiting for
    its ack cost two turns of the interpreter lock per request (bench/ack.py, 20 in flight:
    the stored ack's p99 went from 2.31x bare Bolt's to 1.69x without them).
    """
    dispatching = _DISPATCHING.get()
    return (
        dispatching is not None and dispatching.here and dispatching.thread == threading.get_ident()
    )


def wait_for_ack(listener: Future[Any]) -> None:
    """In the dispatching thread, right after Bolt handed `listener` to the pool: returns
    once it has acked or ended (at most Slack's 3 seconds), so Bolt's poll finds it done."""
    dispatching = _DISPATCHING.get()
    if dispatching is None or dispatching.thread != threading.get_ident():
        return
    ack = dispatching.ack
    listener.add_done_callback(lambda _: ack.settled.put(None))
    with contextlib.suppress(queue.Empty):  # Bolt's own wait then gives up on the listener
        ack.settled.get(timeout=ACK_TIMEOUT)

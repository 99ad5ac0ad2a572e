"""Acks first: answered the moment a listener acks, and leftover work waits for a lull.

All of the bot runs in one Python process, so threads share one interpreter lock. Under a
burst of commands the work each one leaves behind (database writes, rendering, respond())
would otherwise take CPU turns — and, on SQLite, the one writer — from the next command's
acknowledgement, which Slack wants within 3 seconds. So leftover work starts only once no
request has been waiting for its ack for a short `quiet` spell (a burst's requests follow
each other closely, and a gap between two of them is not the end of the burst), and at the
latest after `patience` seconds, so a steady stream of requests cannot starve it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from slack_bolt import Ack, BoltResponse

ACK_TIMEOUT = 3.0  # seconds: Slack's, and Bolt's listener.ack_timeout


class Stopping(Exception):
    """The bot is stopping and takes no new request; Slack sends it again later."""


class AckFirst:
    def __init__(self, patience: float = 2.0, quiet: float = 0.05) -> None:
        self.patience = patience
        self.quiet = quiet
        self._answering = 0
        self._last_answer = 0.0
        self._changed = threading.Condition()
        self._closed = False

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

    def after_acks(self, work: Callable[[], object]) -> Callable[[], None]:
        """`work`, made to start only once requests have stopped coming for a moment."""

        def run() -> None:
            self._wait_for_a_lull()
            work()

        return run

    def _wait_for_a_lull(self) -> None:
        deadline = time.monotonic() + self.patience
        with self._changed:
            while True:
                now = time.monotonic()
                calm_for = now - self._last_answer
                if (not self._answering and calm_for >= self.quiet) or now >= deadline:
                    return
                # Busy: wait for the last answer to end; calm: for the rest of the spell.
                spell = deadline - now if self._answering else self.quiet - calm_for
                self._changed.wait(min(spell, deadline - now))


class PromptAck(Ack):
    """Bolt's `ack()` that wakes the thread waiting to send the answer the moment it is given.

    Bolt's thread runner hands a listener to its executor and then checks every 10 ms
    whether it has acked, so each ack waited up to 10 ms for nothing. The request thread
    now waits on `settled` inside the executor's submit instead (see `wait_for_ack`), and
    finds the ack already given when Bolt's loop first looks.
    """

    def __init__(self) -> None:
        self.settled = threading.Event()  # acked, or the listener ended without acking
        super().__init__()

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._response = value
        if value is not None:
            self.settled.set()


# The ack of the request this thread is dispatching (the thread's id goes along, as
# executors copy the context into their threads, which must not wait for their own ack).
_DISPATCHING: ContextVar[tuple[int, PromptAck] | None] = ContextVar("dispatching", default=None)


@contextmanager
def prompt_acks(context: dict[str, Any]) -> Iterator[None]:
    """Wraps one Bolt dispatch: its listener's ack becomes a `PromptAck`."""
    ack = PromptAck()
    context["ack"] = ack
    token = _DISPATCHING.set((threading.get_ident(), ack))
    try:
        yield
    finally:
        _DISPATCHING.reset(token)


def wait_for_ack(listener: Future[Any]) -> None:
    """In the dispatching thread, right after Bolt handed `listener` to the pool: returns
    once it has acked or ended (at most Slack's 3 seconds), so Bolt's poll finds it done."""
    dispatching = _DISPATCHING.get()
    if dispatching is None or dispatching[0] != threading.get_ident():
        return
    ack = dispatching[1]
    listener.add_done_callback(lambda _: ack.settled.set())
    ack.settled.wait(ACK_TIMEOUT)

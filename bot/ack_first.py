"""Acks before leftovers: work after an ack waits until requests stop arriving for a moment.

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
from contextlib import contextmanager


class AckFirst:
    def __init__(self, patience: float = 2.0, quiet: float = 0.05) -> None:
        self.patience = patience
        self.quiet = quiet
        self._answering = 0
        self._last_answer = 0.0
        self._changed = threading.Condition()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Wraps the handling of one incoming request up to its response (the ack)."""
        with self._changed:
            self._answering += 1
        try:
            yield
        finally:
            with self._changed:
                self._answering -= 1
                self._last_answer = time.monotonic()
                if not self._answering:
                    self._changed.notify_all()

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

"""Acks before leftovers: work after an ack waits while another request is being answered.

All of the bot runs in one Python process, so threads share one interpreter lock. Under a
burst of commands the work each one leaves behind (database reads, rendering, respond())
would otherwise take CPU turns from the next command's acknowledgement, which Slack wants
within 3 seconds. The gate lets pending requests go first; leftover work waits at most
`patience` seconds, so a steady stream of requests cannot starve it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class AckFirst:
    def __init__(self, patience: float = 2.0) -> None:
        self.patience = patience
        self._answering = 0
        self._quiet = threading.Condition()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Wraps the handling of one incoming request up to its response (the ack)."""
        with self._quiet:
            self._answering += 1
        try:
            yield
        finally:
            with self._quiet:
                self._answering -= 1
                if not self._answering:
                    self._quiet.notify_all()

    def after_acks(self, work: Callable[[], object]) -> Callable[[], None]:
        """`work`, made to start only once no request is waiting for its ack."""

        def run() -> None:
            with self._quiet:
                self._quiet.wait_for(lambda: not self._answering, timeout=self.patience)
            work()

        return run

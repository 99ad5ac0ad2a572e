"""Full garbage collections wait for a lull in requests, as work after an ack does.

Python's collector passes over the young objects often and cheaply, and after every ten
passes over the middle generation makes a full pass over everything the process has not
frozen (bot/serve.py freezes what start-up built). A full pass holds the interpreter lock
~20 ms under a burst, and every request in flight waits that long for its ack: one such
pass in a burst of answers puts twenty of them at its slowest end. So `serve` turns the
collector's own full passes off and asks for one, through AckFirst, once it is due: it runs
when requests stop coming for a moment, and at the latest after AckFirst's patience.

On Python 3.14 and newer the collector is incremental (no long full pass): nothing changes.
"""

from __future__ import annotations

import gc
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

# Far more passes over the middle generation than ever happen: the collector's own full
# passes are off, and ours go by `every`.
_NEVER = 2**31 - 1


class LullCollections:
    """Moves the collector's full passes to lulls; `defer` is AckFirst.after_acks."""

    def __init__(self, defer: Callable[[Callable[[], Future[Any] | None]], None]) -> None:
        self._defer = defer
        self._every = gc.get_threshold()[2]
        self._previous: tuple[int, int, int] | None = None
        # Told from inside the collector (in whichever thread allocated): a SimpleQueue's
        # put is safe there, where taking a lock the thread may already hold is not.
        self._wanted: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self._asked = False
        self._watcher: threading.Thread | None = None

    @property
    def every(self) -> int:
        """Passes over the middle generation between two full ones (Python's threshold)."""
        return self._every

    @staticmethod
    def applies() -> bool:
        return sys.version_info < (3, 14)

    def install(self) -> None:
        if not self.applies() or self._previous is not None:
            return
        self._previous = gc.get_threshold()
        self._every = self._previous[2]
        gc.set_threshold(self._previous[0], self._previous[1], _NEVER)
        gc.callbacks.append(self._on_collection)
        self._watcher = threading.Thread(target=self._watch, name="lull-gc", daemon=True)
        self._watcher.start()

    def uninstall(self) -> None:
        """Gives full passes back to the collector (for tests; `serve` keeps it for life)."""
        if self._previous is None:
            return
        gc.callbacks.remove(self._on_collection)
        gc.set_threshold(*self._previous)
        self._previous = None
        self._wanted.put(False)
        if self._watcher is not None:
            self._watcher.join(timeout=5.0)
            self._watcher = None

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        # get_count()[2]: the passes over the middle generation since the last full one.
        if phase != "stop" or info.get("generation") != 1 or self._asked:
            return
        if gc.get_count()[2] >= self._every:
            self._asked = True
            self._wanted.put(True)

    def _watch(self) -> None:
        while self._wanted.get():
            self._defer(self._collect)

    def _collect(self) -> None:
        try:
            gc.collect()
        finally:
            self._asked = False

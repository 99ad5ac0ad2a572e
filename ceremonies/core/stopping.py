"""A stop the process was asked for (SIGTERM, SIGINT): work already claimed is finished, but
no new piece of work is claimed, so what is left stays due for the next tick (of this
process's successor), untouched rather than half-done."""

from __future__ import annotations

import threading

_requested = threading.Event()


def request_stop() -> None:
    _requested.set()


def stop_requested() -> bool:
    return _requested.is_set()


def clear_stop() -> None:
    """For a process that runs again after a stop (tests, the demo)."""
    _requested.clear()

"""SOAK_TRACE_CLEANUP of bench/soak_run_due.py: which code the cyclic GC interrupts when it runs
SQLAlchemy's InstanceState._cleanup (the weakref callback on a mapped object) on a state that
the interrupted frame is working on (issue 13).

On CPython 3.11 a collection can start at any GC allocation, also inside the C code of an
attribute store. If the callback then changes the attributes of the very state whose store it
interrupted, the store's half-built instance dict goes out of step with the state
(bench/sigsegv_mechanism.py shows what that does)."""

from __future__ import annotations

import atexit
import gc
import linecache
import os
import sys
import threading
from pathlib import Path


def trace_cleanup(directory: Path) -> None:
    from sqlalchemy.orm.state import InstanceState

    directory.mkdir(parents=True, exist_ok=True)
    log = (directory / f"cleanup-{os.getpid()}.log").open("a", buffering=1)
    collecting = threading.local()

    def on_gc(phase: str, info: dict) -> None:
        collecting.gen = info["generation"] if phase == "start" else None

    gc.callbacks.append(on_gc)
    original = InstanceState._cleanup
    counts = {"in_gc": 0, "own": 0}

    def _cleanup(self, ref):  # SQLAlchemy's signature
        gen = getattr(collecting, "gen", None)
        if gen is not None:
            counts["in_gc"] += 1
            frame = sys._getframe(1)  # the Python frame the collection interrupted
            depth, held = 0, []
            f = frame
            while f is not None and depth < 8 and not held:
                held = [name for name, value in f.f_locals.items() if value is self]
                if not held:
                    f, depth = f.f_back, depth + 1
            if held:
                counts["own"] += 1
            code = frame.f_code
            line = linecache.getline(code.co_filename, frame.f_lineno).strip()
            log.write(
                f"gen{gen} {'OWN' if held else 'other'} "
                f"{code.co_filename}:{frame.f_lineno} {code.co_name} [{line}]"
                + (
                    f"; held as {held} {depth} frames up in {f.f_code.co_name}:{f.f_lineno}"
                    if held
                    else ""
                )
                # (never vars(self) here: that would itself build the state's dict)
                + f"; in identity map {self._instance_dict() is not None}\n"
            )
        return original(self, ref)

    InstanceState._cleanup = _cleanup

    atexit.register(lambda: log.write(f"summary: {counts}\n"))

"""`app.py run-due` with the soak's narrowing switches applied first (bench/soak.py uses it
only when one of them is set; without any it is `python app.py run-due`).

SOAK_WORKERS=N      run_due's fan-out threads (the bot's default is 8)
SOAK_GC_THRESHOLD=N gc.set_threshold(N): collect far more often, so a GC-time crash shows sooner
SOAK_GC_OFF=1       gc.disable(): no cyclic garbage collection at all
SOAK_TRACE_CLEANUP=DIR  append to DIR/cleanup-<pid>.log one line per SQLAlchemy
                    InstanceState._cleanup (the weakref callback) that the cyclic GC runs while
                    the Python frame it interrupted holds that same state: the file, line and
                    source of that frame, and which of the state's attributes it sets
SOAK_SELFTEST_SEGV=S  kill this process with a real SIGSEGV S seconds in (checks that the soak
                    notices a crash and keeps the faulthandler dump; not a finding)
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli import main
from ceremonies.daily import delivery as daily_delivery

if "SOAK_WORKERS" in os.environ:
    daily_delivery.run_due.__kwdefaults__["workers"] = int(os.environ["SOAK_WORKERS"])
if "SOAK_GC_THRESHOLD" in os.environ:
    gc.set_threshold(int(os.environ["SOAK_GC_THRESHOLD"]))
if os.environ.get("SOAK_GC_OFF") == "1":
    gc.disable()
if "SOAK_TRACE_CLEANUP" in os.environ:
    from soak_trace import trace_cleanup

    trace_cleanup(Path(os.environ["SOAK_TRACE_CLEANUP"]))
if "SOAK_SELFTEST_SEGV" in os.environ:
    import faulthandler
    import threading

    threading.Timer(float(os.environ["SOAK_SELFTEST_SEGV"]), faulthandler._sigsegv).start()

if __name__ == "__main__":
    import psycopg
    from sqlalchemy.util._has_cython import HAS_CYEXTENSION

    print(
        f"soak_run_due: psycopg {psycopg.pq.__impl__}, sqlalchemy cython {HAS_CYEXTENSION}, "
        f"workers {daily_delivery.run_due.__kwdefaults__['workers']}, "
        f"gc {'off' if not gc.isenabled() else gc.get_threshold()}",
        flush=True,
    )
    sys.exit(main(["run-due", *sys.argv[1:]]))

"""Issue 13's crash, kept out: a garbage collection that starts inside Session.close()'s
`state._strong_obj = None` and runs that state's own weakref callback.

On CPython 3.11 this leaves an InstanceState's __dict__ on freed memory and the next
collection dies with SIGSEGV (bench/sigsegv_sqlalchemy.py says how); 3.12 collects only at
the eval breaker (python/cpython gh-97922), which is why the package requires it. The script
forces that collection at once, so an interpreter or SQLAlchemy release that brings the
crash back fails here, not in a fan-out one day in a hundred.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "sigsegv_sqlalchemy.py"


def test_a_collection_inside_session_close_leaves_the_interpreter_whole():
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr[-2000:])
    # The collection did start inside the store, so the test tests what it says.
    assert "the collection started at ['_detach_states:" in result.stdout

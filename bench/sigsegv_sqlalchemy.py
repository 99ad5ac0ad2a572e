"""Issue 13 with SQLAlchemy alone, made to happen at once: Session.close() on CPython 3.11 when a
collection starts inside `state._strong_obj = None` in InstanceState._detach_states and
finds that state's object in a garbage cycle.

python bench/sigsegv_sqlalchemy.py [K]

Where run-due died: an interpreter with a check added after new_dict() in
make_dict_from_instance_attributes and its callers (bench/issue13-cpython311-detect.patch) stopped
one run-due in the soak with "_PyObject_StoreInstanceAttribute: storing attribute _strong_obj:
the object's dict was materialized again while its dict was being allocated", the current
thread in sqlalchemy/orm/state.py `_detach_states` (`state._strong_obj = None`) <-
Session.expunge_all <- Session.close <- storage/unit_of_work.py __exit__. The object was an
InstanceState; its __dict__ was already a second dict (key, identity_token, session_id,
_instance_dict, load_options, load_path, runid, _strong_obj) made inside the collection.

What happens (CPython 3.11 only):
1. SQLAlchemy 2.1's InstanceState has `__slots__ = ("__dict__", ...)` and class defaults, so a
   state's own attributes live in 3.11's inline values; the class's shared keys fill up early,
   so `_strong_obj` (set at close) is not one of them and storing it builds the state's dict
   from the inline values (make_dict_from_instance_attributes -> new_dict).
2. When the dict free list is empty, new_dict GC-allocates, and on 3.11 an allocation can start
   a collection (3.12 only collects at the eval breaker, gh-97922).
3. The state's object is garbage in a cycle (a closed unit of work's rows), so the collection
   calls InstanceState._cleanup, its weakref callback, which does
   `self.session_id = self._strong_obj = None` on the same state: a nested store of the same
   missing name builds a second dict on the same values, and inserting `_strong_obj` into
   that one turns it into a combined table and frees the values array.
4. The outer store then installs its own dict, which points at the freed values array. The
   next collection traverses it (dict_traverse / update_refs / visit_decref on whatever the
   freed memory now holds): the SIGSEGV of the cores.

run-due gets there by chance: 8 threads make the free list empty and the GC count cross the
threshold at that one allocation about once in a hundred or more processes. Here a trace
function stops before that line, empties the free list and sets the threshold so the next GC
allocation (K later, default 0) collects. It runs itself with PYTHONMALLOC=debug, which
fills freed memory at once, so the dict left on freed values is found in the next collection
every time (with the plain allocator the freed block is often still intact in so short a
run). On 3.11.7: SIGSEGV in a later collection (gc_collect_main -> update_refs), exit status
-11; on 3.12: exits 0. Needs only SQLAlchemy (in-memory SQLite).
tests/integration/test_gc_during_session_close.py runs it, so an interpreter or SQLAlchemy
that brings the crash back fails the suite.
"""

from __future__ import annotations

import gc
import linecache
import os
import sys
from types import FrameType
from typing import Any

from sqlalchemy import Integer, create_engine, insert, inspect, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.state import InstanceState


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


DETACH = InstanceState._detach_states.__code__
LINE = next(
    n
    for n in range(DETACH.co_firstlineno, DETACH.co_firstlineno + 80)
    if linecache.getline(DETACH.co_filename, n).strip() == "state._strong_obj = None"
)


def main(k: int) -> int:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(Row), [{"id": i} for i in range(1, 11)])

    # InstanceState's shared keys as in run-due: a loaded state's names, then full
    # (every new state takes a free slot, one more name the last one).
    first = Session(engine)
    loaded = first.get(Row, 1)
    transient = [Row() for _ in range(40)]
    inspect(loaded).filler = 1

    keep: list[dict] = []
    armed = [True]

    def local_trace(frame: FrameType, event: str, _arg: Any) -> Any:
        if armed[0] and event == "line" and frame.f_lineno == LINE:
            armed[0] = False
            gc.set_threshold(100_000)
            for _ in range(200):
                keep.append({})  # empty the dict free list: new_dict must GC-allocate
            count = gc.get_count()[0]
            gc.set_threshold(max(1, count + k))
            sys.settrace(None)
        return local_trace

    def global_trace(frame: FrameType, _event: str, _arg: Any) -> Any:
        return local_trace if frame.f_code is DETACH else None

    collections: list[str] = []

    def on_gc(phase: str, _info: dict) -> None:
        if phase == "start" and not armed[0] and not collections:
            f = sys._getframe(1)
            collections.append(f"{f.f_code.co_name}:{f.f_lineno}")

    gc.callbacks.append(on_gc)
    session = Session(engine)
    rows = session.scalars(select(Row)).all()
    for row in rows:
        row.cycle = row  # only the cyclic GC frees it
    del rows, row
    sys.settrace(global_trace)
    session.close()
    sys.settrace(None)
    gc.set_threshold(700)
    print(
        f"{sys.version.split()[0]}: close() done; the collection started at {collections} "
        f"(state.py:{LINE} is the store)",
        flush=True,
    )
    for _ in range(3):
        gc.collect()
    print("survived the collections (a crash may still come at exit)", flush=True)
    keep.clear()
    del transient, loaded
    first.close()
    return 0


if __name__ == "__main__":
    if os.environ.get("PYTHONMALLOC") != "debug":
        debug = {**os.environ, "PYTHONMALLOC": "debug"}
        os.execve(sys.executable, [sys.executable, *sys.argv], debug)
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))

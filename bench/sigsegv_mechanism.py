"""Issue 13's mechanism in a few lines of pure Python: on CPython 3.11 the cyclic GC can start
inside the C code that turns an object's inline attribute values into a real __dict__, and
whatever Python code that collection runs (a weakref callback, or another thread it hands the
GIL to) can change the object's attributes under it.

python bench/sigsegv_mechanism.py [callback|thread|nested]

CPython 3.11 keeps a plain object's attributes in an inline "values" array that shares the
class's keys. The first attribute name that is not among the class's shared keys, or the first
`obj.__dict__`, makes a dict object from those values
(Objects/dictobject.c: make_dict_from_instance_attributes -> new_dict -> PyObject_GC_New).
On 3.11 a GC allocation can start a collection (gh-97922 moved that to the eval breaker, in
3.12 only), and the collection runs weakref callbacks. The object still points at its values
while the dict is being made, so:

  callback  the weakref callback deletes an attribute of that object (as SQLAlchemy's
            InstanceState._cleanup does with `del self._instance_dict`): the new dict keeps
            the old count (ma_used one too high). When it grows into a combined table it copies
            the last attribute twice without an incref: a duplicated key in vars(obj), and that
            value's refcount is one short. Dropping it leaves the dict pointing at freed memory;
            the next collection's dict_traverse -> visit_decref reads it: SIGSEGV in the GC.
  thread    the same with the deletion done by another thread: the callback is Python code,
            so the interpreter can switch threads inside it while the first thread is still
            in the middle of the C store.
  nested    the callback stores a new attribute name itself: a second dict is made on the same
            values and frees them when it grows, the first dict is left on freed values.

Prints what the instance dict looks like afterwards, then drops the under-counted value and
collects. On 3.11.7: the duplicated key (callback, thread); with PYTHONMALLOC=debug (freed
memory overwritten) all three then die of SIGSEGV while garbage-collecting, as run-due does;
with the default allocator the freed block often still looks valid and it survives.
On 3.12: the collection happens later, the dict is consistent, exit 0. The exact trigger needs
the class's shared keys to be full (every new instance takes one slot; SQLAlchemy's
InstanceState fills them quickly) and a GC allocation that does not come from the dict
free list. An interpreter with a check added after new_dict()
(bench/issue13-cpython311-detect.patch) names the first such store in a real program with its
Python traceback; in run-due it is the nested case, in SQLAlchemy's Session.close()
(bench/sigsegv_sqlalchemy.py).
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import weakref

SCENARIOS = ("callback", "thread", "nested")


class Plain:
    pass


class Node:
    pass


def main(scenario: str) -> int:
    target = Plain()
    target.a = 1
    target.b = 2
    target.last = [object()]  # a GC-tracked value, so the dict holding it is traversed
    # Fill the class's shared keys: each new instance shrinks them, one more name takes the rest.
    others = [Plain() for _ in range(40)]
    others[0].filler = 1

    go = threading.Event()

    def other_thread() -> None:
        go.wait()
        del target.a

    threading.Thread(target=other_thread, daemon=True).start()

    def callback(_ref: weakref.ref) -> None:
        if scenario == "callback":
            del target.a
        elif scenario == "thread":
            go.set()
            time.sleep(0.05)  # the other thread runs now, inside our half-done store
        else:
            target.late_in_callback = 1

    def garbage() -> weakref.ref:
        node = Node()
        node.self = node  # a cycle: only the cyclic GC frees it
        return weakref.ref(node, callback)

    collections: list[int] = []
    gc.callbacks.append(lambda phase, info: collections.append(info["generation"]))
    gc.disable()
    ref = garbage()
    keep = [{} for _ in range(200)]  # empty the dict free list: new_dict must GC-allocate
    gc.set_threshold(1)
    gc.enable()
    target.late = 3  # not a shared key: the values become a dict here
    gc.set_threshold(700)
    keys = list(vars(target))
    print(
        f"{sys.version.split()[0]} {scenario}: collection during the store: "
        f"{bool(collections)}, callback ran: {ref() is None}; vars(target) keys {keys}",
        flush=True,
    )
    if len(keys) != len(set(keys)):
        print("  corrupt: a key is in the instance dict twice", flush=True)
    target.last = None  # the one counted reference goes: the list is freed
    for _ in range(3):
        gc.collect()
    print("  survived the collections", flush=True)
    del keep, others
    return 0


if __name__ == "__main__":
    choice = sys.argv[1] if len(sys.argv) > 1 else "callback"
    if choice not in SCENARIOS:
        raise SystemExit(f"usage: {sys.argv[0]} [{'|'.join(SCENARIOS)}]")
    sys.exit(main(choice))

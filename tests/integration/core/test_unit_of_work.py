"""A unit of work holds no reference cycle: once done, it and its Session are freed at once."""

from __future__ import annotations

import gc
import weakref

from storage.unit_of_work import SqlUnitOfWorkFactory


def test_a_finished_unit_of_work_is_freed_without_the_garbage_collector(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    # Cycles wait for the collector, whose full passes pause every request in the process.
    gc.collect()
    gc.disable()
    try:
        with uow_factory() as uow:
            uow.dailies.daily_in_channel("T1", "C1")  # the stores are in use
            assert uow.oncall_history.uow.oncalls is uow.oncalls
            gone = (weakref.ref(uow), weakref.ref(uow.session))
        del uow
        assert [ref() for ref in gone] == [None, None]
    finally:
        gc.enable()

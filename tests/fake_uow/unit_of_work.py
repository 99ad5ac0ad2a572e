"""The fake unit of work: every ceremony's store over one in-memory copy of the tables.

Like SqlUnitOfWork, nothing is kept unless the service calls commit(); leaving the block
without it drops the work, and rows already read stay readable afterwards.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self, TypeVar

from tests.fake_uow.core import (
    Database,
    FakeInbox,
    FakeLanguageStore,
    FakePeopleStore,
    Row,
    Transaction,
)
from tests.fake_uow.daily import FakeDailyStore
from tests.fake_uow.home import FakeDailyReads, FakeHomeStore, FakeRetroReads, FakeWeeklyReads
from tests.fake_uow.oncall import FakeOncallStore
from tests.fake_uow.retro import FakeRetroStore
from tests.fake_uow.weekly import FakeOnCallQueries, FakeWeeklyStore

R = TypeVar("R", bound=Row)


class FakeUnitOfWork:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._tx: Transaction | None = None

    def __enter__(self) -> Self:
        if self._tx is not None:
            raise RuntimeError("a unit of work is entered once")
        self._db.lock.acquire()
        self._tx = Transaction(self._db)
        self.people = FakePeopleStore(self._tx)
        self.inbox = FakeInbox(self._tx)
        self.languages = FakeLanguageStore(self._tx)
        self.dailies = FakeDailyStore(self._tx)
        self.retros = FakeRetroStore(self._tx)
        self.oncalls = FakeOncallStore(self._tx)
        self.weeklies = FakeWeeklyStore(self._tx)
        self.home = FakeHomeStore(self._tx)
        # What the weekly report and the Home tab read of the other ceremonies, in the
        # same transaction.
        self.daily_history = FakeDailyReads(self._tx)
        self.retro_history = FakeRetroReads(self._tx)
        self.oncall_history = FakeOnCallQueries(self)
        self.weekly_history = FakeWeeklyReads(self._tx)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._tx is not None
        self._tx.close()
        self._db.lock.release()

    def _open(self) -> Transaction:
        if self._tx is None or not self._tx.open:
            raise RuntimeError("the unit of work is not open")
        return self._tx

    def commit(self) -> None:
        self._open().commit()

    def rollback(self) -> None:
        self._open().rollback()


class FakeUnitOfWorkFactory:
    """Units of work over one shared in-memory database; `commits` counts what was kept."""

    def __init__(self) -> None:
        self.db = Database()

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.db)

    @property
    def commits(self) -> int:
        return self.db.commits

    def rows(self, cls: type[R]) -> list[R]:
        """The committed rows of one table, in id order (copies: changing them changes nothing)."""
        with self() as uow:
            return uow._open().rows(cls)

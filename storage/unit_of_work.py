"""The SQL unit of work: one transaction, with every ceremony's store bound to it."""

from __future__ import annotations

import weakref
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from storage.daily.queries import SqlDailyQueries
from storage.daily.store import SqlDailyStore
from storage.home.store import SqlHomeStore
from storage.inbox import SqlInbox
from storage.languages import SqlLanguageStore
from storage.oncall.queries import SqlOnCallQueries
from storage.oncall.store import SqlOncallStore
from storage.people import SqlPeopleStore
from storage.retro.queries import SqlRetroQueries
from storage.retro.store import SqlRetroStore
from storage.weekly.queries import SqlWeeklyQueries
from storage.weekly.store import SqlWeeklyStore


class SqlUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.people = SqlPeopleStore(self.session)
        self.inbox = SqlInbox(self.session)
        self.languages = SqlLanguageStore(self.session)
        self.dailies = SqlDailyStore(self.session)
        self.retros = SqlRetroStore(self.session)
        self.oncalls = SqlOncallStore(self.session)
        self.weeklies = SqlWeeklyStore(self.session)
        self.home = SqlHomeStore(self.session)
        # What the weekly report and the Home tab read of the other ceremonies, in the
        # same transaction.
        self.daily_history = SqlDailyQueries(self.session)
        self.retro_history = SqlRetroQueries(self.session)
        # Through a weak reference: a unit of work that held itself in a cycle, with its
        # Session and every store, was left for the garbage collector (~60 objects each,
        # three units of work to a request), whose full passes paused every request.
        self.oncall_history = SqlOnCallQueries(weakref.proxy(self))
        self.weekly_history = SqlWeeklyQueries(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Nothing is kept unless the service commits: closing rolls back whatever was not
        # committed, and (unlike rollback) leaves loaded rows readable after the block.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory)

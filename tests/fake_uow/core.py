"""The in-memory database behind the fake unit of work: rows, tables, transactions.

It keeps the SQL stores' promises that services rely on: a row is a plain object with the
table's columns; an insert that takes a unique key (or misses a NOT NULL column or a parent
row) raises Conflict and leaves the rest intact; compare-and-set is an atomic claim; and
nothing is kept unless the unit of work commits.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar, TypeVar

from ceremonies.core.ports import Conflict


class IntegrityViolation(Exception):
    """A commit would break a constraint the SQL schema enforces (as a flush would fail)."""


class LostUpdate(Exception):
    """A unit of work committed over another's commit it never saw; SQL would not lose it."""


@dataclass(kw_only=True, eq=False)
class Row:
    """A stored row. Fields defaulting to None are nullable; every other one is NOT NULL.

    Rows compare by identity, as SQLAlchemy's mapped objects do.
    """

    id: int = 0
    # Column tuples no two rows may share (NULLs never clash, as in SQL).
    UNIQUE: ClassVar[tuple[tuple[str, ...], ...]] = ()
    # (column, name of the row class it refers to by id) pairs.
    FOREIGN: ClassVar[tuple[tuple[str, str], ...]] = ()

    @classmethod
    def not_null(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls) if f.default is not None]

    def columns(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


R = TypeVar("R", bound=Row)
Tables = dict[str, dict[int, Row]]


@dataclass(kw_only=True, eq=False)
class Absence(Row):
    team_id: str
    user_id: str
    start_date: date
    end_date: date
    created_by: str
    created_at: datetime


@dataclass(kw_only=True, eq=False)
class InboxEntry(Row):
    UNIQUE = (("team_id", "key"),)
    team_id: str
    key: str
    kind: str
    body: dict[str, Any]
    received_at: datetime
    claimed_at: datetime | None = None
    attempts: int = 0
    done_at: datetime | None = None
    failure: str | None = None


@dataclass(kw_only=True, eq=False)
class PersonLanguage(Row):
    UNIQUE = (("team_id", "user_id"),)
    team_id: str
    user_id: str
    slack_locale: str | None = None
    seen_at: datetime | None = None
    choice: str | None = None
    dm_channel_id: str | None = None


@dataclass(kw_only=True, eq=False)
class ChannelLanguage(Row):
    UNIQUE = (("team_id", "channel_id"),)
    team_id: str
    channel_id: str
    choice: str | None = None
    owner_id: str | None = None


class Database:
    """The committed state every unit of work of one factory shares."""

    def __init__(self) -> None:
        self.tables: Tables = {}
        self.version = 0
        self.commits = 0
        # Like a PostgreSQL sequence: ids are never handed out twice, even after a rollback.
        self.ids = itertools.count(1)
        # Units of work run one at a time, as SQLite's BEGIN IMMEDIATE makes writers queue;
        # re-entrant so a service may open a second one inside the first (claim_prompt does).
        self.lock = threading.RLock()


def _utc(value: Any, where: str) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime given to a UTC column ({where})")
        return value.astimezone(UTC)
    return value


def _key(row: Row, columns: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(row, c) for c in columns)


class Transaction:
    """One unit of work's private copy of the tables."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.open = True
        self._begin()

    def _begin(self) -> None:
        self.tables: Tables = copy.deepcopy(self.db.tables)
        self.version = self.db.version

    def table(self, cls: type[R]) -> dict[int, R]:
        if not self.open:
            raise RuntimeError("the unit of work is closed")
        return self.tables.setdefault(cls.__name__, {})  # type: ignore[return-value]

    def rows(self, cls: type[R], where: Callable[[R], bool] = lambda _: True) -> list[R]:
        """Rows in id order (what SQLite gives when a query names no order)."""
        return [row for row in self.table(cls).values() if where(row)]

    def first(self, cls: type[R], where: Callable[[R], bool]) -> R | None:
        return next(iter(self.rows(cls, where)), None)

    def get(self, cls: type[R], row_id: int | None) -> R | None:
        return self.table(cls).get(row_id)  # type: ignore[arg-type]

    def insert(self, row: R) -> R:
        """Adds a row at once; a taken key, a NULL or a missing parent raises Conflict."""
        table = self.table(type(row))
        problem = self._problem(row, table.values())
        if problem:
            raise Conflict(problem)
        for name, value in row.columns().items():
            _utc(value, f"{type(row).__name__}.{name}")
        row.id = next(self.db.ids)
        table[row.id] = row
        return row

    def delete(self, row: Row) -> None:
        self.table(type(row)).pop(row.id, None)

    def _problem(self, row: Row, others: Iterable[Row]) -> str | None:
        name = type(row).__name__
        for column in row.not_null():
            if column != "id" and getattr(row, column) is None:
                return f"NOT NULL constraint failed: {name}.{column}"
        for column, parent in row.FOREIGN:
            value = getattr(row, column)
            if value is not None and value not in self.tables.get(parent, {}):
                return f"FOREIGN KEY constraint failed: {name}.{column}"
        taken = {
            key: {_key(other, key) for other in others if other is not row} for key in row.UNIQUE
        }
        for key, values in taken.items():
            mine = _key(row, key)
            if None not in mine and mine in values:
                return f"UNIQUE constraint failed: {name}.{', '.join(key)}"
        return None

    def commit(self) -> None:
        for rows in self.tables.values():
            for row in rows.values():
                problem = self._problem(row, ())
                if problem:
                    raise IntegrityViolation(problem)
            sample = next(iter(rows.values()), None)
            for key in sample.UNIQUE if sample else ():
                keys = [k for k in (_key(row, key) for row in rows.values()) if None not in k]
                if len(keys) != len(set(keys)):
                    raise IntegrityViolation(f"UNIQUE constraint failed: {', '.join(key)}")
        if self.db.version != self.version:
            raise LostUpdate("another unit of work committed since this one began")
        committed = copy.deepcopy(self.tables)
        for rows in committed.values():
            for row in rows.values():
                for name, value in row.columns().items():
                    # What a later unit of work reads back: aware datetimes in UTC.
                    setattr(row, name, _utc(value, f"{type(row).__name__}.{name}"))
        self.db.tables = committed
        self.db.version += 1
        self.db.commits += 1
        self.version = self.db.version

    def rollback(self) -> None:
        self._begin()

    def close(self) -> None:
        # The copy is dropped; rows already handed out stay readable, as after session.close().
        self.tables = {}
        self.open = False


class FakeStore:
    """What every fake store shares with SqlStore: compare-and-set."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def compare_and_set(
        self, row: Any, expected: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> bool:
        """Changes `row` only if its stored columns still hold `expected` (an atomic claim)."""
        stored = self._tx.get(type(row), row.id)
        if stored is None:
            return False
        for name, value in {**expected, **changes}.items():
            _utc(value, f"{type(row).__name__}.{name}")
            if not hasattr(stored, name):
                raise AttributeError(f"{type(row).__name__} has no column {name}")
        if any(getattr(stored, name) != value for name, value in expected.items()):
            return False
        for name, value in changes.items():
            setattr(stored, name, value)
            setattr(row, name, value)
        return True


class FakePeopleStore(FakeStore):
    def absences(self, team_id: str, user_ids: list[str]) -> list[Absence]:
        wanted = set(user_ids)
        return self._tx.rows(Absence, lambda a: a.team_id == team_id and a.user_id in wanted)

    def add_absence(self, **fields: Any) -> Absence:
        return self._tx.insert(Absence(**fields))


class FakeLanguageStore(FakeStore):
    def person(self, team_id: str, user_id: str) -> PersonLanguage | None:
        return self._tx.first(
            PersonLanguage, lambda p: (p.team_id, p.user_id) == (team_id, user_id)
        )

    def people(self, team_id: str, user_ids: list[str]) -> list[PersonLanguage]:
        wanted = set(user_ids)
        return self._tx.rows(PersonLanguage, lambda p: p.team_id == team_id and p.user_id in wanted)

    def dm_owner(self, team_id: str, dm_channel_id: str) -> PersonLanguage | None:
        return self._tx.first(
            PersonLanguage, lambda p: (p.team_id, p.dm_channel_id) == (team_id, dm_channel_id)
        )

    def add_person(self, **fields: Any) -> PersonLanguage:
        return self._tx.insert(PersonLanguage(**fields))

    def channel(self, team_id: str, channel_id: str) -> ChannelLanguage | None:
        return self._tx.first(
            ChannelLanguage, lambda c: (c.team_id, c.channel_id) == (team_id, channel_id)
        )

    def add_channel(self, **fields: Any) -> ChannelLanguage:
        return self._tx.insert(ChannelLanguage(**fields))


class FakeInbox(FakeStore):
    def receive(
        self, team_id: str, key: str, kind: str, body: dict[str, Any], now: datetime
    ) -> tuple[InboxEntry, bool]:
        row = InboxEntry(
            team_id=team_id,
            key=key,
            kind=kind,
            body=body,
            received_at=now,
            claimed_at=now,
            attempts=1,
        )
        try:
            return self._tx.insert(row), True
        except Conflict:
            known = self._tx.first(InboxEntry, lambda e: (e.team_id, e.key) == (team_id, key))
            assert known is not None
            return known, False

    def receive_many(
        self, receipts: list[tuple[str, str, str, dict[str, Any]]], now: datetime
    ) -> list[tuple[int, bool, str | None]]:
        results = []
        for team_id, key, kind, body in receipts:
            row, new = self.receive(team_id, key, kind, body, now)
            results.append((row.id, new, row.failure))
        return results

    def entry(self, entry_id: int) -> InboxEntry | None:
        return self._tx.get(InboxEntry, entry_id)

    def claim(self, entry_id: int, now: datetime, stale_before: datetime) -> bool:
        entry = self._tx.get(InboxEntry, entry_id)
        if entry is None or entry.done_at is not None:
            return False
        if entry.claimed_at is not None and not at_or_before(entry.claimed_at, stale_before):
            return False
        entry.claimed_at, entry.attempts = now, entry.attempts + 1
        return True

    def finish(self, entry_id: int, now: datetime, failure: str | None = None) -> None:
        entry = self._tx.get(InboxEntry, entry_id)
        if entry is not None and entry.done_at is None:
            entry.done_at, entry.failure = now, failure

    def note_failure(self, entry_id: int, failure: str) -> None:
        entry = self._tx.get(InboxEntry, entry_id)
        if entry is not None and entry.done_at is None:
            entry.failure = failure[:2000]

    def unfinished(self, stale_before: datetime, limit: int) -> list[InboxEntry]:
        rows = self._tx.rows(
            InboxEntry,
            lambda e: (
                e.done_at is None and (e.claimed_at is None or before(e.claimed_at, stale_before))
            ),
        )
        return sorted(rows, key=lambda e: (e.received_at, e.id))[:limit]

    def forget_done(self, before: datetime) -> int:
        old = self._tx.rows(InboxEntry, lambda e: e.done_at is not None and e.done_at < before)
        for entry in old:
            self._tx.table(InboxEntry).pop(entry.id)
        return len(old)


def at_or_before(value: Any, limit: Any) -> bool:
    """SQL's `column <= limit`: a NULL column never qualifies."""
    return value is not None and value <= limit


def before(value: Any, limit: Any) -> bool:
    """SQL's `column < limit`: a NULL column never qualifies."""
    return value is not None and value < limit

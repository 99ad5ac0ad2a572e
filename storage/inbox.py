"""The inbox: every request that carries what a person wrote or chose, stored before its ack.

A row is the request's body as Slack sent it, keyed by what makes it unique (an event id,
a trigger id), so a retried delivery finds its row. It is claimed by whoever processes it
(the receiving process at once, or a later tick once the claim is older than a lease) and
marked done when the work it asked for is stored; a tick re-dispatches rows a crash left
unfinished.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

import psycopg
from sqlalchemy import (
    JSON,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    or_,
    select,
    tuple_,
)
from sqlalchemy import text as sql_text
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import Insert

from storage.base import Base
from storage.store_base import SqlStore


class InboxEntry(Base):
    """One received request and how far its processing got."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        # A tick looks only at what is unfinished, and that stays small.
        Index(
            "ix_inbox_unfinished",
            "received_at",
            sqlite_where=sql_text("done_at IS NULL"),
            postgresql_where=sql_text("done_at IS NULL"),
        ),
        Index("ix_inbox_done_at", "done_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(Text)


@cache
def _insert_new(dialect: str) -> Insert:
    """The INSERT of a batch of receipts that skips known keys, built once: it runs before
    every ack, with the rows as parameters (SQLAlchemy's "insertmanyvalues") rather than
    .values(rows), which would be compiled afresh for every batch."""
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    return (
        insert(InboxEntry.__table__)
        .on_conflict_do_nothing(index_elements=["team_id", "key"])
        .returning(InboxEntry.id, InboxEntry.team_id, InboxEntry.key)
    )


class SqlInbox(SqlStore):
    def receive(
        self, team_id: str, key: str, kind: str, body: dict[str, Any], now: datetime
    ) -> tuple[InboxEntry, bool]:
        """Stores a request, claimed by the caller; (the existing row, False) if it was known.

        One INSERT … ON CONFLICT DO NOTHING: it runs before every ack, so it stays lean
        (no savepoint, no ORM flush).
        """
        insert = sqlite_insert if self.session.get_bind().dialect.name == "sqlite" else pg_insert
        new_id = self.session.scalar(
            insert(InboxEntry)
            .values(
                team_id=team_id,
                key=key,
                kind=kind,
                body=body,
                received_at=now,
                claimed_at=now,
                attempts=1,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "key"])
            .returning(InboxEntry.id)
        )
        entry = self.session.scalar(
            select(InboxEntry).where(InboxEntry.team_id == team_id, InboxEntry.key == key)
        )
        assert entry is not None
        return entry, new_id is not None

    def receive_many(
        self, receipts: list[tuple[str, str, str, dict[str, Any]]], now: datetime
    ) -> list[tuple[int, bool, str | None]]:
        """Stores several requests (team, key, kind, body) in one statement; for each, in
        order: (its row's id, whether it is new, the failure a known row carries)."""
        return receive_many(self.session.connection(), receipts, now)

    def entry(self, entry_id: int) -> InboxEntry | None:
        return self.session.get(InboxEntry, entry_id)

    def claim(self, entry_id: int, now: datetime, stale_before: datetime) -> bool:
        """Takes over an unfinished row whose last claim is not after `stale_before`."""
        return claim(self.session.connection(), entry_id, now, stale_before)

    def finish(self, entry_id: int, now: datetime, failure: str | None = None) -> None:
        self.session.execute(
            sql_update(InboxEntry)
            .where(InboxEntry.id == entry_id, InboxEntry.done_at.is_(None))
            .values(done_at=now, failure=failure)
            .execution_options(synchronize_session=False)
        )

    def note_failure(self, entry_id: int, failure: str) -> None:
        """The work failed; the row stays unfinished for a later tick to try again."""
        self.session.execute(
            sql_update(InboxEntry)
            .where(InboxEntry.id == entry_id, InboxEntry.done_at.is_(None))
            .values(failure=failure[:2000])
            .execution_options(synchronize_session=False)
        )

    def unfinished(self, stale_before: datetime, limit: int) -> list[InboxEntry]:
        return list(
            self.session.scalars(
                select(InboxEntry)
                .where(
                    InboxEntry.done_at.is_(None),
                    or_(InboxEntry.claimed_at.is_(None), InboxEntry.claimed_at < stale_before),
                )
                .order_by(InboxEntry.received_at, InboxEntry.id)
                .limit(limit)
            )
        )

    def forget_done(self, before: datetime) -> int:
        """Finished rows older than `before` go: the work they carried is in its own tables."""
        result = self.session.execute(
            delete(InboxEntry)
            .where(InboxEntry.done_at.is_not(None), InboxEntry.done_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


# The receipt writer (bot/receipts.py) calls these on a connection of its own, without a
# Session: they run before every ack, and the ORM's transaction and pool bookkeeping around
# them cost more than the statements.


def receive_many(
    connection: Connection, receipts: list[tuple[str, str, str, dict[str, Any]]], now: datetime
) -> list[tuple[int, bool, str | None]]:
    """SqlInbox.receive_many on `connection`: in the caller's transaction, or (the receipt
    writer on PostgreSQL) in autocommit, where each statement stands alone."""
    # In key order, so two batches that share keys (on PostgreSQL, writers side by side, or
    # replicas) lock them in the same order and cannot deadlock each other.
    ordered = sorted(receipts, key=lambda r: (r[0], r[1]))
    if connection.dialect.name == "postgresql":
        inserted = _insert_new_postgresql(connection, ordered, now)
    else:
        values = [
            {
                "team_id": team_id,
                "key": key,
                "kind": kind,
                "body": body,
                "received_at": now,
                "claimed_at": now,
                "attempts": 1,
            }
            for team_id, key, kind, body in ordered
        ]
        inserted = {
            (row.team_id, row.key): row.id
            for row in connection.execute(_insert_new(connection.dialect.name), values)
        }
    if len(inserted) == len(receipts):  # the usual case: every key new, none repeated
        return [(inserted[(t, k)], True, None) for t, k, _, _ in receipts]
    wanted = {(t, k) for t, k, _, _ in receipts} - set(inserted)
    table = InboxEntry.__table__
    known = {
        (row.team_id, row.key): (row.id, row.failure)
        for row in connection.execute(
            select(table.c.id, table.c.team_id, table.c.key, table.c.failure).where(
                tuple_(table.c.team_id, table.c.key).in_(sorted(wanted))
            )
        )
    }
    results: list[tuple[int, bool, str | None]] = []
    for team_id, key, _, _ in receipts:
        if (team_id, key) in inserted:
            # The first of several with one key is new; the others are its retries.
            results.append((inserted.pop((team_id, key)), True, None))
            known[(team_id, key)] = (results[-1][0], None)
        else:
            entry_id, failure = known[(team_id, key)]
            results.append((entry_id, False, failure))
    return results


@cache
def _pg_insert_text(rows: int) -> str:
    """The INSERT of `rows` receipts with PostgreSQL's own placeholders ($1, $2…): one text
    per batch size, which psycopg prepares on the server once it has run a few times."""
    values = ", ".join(
        "(" + ", ".join(f"${row * 6 + column}" for column in range(1, 7)) + ", 1)"
        for row in range(rows)
    )
    return (
        f"INSERT INTO {InboxEntry.__tablename__} "
        f"(team_id, key, kind, body, received_at, claimed_at, attempts) VALUES {values} "
        "ON CONFLICT (team_id, key) DO NOTHING RETURNING id, team_id, key"
    )


def _insert_new_postgresql(
    connection: Connection, receipts: list[tuple[str, str, str, dict[str, Any]]], now: datetime
) -> dict[tuple[str, str], int]:
    """What _insert_new does, straight through psycopg: SQLAlchemy's execution around it
    (bind processing, result rows) cost more than the statement, in front of every ack.
    A raw cursor, as psycopg's own %s placeholders are parsed anew for every statement of
    more than 50 parameters (a batch of 9 receipts or more, exactly under load)."""
    # `now` as the received_at column's own type stores it, and each body as its JSON text.
    stored_now = InboxEntry.__table__.c.received_at.type.process_bind_param(now, connection.dialect)
    params: list[Any] = []
    for team_id, key, kind, body in receipts:
        params += (team_id, key, kind, json.dumps(body), stored_now, stored_now)
    cursor = psycopg.RawCursor(connection.connection.dbapi_connection)  # type: ignore[arg-type]
    try:
        cursor.execute(_pg_insert_text(len(receipts)), params)
        return {(team_id, key): entry_id for entry_id, team_id, key in cursor.fetchall()}
    finally:
        cursor.close()


def finish_many(connection: Connection, ends: list[tuple[int, str | None]], now: datetime) -> None:
    """SqlInbox.finish for many rows (id, why it was rejected or None): one UPDATE per reason,
    so the usual batch, all without one, is one statement."""
    table = InboxEntry.__table__
    by_reason: dict[str | None, list[int]] = {}
    for entry_id, rejected in ends:
        by_reason.setdefault(rejected, []).append(entry_id)
    for rejected, ids in by_reason.items():
        # In id order, as every batch: writers side by side lock rows in the same order.
        connection.execute(
            sql_update(table)
            .where(table.c.id.in_(sorted(ids)), table.c.done_at.is_(None))
            .values(done_at=now, failure=rejected)
        )


def claim(connection: Connection, entry_id: int, now: datetime, stale_before: datetime) -> bool:
    """SqlInbox.claim on `connection` (one conditional UPDATE, atomic by itself)."""
    table = InboxEntry.__table__
    result = connection.execute(
        sql_update(table)
        .where(
            table.c.id == entry_id,
            table.c.done_at.is_(None),
            or_(table.c.claimed_at.is_(None), table.c.claimed_at <= stale_before),
        )
        .values(claimed_at=now, attempts=table.c.attempts + 1)
    )
    return result.rowcount == 1

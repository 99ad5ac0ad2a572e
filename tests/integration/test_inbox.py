"""The inbox on a real database: a request is kept once, claimed once, finished once."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine, select

from bot.inbox import _store_receipts
from bot.receipts import Receipt, ReceiptWriter
from bot.runtime import receipt_connections
from storage.db import writer_queue
from storage.inbox import InboxEntry, finish_many
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FixedClock, utc

NOW = utc(2026, 11, 30, 9, 0)
LEASE = timedelta(minutes=2)
# What a person wrote, as Slack sends it: not only ASCII, and nested.
FIRST = {"text": "première — 今日は *done*", "blocks": [{"type": "rich_text", "n": None}]}


def test_a_request_is_received_once_per_workspace_and_key(uow_factory: SqlUnitOfWorkFactory):
    body = {"type": "event_callback", "event": {"text": "Wrote the importer"}}
    with uow_factory() as uow:
        first, new = uow.inbox.receive("T1", "event:Ev1", "event", body, NOW)
        assert new and first.claimed_at == NOW and first.attempts == 1
        again, new_again = uow.inbox.receive("T1", "event:Ev1", "event", body, NOW)
        assert not new_again and again.id == first.id
        assert uow.inbox.receive("T2", "event:Ev1", "event", body, NOW)[1]
        uow.commit()
    with uow_factory() as uow:
        assert uow.inbox.entry(first.id).body == body


def test_a_claim_is_taken_over_only_once_it_is_stale(uow_factory: SqlUnitOfWorkFactory):
    with uow_factory() as uow:
        entry, _ = uow.inbox.receive("T1", "command:tr1", "command", {}, NOW)
        uow.commit()
    later = NOW + timedelta(minutes=1)
    with uow_factory() as uow:
        assert not uow.inbox.claim(entry.id, later, later - LEASE)  # still being worked on
        assert uow.inbox.unfinished(later - LEASE, 10) == []
        much_later = NOW + timedelta(minutes=3)
        assert [e.id for e in uow.inbox.unfinished(much_later - LEASE, 10)] == [entry.id]
        assert uow.inbox.claim(entry.id, much_later, much_later - LEASE)
        assert not uow.inbox.claim(entry.id, much_later, much_later - LEASE)  # once
        uow.commit()
    with uow_factory() as uow:
        assert uow.inbox.entry(entry.id).attempts == 2


def test_finished_rows_are_not_replayed_and_are_forgotten_after_a_while(
    uow_factory: SqlUnitOfWorkFactory,
):
    with uow_factory() as uow:
        done, _ = uow.inbox.receive("T1", "view_submission:tr1", "view_submission", {}, NOW)
        failed, _ = uow.inbox.receive("T1", "block_actions:tr2", "block_actions", {}, NOW)
        uow.inbox.finish(done.id, NOW)
        uow.inbox.note_failure(failed.id, "ConnectionError: gone")
        uow.commit()
    stale = NOW + timedelta(minutes=5)
    with uow_factory() as uow:
        (left,) = uow.inbox.unfinished(stale - LEASE, 10)
        assert left.id == failed.id and left.failure == "ConnectionError: gone"
        assert uow.inbox.forget_done(NOW) == 0
        assert uow.inbox.forget_done(NOW + timedelta(days=8)) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.inbox.entry(done.id) is None and uow.inbox.entry(failed.id) is not None


def test_a_batch_is_stored_at_once_and_knows_its_retries(uow_factory: SqlUnitOfWorkFactory):
    with uow_factory() as uow:
        ((old_id, _, _),) = uow.inbox.receive_many([("T1", "event:old", "event", {})], NOW)
        uow.inbox.note_failure(old_id, "Slack said 500")
        uow.commit()
    batch = [
        ("T1", "event:a", "event", FIRST),
        ("T1", "event:a", "event", FIRST),  # Slack's retry, in the same burst
        ("T2", "event:a", "event", {"text": "another workspace"}),
        ("T1", "event:old", "event", {}),
    ]
    with uow_factory() as uow:
        stored = uow.inbox.receive_many(batch, NOW)
        uow.commit()
    (a, a_new, _), (again, again_new, _), (other, other_new, _), (old, old_new, failure) = stored
    assert a_new and not again_new and again == a
    assert other_new and other != a
    assert (old, old_new, failure) == (old_id, False, "Slack said 500")
    with uow_factory() as uow:
        entry = uow.inbox.entry(a)
        assert entry is not None
        assert entry.body == FIRST
        assert (entry.received_at, entry.claimed_at, entry.attempts) == (NOW, NOW, 1)


def test_a_big_batch_is_stored_whole_and_in_order(uow_factory: SqlUnitOfWorkFactory):
    # 25 receipts are 150 parameters: past what psycopg caches of a statement's parsing.
    batch = [("T1", f"event:{n}", "event", {"n": n, "text": "it's 100% done"}) for n in range(25)]
    with uow_factory() as uow:
        stored = uow.inbox.receive_many(batch, NOW)
        uow.commit()
    assert all(new for _, new, _ in stored) and len({i for i, _, _ in stored}) == 25
    with uow_factory() as uow:
        bodies = [uow.inbox.entry(entry_id) for entry_id, _, _ in stored]
        assert [entry.body["n"] for entry in bodies if entry] == list(range(25))
        assert bodies[3] and bodies[3].key == "event:3" and bodies[3].received_at == NOW


def test_the_receipt_writer_stores_a_burst_on_its_own_connection(engine: Engine):
    """As `serve` runs it: the writer thread on a connection of its own (in autocommit on
    PostgreSQL), requests from many threads; each id it hands back is a row another
    connection already sees (committed before the ack), and Slack's retries in the same
    burst get no id."""
    queue = writer_queue(engine)
    writer = ReceiptWriter(
        _store_receipts,
        receipt_connections(engine),
        FixedClock(NOW),
        queue.urgently if queue else contextlib.nullcontext,
    )
    keys = [f"command:tr{i % 30}" for i in range(40)]  # 10 of them Slack's retries
    with ThreadPoolExecutor(max_workers=12) as pool:
        ids = list(
            pool.map(lambda key: writer.receive(Receipt("T1", "command", key, {"k": key})), keys)
        )
    taken = [entry_id for entry_id in ids if entry_id is not None]
    assert len(taken) == len(set(taken)) == 30
    with engine.connect() as other:
        rows = other.execute(select(InboxEntry.id, InboxEntry.key)).all()
    assert sorted(rows) == sorted((entry_id, keys[ids.index(entry_id)]) for entry_id in taken)


def test_many_rows_are_finished_at_once_each_with_its_reason(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory
):
    with uow_factory() as uow:
        ids = [uow.inbox.receive("T1", f"event:Ev{i}", "event", {}, NOW)[0].id for i in range(4)]
        uow.inbox.finish(ids[3], NOW, "earlier")
        uow.commit()
    later = NOW + timedelta(seconds=5)
    rejected = "unreadable: KeyError: 'view'"
    ends = [(ids[0], None), (ids[1], rejected), (ids[2], None), (ids[3], None)]
    with receipt_connections(engine)() as connection, connection.begin():
        finish_many(connection, ends, later)
    with uow_factory() as uow:
        rows = [uow.inbox.entry(entry_id) for entry_id in ids]
        assert [(r.done_at, r.failure) for r in rows] == [
            (later, None),
            (later, rejected),
            (later, None),
            (NOW, "earlier"),  # a row done already is left as it was
        ]
        assert uow.inbox.unfinished(later + LEASE, 10) == []

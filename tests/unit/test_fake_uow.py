"""The fake unit of work keeps SqlUnitOfWork's promises, or the service tests would lie."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import UniqueConstraint

import storage.unit_of_work  # noqa: F401  (loads every table)
from ceremonies.core.ports import Conflict, Inbox, PeopleStore
from ceremonies.daily.ports import DailyStore
from ceremonies.retro.ports import RetroStore
from storage.base import Base
from tests.fake_uow import (
    Daily,
    FakeDailyStore,
    FakeRetroStore,
    FakeUnitOfWork,
    FakeUnitOfWorkFactory,
    IntegrityViolation,
    LostUpdate,
    Participant,
    Prompt,
)
from tests.fake_uow.core import FakeInbox, FakePeopleStore, Row
from tests.fakes import utc

NOW = utc(2026, 11, 30, 9, 0)


def add_daily(uow: FakeUnitOfWork, channel: str = "CTEAM") -> Daily:
    return uow.dailies.add_daily(
        team_id="T1",
        channel_id=channel,
        owner_id="UBERLIN",
        prompt_time=time(10, 0),
        weekdays=frozenset(range(5)),
        questions=["Yesterday?"],
        created_at=NOW,
    )


def add_prompt(uow: FakeUnitOfWork, daily: Daily, user: str = "UBERLIN") -> Prompt:
    return uow.dailies.add_prompt(
        team_id="T1",
        daily_id=daily.id,
        user_id=user,
        local_date=date(2026, 11, 30),
        status="pending",
        questions=["Yesterday?"],
        scheduled_at=NOW,
        claimed_at=NOW,
    )


def test_nothing_is_kept_unless_committed():
    uow_factory = FakeUnitOfWorkFactory()
    with uow_factory() as uow:
        daily = add_daily(uow)
    assert daily.channel_id == "CTEAM"  # still readable after the block
    with pytest.raises(RuntimeError), uow_factory() as uow:
        add_daily(uow)
        raise RuntimeError("the service failed")
    with uow_factory() as uow:
        add_daily(uow)
        uow.rollback()
        uow.commit()
    assert uow_factory.rows(Daily) == [] and uow_factory.commits == 1
    with uow_factory() as uow:
        kept = add_daily(uow)
        assert kept.paused is False and kept.remind_after_minutes == 120  # the SQL defaults
        uow.commit()
    kept.owner_id = "USOMEONE"  # a row after its block is detached: changing it keeps nothing
    (stored,) = uow_factory.rows(Daily)
    assert (stored.id, stored.owner_id) == (kept.id, "UBERLIN")
    with pytest.raises(RuntimeError):
        uow.dailies.daily(kept.id)  # a closed unit of work reads nothing any more


def test_a_taken_unique_key_raises_conflict_and_leaves_the_rest_intact():
    uow_factory = FakeUnitOfWorkFactory()
    with uow_factory() as uow:
        daily = add_daily(uow)
        first = add_prompt(uow, daily)
        with pytest.raises(Conflict):
            add_prompt(uow, daily)  # (daily, user, local date) is taken
        with pytest.raises(Conflict):
            add_daily(uow)  # (team, channel) is taken
        with pytest.raises(Conflict):
            uow.dailies.add_participant(team_id="T1", daily_id=999, user_id="U", tz="UTC")
        with pytest.raises(Conflict):
            uow.dailies.add_participant(team_id="T1", daily_id=daily.id, user_id="U", tz=None)
        uow.commit()
    assert [p.id for p in uow_factory.rows(Prompt)] == [first.id]
    assert uow_factory.rows(Participant) == []


def test_compare_and_set_claims_once():
    uow_factory = FakeUnitOfWorkFactory()
    with uow_factory() as uow:
        prompt = add_prompt(uow, add_daily(uow))
        uow.commit()
    claims = []
    for _ in range(2):
        with uow_factory() as uow:
            row = uow.dailies.prompt(prompt.id)
            claims.append(
                uow.dailies.compare_and_set(row, {"status": "pending"}, {"status": "sent"})
            )
            uow.commit()
    assert claims == [True, False]
    with uow_factory() as uow:  # a stale row from an earlier block is checked against the store
        assert not uow.dailies.compare_and_set(prompt, {"status": "pending"}, {"status": "x"})
        assert uow.dailies.compare_and_set(prompt, {"thread_ts": None}, {"thread_ts": "1.2"})
        assert prompt.thread_ts == "1.2"
        uow.commit()
    assert uow_factory.rows(Prompt)[0].thread_ts == "1.2"


def test_what_sql_would_refuse_at_commit_is_refused():
    uow_factory = FakeUnitOfWorkFactory()
    with uow_factory() as uow:
        add_daily(uow, "CONE")
        second = add_daily(uow, "CTWO")
        uow.commit()
        second.channel_id = "CONE"
        with pytest.raises(IntegrityViolation):
            uow.commit()
    with uow_factory() as uow:
        uow.dailies.daily(second.id).created_at = datetime(2026, 11, 30, 9)  # naive
        with pytest.raises(ValueError):
            uow.commit()
    with uow_factory() as outer:
        add_daily(outer, "CTHREE")
        with uow_factory() as inner:
            add_daily(inner, "CFOUR")
            inner.commit()
        with pytest.raises(LostUpdate):
            outer.commit()  # it would silently drop CFOUR
    assert sorted(d.channel_id for d in uow_factory.rows(Daily)) == ["CFOUR", "CONE", "CTWO"]


def test_datetimes_read_back_in_utc_and_requests_are_received_once():
    uow_factory = FakeUnitOfWorkFactory()
    berlin = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    with uow_factory() as uow:
        daily = add_daily(uow)
        daily.created_at = berlin
        received = [uow.inbox.receive("T1", "event:Ev1", "event", {}, NOW)[1] for _ in range(2)]
        assert received == [True, False]
        assert uow.inbox.receive("T2", "event:Ev1", "event", {}, NOW)[1]
        uow.commit()
    (stored,) = uow_factory.rows(Daily)
    assert stored.created_at == berlin and stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset().total_seconds() == 0
    with uow_factory() as uow:
        assert not uow.inbox.receive("T1", "event:Ev1", "event", {}, NOW)[1]


def test_the_fake_tables_and_stores_follow_the_sql_schema_and_the_ports():
    """Columns, NULLs, defaults, unique keys and parents as in storage/*/models.py."""
    names = {cls.__name__: cls for cls in _row_classes(Row)}
    assert {m.class_.__name__ for m in Base.registry.mappers} == set(names)
    for mapper in Base.registry.mappers:
        model, table = mapper.class_, mapper.local_table
        fake = names[model.__name__]
        fields = {f.name: f for f in dataclasses.fields(fake)}
        assert set(fields) == {c.name for c in table.columns} | {"id"}, model.__name__
        for column in table.columns:
            if not column.primary_key:
                field = fields[column.name]
                assert column.nullable == (field.default is None), (model.__name__, column.name)
                if column.default is not None:
                    assert field.default == column.default.arg, (model.__name__, column.name)
        unique = {
            tuple(c.name for c in constraint.columns)
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        }
        if len(table.primary_key.columns) > 1:
            unique.add(tuple(c.name for c in table.primary_key.columns))
        assert unique == set(fake.UNIQUE), model.__name__
        parents = {(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys}
        tables = {names[m.class_.__name__]: m.local_table.name for m in Base.registry.mappers}
        assert parents == {(c, tables[names[p]]) for c, p in fake.FOREIGN}, model.__name__
    for port, store in (
        (DailyStore, FakeDailyStore),
        (RetroStore, FakeRetroStore),
        (PeopleStore, FakePeopleStore),
        (Inbox, FakeInbox),
    ):
        for name, method in inspect.getmembers(port, inspect.isfunction):
            if not name.startswith("_"):
                wanted = inspect.signature(method).parameters
                assert inspect.signature(getattr(store, name)).parameters.keys() == wanted.keys()


def _row_classes(base: type[Row]) -> list[type[Row]]:
    return [c for sub in base.__subclasses__() for c in (sub, *_row_classes(sub))]

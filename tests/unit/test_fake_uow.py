"""The fake unit of work keeps SqlUnitOfWork's promises, or the service tests would lie."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import UniqueConstraint

import storage.unit_of_work  # noqa: F401  (loads every table)
from ceremonies.core.ports import Conflict, Inbox, LanguageStore, PeopleStore
from ceremonies.daily.ports import DailyStore
from ceremonies.oncall.ports import OncallStore
from ceremonies.retro.ports import RetroStore
from storage.base import Base
from tests.fake_uow import (
    Daily,
    FakeDailyStore,
    FakeOncallStore,
    FakeRetroStore,
    FakeUnitOfWork,
    FakeUnitOfWorkFactory,
    IntegrityViolation,
    LostUpdate,
    Participant,
    Prompt,
    Rotation,
    ShiftRow,
)
from tests.fake_uow.core import FakeInbox, FakeLanguageStore, FakePeopleStore, Row
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
        (OncallStore, FakeOncallStore),
        (PeopleStore, FakePeopleStore),
        (Inbox, FakeInbox),
        (LanguageStore, FakeLanguageStore),
    ):
        for name, method in inspect.getmembers(port, inspect.isfunction):
            if not name.startswith("_"):
                wanted = inspect.signature(method).parameters
                assert inspect.signature(getattr(store, name)).parameters.keys() == wanted.keys()


def add_rotation(
    uow: FakeUnitOfWork, channel: str, members: list[str], due: datetime | None
) -> Rotation:
    return uow.oncalls.add_rotation(
        team_id="T1",
        channel_id=channel,
        owner_id="UA",
        member_tz=dict.fromkeys(members, "Europe/Berlin"),
        member_country={},
        calendar_secret=f"secret-{channel}",
        next_due_at=due,
        created_at=NOW,
    )


def add_shift(uow: FakeUnitOfWork, rotation: Rotation, days: int, **fields: object) -> None:
    uow.oncalls.add_shift(
        **{
            "team_id": "T1",
            "rotation_id": rotation.id,
            "starts_at": NOW + timedelta(days=days),
            "planned_end": NOW + timedelta(days=days + 1),
            "user_id": "UA",
            "reason": "scheduled",
            "scheduled_id": "UA",
            "claimed_at": NOW,
            **fields,
        }
    )


def test_the_oncall_store_finds_rotations_versions_and_windows_as_sql_does() -> None:
    hour = timedelta(hours=1)
    with FakeUnitOfWorkFactory()() as uow:
        store = uow.oncalls
        later = add_rotation(uow, "CONE", ["UA", "UB"], NOW + 2 * hour)
        sooner = add_rotation(uow, "CTWO", ["UB"], NOW - hour)
        idle = add_rotation(uow, "CTHREE", ["UC"], None)
        with pytest.raises(Conflict):
            add_rotation(uow, "CONE", ["UA"], None)  # (team, channel) is taken
        assert store.rotation_in_channel("T1", "CTWO") is sooner
        assert store.rotation_by_secret("secret-CTHREE") is idle
        # by the member map; SQL names no order, so none is asserted
        assert {r.id for r in store.rotations_of("T1", "UB")} == {later.id, sooner.id}
        assert store.rotations_of("T2", "UB") == []
        assert store.due_rotation_ids(NOW, 10) == [sooner.id]  # next_due_at <= now
        assert store.due_rotation_ids(NOW + 2 * hour, 10) == [sooner.id, later.id]
        assert store.due_rotation_ids(NOW + 2 * hour, 1) == [sooner.id]
        for days in (2, 0, 1):
            store.add_version(
                rotation_id=later.id,
                effective_from=NOW + timedelta(days=days),
                members=["UA"],
                shift="weekly",
                handoff_day=0,
                handoff_time=time(10, 0),
                tz="Europe/Berlin",
                created_by="UA",
                created_at=NOW,
            )
        assert [v.effective_from.day for v in store.versions(later.id)] == [30, 1, 2]
        assert store.versions(later.id)[0].restart is False  # the SQL default
        window = dict(
            rotation_id=later.id,
            starts_at=NOW,
            ends_at=NOW + hour,
            user_id="UB",
            reason="override",
            created_by="UA",
            created_at=NOW,
        )
        first = store.add_window(**window, request_key="req-1")
        with pytest.raises(Conflict):
            store.add_window(**window, request_key="req-1")  # a replayed request
        second = store.add_window(**window)  # without a request key: no clash
        assert store.windows(later.id) == [first, second]
        assert store.windows(sooner.id) == []


def test_the_oncall_store_reads_what_happened_by_start_as_sql_does() -> None:
    with FakeUnitOfWorkFactory()() as uow:
        store = uow.oncalls
        rotation = add_rotation(uow, "CONE", ["UA"], None)
        for days in (5, 0, 3):
            store.add_turn(
                rotation_id=rotation.id,
                starts_at=NOW + timedelta(days=days),
                user_id="UA",
                taken_by="UB",
                reason="scheduled",
                after={},
                recorded_at=NOW,
            )
        day = timedelta(days=1)
        assert store.latest_turn(rotation.id, NOW + 4 * day).starts_at == NOW + 3 * day
        assert store.latest_turn(rotation.id, NOW + 3 * day).starts_at == NOW + 3 * day
        assert store.latest_turn(rotation.id, NOW - day) is None
        found = store.turns_at(rotation.id, [NOW + 3 * day, NOW + day, NOW])
        assert sorted((t.starts_at - NOW).days for t in found) == [0, 3]  # SQL names no order
        assert store.turns_at(rotation.id, []) == []
        add_shift(uow, rotation, 4)
        add_shift(uow, rotation, 0, announced_at=NOW)
        add_shift(uow, rotation, 2, claimed_at=NOW - timedelta(minutes=3))
        with pytest.raises(Conflict):
            add_shift(uow, rotation, 2)  # its handoff is claimed already

        def starts(rows: list[ShiftRow]) -> list[int]:
            return [(s.starts_at - NOW).days for s in rows]

        assert starts(store.shifts(rotation.id, NOW, NOW + 4 * day)) == [0, 2]
        assert store.latest_shift(rotation.id, NOW + 3 * day).starts_at == NOW + 2 * day
        assert starts(store.unannounced_shifts(rotation.id, NOW)) == [2]
        assert starts(store.unannounced_shifts(rotation.id, NOW + timedelta(minutes=1))) == [2, 4]
        (shift,) = store.unannounced_shifts(rotation.id, NOW)
        assert store.unannounced_shifts_by_id(shift.id) == [shift]
        assert store.compare_and_set(shift, {"announced_at": None}, {"announced_at": NOW})
        assert store.unannounced_shifts_by_id(shift.id) == []
        assert not store.compare_and_set(shift, {"announced_at": None}, {"announced_at": NOW})
        for key, sent_at in (("b", None), ("a", NOW), ("c", None)):
            store.add_notice(
                rotation_id=rotation.id,
                key=key,
                user_id="UA",
                context={},
                created_at=NOW,
                sent_at=sent_at,
            )
        with pytest.raises(Conflict):
            store.add_notice(
                rotation_id=rotation.id, key="a", user_id="UB", context={}, created_at=NOW
            )
        assert [n.key for n in store.unsent_notices(rotation.id)] == ["b", "c"]
        assert store.notice(rotation.id, "a").sent_at == NOW
        assert store.notice(rotation.id, "z") is None


def _row_classes(base: type[Row]) -> list[type[Row]]:
    return [c for sub in base.__subclasses__() for c in (sub, *_row_classes(sub))]

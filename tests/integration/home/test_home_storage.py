"""The Home tab on real storage (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
its table, and the ceremonies' person queries read as the fake unit of work reads them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ceremonies.core.ports import Conflict
from ceremonies.home import refresh
from ceremonies.home.view import HomeView, assemble
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fake_uow import FakeUnitOfWorkFactory
from tests.unit.home import seed
from tests.unit.home.seed import NOW, TEAM


def without_ids(home: HomeView) -> HomeView:
    """Row ids differ between the engines; everything else must not."""
    return replace(
        home,
        dailies=replace(
            home.dailies, shown=tuple(replace(d, prompt_id=None) for d in home.dailies.shown)
        ),
        actions=replace(
            home.actions, shown=tuple(replace(a, action_id=0) for a in home.actions.shown)
        ),
    )


def test_the_view_reads_the_same_as_over_the_fakes(uow_factory: SqlUnitOfWorkFactory) -> None:
    fake = FakeUnitOfWorkFactory()
    seed.seed(fake, seed.chat())
    ids = seed.seed(uow_factory, seed.chat())
    with uow_factory() as uow:
        stored = assemble(uow, TEAM, "UANNA", "Europe/Berlin", NOW)
    with fake() as uow:
        expected = assemble(uow, TEAM, "UANNA", "Europe/Berlin", NOW)
    assert without_ids(stored) == without_ids(expected)
    assert stored.dailies.shown[0].prompt_id == ids["open_prompt"]
    assert [a.action_id for a in stored.actions.shown] == [ids["due"], ids["later"]]
    assert stored.rotations.total == 1 and stored.reports.total == 1


def test_viewers_are_kept_once_and_claimed_by_digest(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.home.add_viewer(
            team_id=TEAM, user_id="UANNA", opened_at=NOW, published_hash=None, published_at=None
        )
        uow.commit()
    with uow_factory() as uow:
        with pytest.raises(Conflict):
            uow.home.add_viewer(
                team_id=TEAM, user_id="UANNA", opened_at=NOW, published_hash=None, published_at=None
            )
        assert [v.user_id for v in uow.home.viewers_among(TEAM, ["UBEN", "UANNA"])] == ["UANNA"]
        assert uow.home.viewers_among("T2", ["UANNA"]) == []
        viewer = uow.home.viewer(TEAM, "UANNA")
        assert viewer is not None
        assert uow.home.compare_and_set(viewer, {"published_hash": None}, {"published_hash": "a"})
        assert not uow.home.compare_and_set(
            viewer, {"published_hash": None}, {"published_hash": "b"}
        )
        uow.commit()
    with uow_factory() as uow:
        viewer = uow.home.viewer(TEAM, "UANNA")
        assert viewer is not None and viewer.published_hash == "a"
        assert viewer.opened_at == NOW  # aware UTC back from either engine


def test_opening_and_refreshing_on_real_storage(uow_factory: SqlUnitOfWorkFactory) -> None:
    chat = seed.chat()
    ids = seed.seed(uow_factory, chat)
    assert refresh.opened(uow_factory, chat, TEAM, "UANNA", NOW)
    assert refresh.changed(uow_factory, chat, TEAM, ["UANNA", "UBEN"], NOW) == 0
    with uow_factory() as uow:
        prompt = uow.dailies.prompt(ids["open_prompt"])
        assert prompt is not None
        prompt.status = "answered"
        uow.commit()
    assert refresh.changed(uow_factory, chat, TEAM, ["UANNA", "UBEN"], NOW) == 1
    assert list(chat.homes) == ["UANNA"] and len(chat.homes["UANNA"]) == 2

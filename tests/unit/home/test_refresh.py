"""Publishing the Home tab: on opening, and again only when it would otherwise be wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ceremonies.core.ports import DeliveryError, Message
from ceremonies.home import refresh
from tests.fake_uow import FakeUnitOfWorkFactory
from tests.fake_uow.home import HomeViewer
from tests.fakes import FakeChat
from tests.unit.home import seed
from tests.unit.home.seed import NOW, TEAM


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    return seed.chat()


def answer(uow_factory: FakeUnitOfWorkFactory, prompt_id: int) -> None:
    with uow_factory() as uow:
        uow.dailies.prompt(prompt_id).status = "answered"
        uow.commit()


def test_opening_remembers_the_person_and_publishes(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    seed.seed(uow_factory, chat)
    assert refresh.opened(uow_factory, chat, TEAM, "UANNA", NOW)
    (shown,) = chat.homes["UANNA"]
    assert shown.template == "home/home" and shown.context["home"].user_id == "UANNA"
    (viewer,) = uow_factory.rows(HomeViewer)
    assert viewer.published_hash == shown.context["home"].digest()
    # Opening again publishes again (Slack shows the last view; it is put right on opening),
    # and stays one row.
    refresh.opened(uow_factory, chat, TEAM, "UANNA", NOW + timedelta(minutes=1))
    assert len(chat.homes["UANNA"]) == 2 and len(uow_factory.rows(HomeViewer)) == 1


def test_nobody_who_never_opened_home_gets_a_view(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    ids = seed.seed(uow_factory, chat)
    answer(uow_factory, ids["open_prompt"])
    assert refresh.changed(uow_factory, chat, TEAM, ["UANNA", "UBEN"], NOW) == 0
    assert chat.homes == {}


def test_one_publish_per_change_and_none_without_one(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    ids = seed.seed(uow_factory, chat)
    refresh.opened(uow_factory, chat, TEAM, "UANNA", NOW)
    # Nothing changed: however many callers ask, nothing is sent.
    for _ in range(3):
        assert refresh.changed(uow_factory, chat, TEAM, ["UANNA"], NOW) == 0
    answer(uow_factory, ids["open_prompt"])
    assert refresh.changed(uow_factory, chat, TEAM, ["UANNA", "UANNA", "UBEN"], NOW) == 1
    assert refresh.changed(uow_factory, chat, TEAM, ["UANNA"], NOW) == 0
    assert len(chat.homes["UANNA"]) == 2
    states = {d.channel_id: d.state for d in chat.homes["UANNA"][-1].context["home"].dailies.shown}
    assert states["CTEAM"] == "answered"


def test_a_failed_publish_is_sent_at_the_next_chance(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    ids = seed.seed(uow_factory, chat)
    refresh.opened(uow_factory, chat, TEAM, "UANNA", NOW)
    answer(uow_factory, ids["open_prompt"])
    published = chat.publish_home

    def refuse(team_id: str, user_id: str, view: Message) -> None:
        raise DeliveryError("views.publish: ratelimited", permanent=False)

    chat.publish_home = refuse  # type: ignore[method-assign]
    assert refresh.changed(uow_factory, chat, TEAM, ["UANNA"], NOW) == 0
    chat.publish_home = published  # type: ignore[method-assign]
    assert refresh.changed(uow_factory, chat, TEAM, ["UANNA"], NOW) == 1

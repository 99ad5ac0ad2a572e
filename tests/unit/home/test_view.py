"""The Home tab's view model, assembled from the ceremonies' query ports (fake unit of work)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ceremonies.home import view as home_view
from ceremonies.home.view import ANSWERED, DAY_OFF, LATER, NONE_TODAY, OPEN, assemble
from tests.fake_uow import FakeUnitOfWorkFactory
from tests.fakes import utc
from tests.unit.home import seed
from tests.unit.home.seed import NOW, TEAM, TODAY


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


def anna(uow_factory: FakeUnitOfWorkFactory, now=NOW, tz: str = "Europe/Berlin"):
    with uow_factory() as uow:
        return assemble(uow, TEAM, "UANNA", tz, now)


def test_each_part_says_what_matters_to_the_person(uow_factory: FakeUnitOfWorkFactory) -> None:
    ids = seed.seed(uow_factory, seed.chat())
    home = anna(uow_factory)
    assert home.today == TODAY and home.tz == "Europe/Berlin"
    # The daily waiting for an answer first, with its prompt for "Answer in a form".
    assert [(d.channel_id, d.state, d.prompt_id) for d in home.dailies.shown] == [
        ("CTEAM", OPEN, ids["open_prompt"]),
        ("COPS", ANSWERED, None),
    ]
    # Open and partly done actions, the one due for its revisit first; done ones are gone.
    assert [a.action_id for a in home.actions.shown] == [ids["due"], ids["later"]]
    assert home.actions.shown[0].due and home.actions.shown[0].partly
    assert not home.actions.shown[1].due
    (rotation,) = home.rotations.shown
    assert rotation.you_now and rotation.now_until == utc(2026, 12, 7, 9, 0)
    assert rotation.next_user == "UBEN"
    (report,) = home.reports.shown
    assert report.owner and report.channel_id == "CMGMT" and report.sources == ("CTEAM",)
    assert report.next_at == utc(2026, 12, 4, 21, 0)  # Friday 16:00 in New York


def test_someone_in_nothing_gets_an_empty_view(uow_factory: FakeUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        home = assemble(uow, TEAM, "UNOBODY", "UTC", NOW)
    assert home.dailies.total == home.actions.total == home.rotations.total == 0
    assert home.reports.total == 0


def test_before_the_prompt_and_on_a_day_off(uow_factory: FakeUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        weekend_only = seed.daily(uow, "CWEEKEND", weekdays=frozenset({5, 6}))
        later = seed.daily(uow, "CLATER")
        for daily_id in (weekend_only, later):
            seed.participant(uow, daily_id)
        uow.commit()
    early = utc(2026, 12, 1, 7, 0)  # 08:00 in Berlin
    lines = {d.channel_id: d for d in anna(uow_factory, early).dailies.shown}
    assert lines["CLATER"].state == LATER and lines["CLATER"].next_at == utc(2026, 12, 1, 9, 0)
    assert lines["CWEEKEND"].state == DAY_OFF
    assert lines["CWEEKEND"].next_at == utc(2026, 12, 5, 9, 0)  # Saturday 10:00 in Berlin
    # After 10:00 with no prompt (a holiday, time away): said so, no button.
    assert {d.channel_id: d.state for d in anna(uow_factory).dailies.shown}["CLATER"] == NONE_TODAY


def test_today_is_the_persons_own(uow_factory: FakeUnitOfWorkFactory) -> None:
    seed.seed(uow_factory, seed.chat())
    # 23:30 UTC on Tuesday is already Wednesday in Berlin: Tuesday's prompt is not today's.
    late = utc(2026, 12, 1, 23, 30)
    home = anna(uow_factory, late)
    assert home.today == TODAY + timedelta(days=1)
    assert {d.state for d in home.dailies.shown} == {LATER}
    # The same instant seen from New York is still Tuesday.
    assert anna(uow_factory, late, "America/New_York").today == TODAY


def test_many_channels_most_relevant_first_then_a_count(
    uow_factory: FakeUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        for n in range(30):
            daily_id = seed.daily(uow, f"C{n:02}")
            seed.participant(uow, daily_id)
            seed.prompt(uow, daily_id, TODAY, "sent" if n in (17, 29) else "answered")
        uow.commit()
    dailies = anna(uow_factory).dailies
    assert (
        len(dailies.shown) == home_view.MAX_DAILIES and dailies.more == 30 - home_view.MAX_DAILIES
    )
    assert [d.channel_id for d in dailies.shown[:2]] == ["C17", "C29"]  # waiting ones first


def test_the_digest_follows_the_facts(uow_factory: FakeUnitOfWorkFactory) -> None:
    ids = seed.seed(uow_factory, seed.chat())
    before = anna(uow_factory)
    assert anna(uow_factory, NOW + timedelta(minutes=5)).digest() == before.digest()
    with uow_factory() as uow:
        prompt = uow.dailies.prompt(ids["open_prompt"])
        prompt.status = "answered"
        uow.commit()
    assert anna(uow_factory).digest() != before.digest()

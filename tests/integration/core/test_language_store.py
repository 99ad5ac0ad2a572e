"""The language facts on real storage (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
read and written through the same rules as over the fake unit of work."""

from __future__ import annotations

from typing import Any

import pytest

from bot.languages import LanguageBook
from ceremonies.core import language_choice
from ceremonies.core import languages as rules
from ceremonies.core.languages import Languages, Resolved
from ceremonies.core.ports import Conflict, Profile
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fake_uow import FakeUnitOfWorkFactory
from tests.fakes import utc

NOW = utc(2026, 11, 30, 9, 0)
LANGUAGES = Languages(("en", "ja", "ru"), "en")


def story(uow_factory: Any) -> dict[str, Resolved]:
    """Profiles read, a DM opened, a channel set up, choices made and cleared."""
    book = LanguageBook(uow_factory, LANGUAGES)
    book.note_profiles(
        "T1",
        [
            Profile("UANNA", "anna", "UTC", locale="en-GB"),
            Profile("UBORIS", "boris", "UTC", locale="ru-RU"),
            Profile("UKEN", "ken", "UTC", locale="ja-JP"),
            Profile("UHANS", "hans", "UTC", locale="de-DE"),
            Profile("UBOT", "bot", "UTC", is_bot=True, locale="en-US"),
        ],
        NOW,
    )
    book.note_dm("T1", "UBORIS", "DBORIS")
    book.note_dm("T1", "UBORIS", "DBORIS")  # known: not written again
    with uow_factory() as uow:
        rules.note_owner(uow.languages, "T1", "CTEAM", "UBORIS")
        rules.note_owner(uow.languages, "T1", "CTEAM", "UANNA")  # the first owner stays
        uow.commit()
    language_choice.choose(uow_factory, "T1", user_id="UKEN", code="en")
    language_choice.choose(uow_factory, "T1", user_id="UHANS", code="ru")
    language_choice.choose(uow_factory, "T1", user_id="UHANS", code=None)  # cleared
    language_choice.choose(uow_factory, "T1", channel_id="COPS", code="ja")
    return {
        "anna": book.person("T1", "UANNA"),
        "boris": book.person("T1", "UBORIS"),
        "ken": book.person("T1", "UKEN"),
        "hans": book.person("T1", "UHANS"),
        "stranger": book.person("T1", "UNEW"),
        "other team": book.person("T2", "UBORIS"),
        "bot": book.person("T1", "UBOT"),
        "team": book.channel("T1", "CTEAM"),
        "ops": book.channel("T1", "COPS"),
        "unknown channel": book.channel("T1", "CNONE"),
        "dm": Resolved(book.destination("T1", "DBORIS"), "?"),
        "unknown dm": Resolved(book.destination("T1", "DNONE"), "?"),
    }


def test_the_store_keeps_the_facts_as_the_fakes_do(uow_factory: SqlUnitOfWorkFactory) -> None:
    stored = story(uow_factory)
    assert stored == story(FakeUnitOfWorkFactory())
    assert stored["anna"] == Resolved("en", "slack")
    assert stored["boris"] == Resolved("ru", "slack")
    assert stored["ken"] == Resolved("en", "choice")
    assert stored["hans"] == Resolved("en", "default")  # German has no catalog
    assert stored["stranger"] == stored["bot"] == Resolved("en", "default")
    assert stored["other team"] == Resolved("en", "default")  # per workspace
    assert stored["team"] == Resolved("ru", "owner")  # Boris set it up first
    assert stored["ops"] == Resolved("ja", "choice")
    assert stored["unknown channel"] == Resolved("en", "default")
    assert stored["dm"].code == "ru" and stored["unknown dm"].code == "en"
    with uow_factory() as uow:
        row = uow.languages.person("T1", "UBORIS")
        assert row is not None
        assert (row.slack_locale, row.seen_at, row.dm_channel_id) == ("ru-RU", NOW, "DBORIS")
        found = uow.languages.people("T1", ["UANNA", "UKEN", "UNOBODY"])
        assert sorted(r.user_id for r in found) == ["UANNA", "UKEN"]


def test_one_row_per_person_and_per_channel(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.languages.add_person(team_id="T1", user_id="U1")
        with pytest.raises(Conflict):
            uow.languages.add_person(team_id="T1", user_id="U1")
        uow.languages.add_channel(team_id="T1", channel_id="C1")
        with pytest.raises(Conflict):
            uow.languages.add_channel(team_id="T1", channel_id="C1")
        uow.languages.add_person(team_id="T2", user_id="U1")  # another workspace: fine
        uow.commit()
    with uow_factory() as uow:
        assert len(uow.languages.people("T1", ["U1"])) == 1
        assert uow.languages.channel("T1", "C1") is not None


def test_many_people_are_read_in_slices(uow_factory: SqlUnitOfWorkFactory) -> None:
    many = [(f"U{n:05d}", "ru-RU") for n in range(1200)]
    with uow_factory() as uow:
        rules.note_locales(uow.languages, "T1", many, NOW)
        uow.commit()
    with uow_factory() as uow:
        found = uow.languages.people("T1", [user for user, _ in many])
        assert len(found) == 1200 and {r.slack_locale for r in found} == {"ru-RU"}

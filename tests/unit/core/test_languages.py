"""Which language a person and a channel read (issue 12): the pure rules, the parsing of
`/daily language`, what it keeps before its ack, and the asker's language per request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.languages import Asking, LanguageBook, Renderers, RequesterRenderer, asker_of, asking
from ceremonies.core import languages as rules
from ceremonies.core.languages import (
    AUTOMATIC,
    CHOSEN,
    DEFAULT,
    OWNER,
    SLACK,
    Languages,
    Resolved,
    channel_language,
    is_stale,
    parse_choice,
    person_language,
)
from ceremonies.core.parsing import InvalidInput
from ceremonies.core.ports import Profile
from handlers import carries_nothing_to_keep
from handlers.daily.parser import parse_daily_command
from tests.fake_uow import FakeUnitOfWorkFactory
from tests.fakes import utc

NOW = utc(2026, 11, 30, 9, 0)
EN = Languages(("en", "ja", "ru"), "en")
RU = Languages(("en", "ja", "ru"), "ru")


@pytest.mark.parametrize(
    ("locale", "code"),
    [
        ("ru-RU", "ru"),
        ("ja-JP", "ja"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("ru_RU", "ru"),
        ("RU", "ru"),
        (" ja ", "ja"),
        ("de-DE", None),
        ("pt-BR", None),
        ("", None),
        (None, None),
    ],
)
def test_slack_locales_read_as_the_catalog_of_their_language(
    locale: str | None, code: str | None
) -> None:
    assert EN.code_of(locale) == code


def test_a_person_reads_their_choice_then_slack_then_the_default() -> None:
    assert person_language("ja", "ru-RU", EN) == Resolved("ja", CHOSEN)
    assert person_language(None, "ru-RU", EN) == Resolved("ru", SLACK)
    assert person_language(None, "de-DE", RU) == Resolved("ru", DEFAULT)  # no German
    assert person_language(None, None, RU) == Resolved("ru", DEFAULT)
    assert person_language("xx", "ja-JP", EN) == Resolved("ja", SLACK)  # a stale choice


def test_a_channel_reads_its_choice_then_its_owner_then_the_default() -> None:
    owner = Resolved("ja", SLACK)
    assert channel_language("ru", owner, EN) == Resolved("ru", CHOSEN)
    assert channel_language(None, owner, EN) == Resolved("ja", OWNER)
    assert channel_language(None, None, RU) == Resolved("ru", DEFAULT)


def test_a_locale_is_read_again_after_a_day() -> None:
    book = FakeUnitOfWorkFactory()
    with book() as uow:
        assert is_stale(None, NOW)
        rules.note_locales(uow.languages, "T1", [("U1", "ru-RU")], NOW)
        row = uow.languages.person("T1", "U1")
        assert not is_stale(row, NOW + timedelta(hours=23))
        assert is_stale(row, NOW + timedelta(days=1, minutes=1))


def test_the_first_ceremony_of_a_channel_makes_its_owner() -> None:
    uow_factory = FakeUnitOfWorkFactory()
    with uow_factory() as uow:
        rules.choose_for_channel(uow.languages, "T1", "C1", "ja")  # chosen before any ceremony
        rules.note_owner(uow.languages, "T1", "C1", "UANNA")
        rules.note_owner(uow.languages, "T1", "C1", "UBEN")
        row = uow.languages.channel("T1", "C1")
        assert row is not None and (row.choice, row.owner_id) == ("ja", "UANNA")


@pytest.mark.parametrize(
    ("word", "code"),
    [("ru", "ru"), ("JA", "ja"), ("ru-RU", "ru"), ("auto", AUTOMATIC), ("default", AUTOMATIC)],
)
def test_a_typed_language(word: str, code: str) -> None:
    assert parse_choice(word, EN) == code


@pytest.mark.parametrize("word", ["de", "klingon", "", "russian"])
def test_a_language_without_a_catalog_is_refused(word: str) -> None:
    with pytest.raises(ValueError):
        parse_choice(word, EN)


@pytest.mark.parametrize(
    ("text", "language", "for_me"),
    [
        ("language", None, False),
        ("language me", None, True),
        ("language ru", "ru", False),
        ("language me ja", "ja", True),
        ("language ME auto", AUTOMATIC, True),
        ("LANGUAGE en", "en", False),
    ],
)
def test_daily_language_is_parsed(text: str, language: str | None, for_me: bool) -> None:
    request = parse_daily_command(text, NOW.date(), EN)
    assert (request.action, request.language, request.for_me) == ("language", language, for_me)


@pytest.mark.parametrize("text", ["language de", "language ru ja", "language me klingon"])
def test_a_bad_language_names_the_available_ones(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_daily_command(text, NOW.date(), EN)
    assert raised.value.code == "language_unknown"
    assert raised.value.params["languages"] == ("en", "ja", "ru")


def test_showing_the_language_is_read_only_and_setting_it_is_kept() -> None:
    def body(text: str) -> dict[str, Any]:
        return {"command": "/daily", "text": text}

    assert carries_nothing_to_keep(body("language"))
    assert carries_nothing_to_keep(body("  language  "))
    assert not carries_nothing_to_keep(body("language ru"))
    assert not carries_nothing_to_keep(body("language auto"))
    assert not carries_nothing_to_keep(body("language me ja"))
    # A home selection changes something: it is kept too.
    selected = {"type": "block_actions", "actions": [{"action_id": "home_language"}]}
    assert not carries_nothing_to_keep(selected)


@pytest.mark.parametrize(
    ("body", "who"),
    [
        ({"team_id": "T1", "user_id": "U1", "command": "/daily"}, ("T1", "U1")),
        ({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U2"}}, ("T1", "U2")),
        ({"team_id": "T1", "event": {"type": "message", "user": "U3"}}, ("T1", "U3")),
        (
            {"team_id": "T1", "event": {"subtype": "message_changed", "message": {"user": "U4"}}},
            ("T1", "U4"),
        ),
        ({"team_id": "T1", "event": {"type": "app_home_opened", "user": "U5"}}, ("T1", "U5")),
        ({"team_id": "T1"}, None),
        ("not a body", None),
    ],
)
def test_who_asks(body: Any, who: tuple[str, str] | None) -> None:
    found = asker_of(body)
    assert (found and (found.team_id, found.user_id)) == who


class Clock:
    def now(self) -> Any:
        return NOW


def test_replies_are_in_the_askers_language_and_a_stale_locale_is_refreshed_once() -> None:
    uow_factory = FakeUnitOfWorkFactory()
    book = LanguageBook(uow_factory, EN)
    refreshed: list[tuple[str, str]] = []
    renderer = RequesterRenderer(
        Renderers("en"), book, Clock(), lambda team, user: refreshed.append((team, user))
    )
    assert renderer.locale == "en"  # outside a request: the default, nothing refreshed
    with uow_factory() as uow:
        rules.note_locales(uow.languages, "T1", [("UBORIS", "ru-RU")], NOW - timedelta(days=3))
        rules.note_locales(uow.languages, "T1", [("UKEN", "ja-JP")], NOW)
        uow.commit()
    token = asking.set(Asking("T1", "UBORIS"))
    try:
        assert "/daily start" in renderer.render("daily/help", {})["blocks"][1]["text"]["text"]
        assert renderer.locale == "ru" and renderer.text("common/truncated") != (
            Renderers("en")().text("common/truncated")
        )
        renderer.render("daily/help", {})
        assert refreshed == [("T1", "UBORIS")]  # three days old: read again, once
        renderer.speak("ja")
        assert renderer.locale == "ja"
    finally:
        asking.reset(token)
    token = asking.set(Asking("T1", "UKEN"))
    try:
        assert renderer.locale == "ja" and refreshed == [("T1", "UBORIS")]  # fresh
    finally:
        asking.reset(token)


def test_a_locale_read_again_unchanged_is_not_written_again_within_the_hour() -> None:
    uow_factory = FakeUnitOfWorkFactory()
    book = LanguageBook(uow_factory, EN)
    boris = [Profile("UBORIS", "boris", "UTC", locale="ru-RU")]
    book.note_profiles("T1", boris, NOW)
    commits = uow_factory.commits
    book.note_profiles("T1", boris, NOW + timedelta(minutes=30))
    assert uow_factory.commits == commits  # unchanged and recent: no write
    book.note_profiles("T1", [Profile("UBORIS", "boris", "UTC", locale="ja-JP")], NOW)
    assert book.person("T1", "UBORIS") == Resolved("ja", SLACK)  # changed: written at once
    book.note_profiles("T1", boris, NOW + timedelta(hours=2))
    with uow_factory() as uow:
        row = uow.languages.person("T1", "UBORIS")
        assert row is not None and row.seen_at == NOW + timedelta(hours=2)

"""The catalogs as the bot renders with them: compiled in memory, plural forms per language,
and DEFAULT_LOCALE naming one that exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.rendering import Renderer, make_environment
from bot.settings import ConfigurationError, load_settings
from bot.translations import SOURCE, available_locales, translations_for
from ceremonies.core.parsing import parse_weekdays
from ceremonies.daily.rules import DEFAULT_QUESTIONS

RUSSIAN = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: ru\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
"n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

msgid "Answer in a form"
msgstr "Ответить в форме"

msgid "%(num)d day"
msgid_plural "%(num)d days"
msgstr[0] "%(num)d день"
msgstr[1] "%(num)d дня"
msgstr[2] "%(num)d дней"
"""


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    folder = tmp_path / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(RUSSIAN, encoding="utf-8")
    return tmp_path


def test_a_catalog_is_compiled_in_memory_with_its_plural_forms(locales: Path) -> None:
    env = make_environment(translations=translations_for("ru", locales))
    template = env.from_string(
        '{{ _("Answer in a form") }}: '
        '{% for n in (1, 2, 5, 21) %}{{ ngettext("%(num)d day", "%(num)d days", n) }}; {% endfor %}'
    )
    assert template.render() == "Ответить в форме: 1 день; 2 дня; 5 дней; 21 день; "


def test_the_source_language_and_an_unknown_one_read_as_written(locales: Path) -> None:
    for locale in (SOURCE, "xx"):
        env = make_environment(translations=translations_for(locale, locales))
        assert env.from_string('{{ _("Answer in a form") }}').render() == "Answer in a form"
    assert available_locales(locales) == [SOURCE, "ru"]


def test_default_locale_must_have_a_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_LOCALE", "xx")
    with pytest.raises(ConfigurationError, match="DEFAULT_LOCALE: 'xx' has no catalog; one of en"):
        load_settings()
    for code in available_locales():
        monkeypatch.setenv("DEFAULT_LOCALE", f"{code}-{code.upper()}")
        assert load_settings().default_locale == code  # "ru-RU" reads as "ru"


def test_dates_are_written_as_each_language_writes_them() -> None:
    from datetime import UTC, date, datetime

    from bot.dates import date_filters

    monday, ten = date(2026, 11, 30), datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    english, russian, japanese = (date_filters(code) for code in ("en", "ru", "ja"))
    assert english["day"](monday) == "Mon 30 Nov 2026"  # the bot's own short English form
    assert english["local"](ten, "Europe/Berlin") == "Mon 30 Nov 10:00 (Europe/Berlin)"
    assert russian["short_day"](monday) == "пн, 30 нояб."
    assert russian["at"](ten, "Europe/Moscow") == "пн, 30 нояб. 12:00"
    assert japanese["day"]("2026-11-30") == "2026年11月30日(月)"
    assert japanese["at"](ten, "Asia/Tokyo") == "11月30日(月) 18:00"


def test_a_day_named_in_a_sentence_is_written_as_running_text() -> None:
    # The Russian catalog's "Monday" is a menu label ("Понедельник"); mid-sentence the day
    # is lower case, as CLDR writes it.
    sentence = (
        "{{ _('%(length)s, handoff %(day)s at %(time)s (%(tz)s)', length='1',"
        " day=0 | weekday_name, time='09:00', tz='UTC') }}"
    )
    shown = {
        locale: Renderer(locale=locale).env.from_string(sentence).render()
        for locale in ("en", "ru", "ja")
    }
    assert "handoff Monday at 09:00" in shown["en"]
    assert "понедельник в 09:00" in shown["ru"] and "Понедельник" not in shown["ru"]
    assert "月曜日" in shown["ja"]


@pytest.mark.parametrize(
    ("locale", "weekdays", "spread"),
    [
        ("en", "Mon–Fri", "Mon, Wed, Fri"),
        ("ru", "пн–пт", "пн, ср, пт"),
        ("ja", "月–金", "月・水・金"),
    ],
)
def test_the_days_of_a_daily_read_in_the_locale_and_parse_back(
    locale: str, weekdays: str, spread: str
) -> None:
    env = make_environment(locale=locale)
    shown = env.from_string("{{ a | weekdays }}/{{ b | weekdays }}").render(
        a=frozenset(range(5)), b=frozenset({0, 2, 4})
    )
    assert shown == f"{weekdays}/{spread}"
    assert parse_weekdays(weekdays) == frozenset(range(5))
    assert parse_weekdays(spread) == frozenset({0, 2, 4})


def test_a_default_question_shown_translated_is_saved_as_its_source() -> None:
    russian = Renderer(locale="ru")
    asked = russian.gettext(DEFAULT_QUESTIONS[0])
    assert asked != DEFAULT_QUESTIONS[0]
    assert russian.source_of(asked) == DEFAULT_QUESTIONS[0]
    assert Renderer(locale="ja").source_of(asked) == DEFAULT_QUESTIONS[0]  # whoever saves it
    assert russian.source_of("Что мешает?") == "Что мешает?"  # the team's own stays theirs

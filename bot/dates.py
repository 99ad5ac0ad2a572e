"""Dates and times as a language writes them (Babel's CLDR data), for the template filters.

English keeps the bot's own short forms ("Mon 30 Nov 2026", "Mon 30 Nov 10:00"); other
languages take CLDR's for the same fields ("пн, 30 нояб. 2026 г.", "2026年11月30日(月)").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, get_day_names
from jinja2 import pass_context
from jinja2.runtime import Context

from bot.translations import SOURCE
from ceremonies.core.i18n import N_
from ceremonies.core.parsing import format_weekdays


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, str):  # stored contexts keep dates as ISO strings
        return date.fromisoformat(value[:10])
    return value


def _as_local(value: datetime | str, tz: str) -> datetime:
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return instant.astimezone(ZoneInfo(tz))


def date_filters(locale: str) -> dict[str, Callable[..., Any]]:
    """`day`, `short_day`, `local`, `at` and `weekday_name` for templates rendered in
    `locale`."""
    # A day named inside a sentence ("передача дежурства: понедельник в 09:00"): CLDR's
    # form for running text. The catalog's "Monday" is a label's ("Понедельник", as in a
    # menu of days), capitalised where the language writes day names in lower case.
    in_sentence = get_day_names("wide", "format", locale=locale)

    def weekday_name(index: int) -> str:
        return in_sentence[index]

    if locale == SOURCE:
        return {
            "weekday_name": weekday_name,
            "day": lambda v: f"{_as_date(v):%a} {_as_date(v).day} {_as_date(v):%b %Y}",
            "short_day": lambda v: f"{_as_date(v):%a} {_as_date(v).day} {_as_date(v):%b}",
            "local": lambda v, tz: _english_at(_as_local(v, tz)) + f" ({tz})",
            "at": lambda v, tz: _english_at(_as_local(v, tz)),
        }

    def day(value: date | datetime | str) -> str:
        return format_skeleton("yMMMEd", _as_date(value), locale=locale)

    def short_day(value: date | datetime | str) -> str:
        return format_skeleton("MMMEd", _as_date(value), locale=locale)

    def at(value: datetime | str, tz: str) -> str:
        local = _as_local(value, tz)
        return f"{format_skeleton('MMMEd', local, locale=locale)} {local:%H:%M}"

    names, separator = _day_abbreviations(locale)
    return {
        "weekday_name": weekday_name,
        "weekdays": lambda days: format_weekdays(days, names, separator),
        "day": day,
        "short_day": short_day,
        "local": lambda v, tz: f"{at(v, tz)} ({tz})",
        "at": at,
    }


# How a language lists a few weekday abbreviations: Japanese runs them together with "・".
_WEEKDAY_SEPARATORS = {"ja": "・"}


def _day_abbreviations(locale: str) -> tuple[list[str], str]:
    """CLDR's abbreviated weekday names (Monday first: "пн", "月") and their separator."""
    names = get_day_names("abbreviated", locale=locale)
    return [names[index] for index in range(7)], _WEEKDAY_SEPARATORS.get(locale, ", ")


def _english_at(local: datetime) -> str:
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def translate_marked(context: Context, message: str) -> str:
    """`message` (marked with N_) in the template's language: the environment's `gettext`."""
    return str(context.call(context.environment.globals["gettext"], message))


# "every Friday" as one text: a language declines the day after "every" (каждую пятницу,
# каждый понедельник), which a sentence around a bare day name cannot do.
_EVERY_WEEKDAY = (
    N_("every Monday"),
    N_("every Tuesday"),
    N_("every Wednesday"),
    N_("every Thursday"),
    N_("every Friday"),
    N_("every Saturday"),
    N_("every Sunday"),
)


@pass_context
def every_weekday(context: Context, index: int) -> str:
    return translate_marked(context, _EVERY_WEEKDAY[index])

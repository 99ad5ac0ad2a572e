"""Parse what people type into ``/daily`` commands.

Every rejection raises :class:`InvalidInput` with a ``code`` and the ``params``
that ``templates/common/invalid.txt.j2`` turns into the sentence the user reads:
it quotes the offending input and shows a form that would have worked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any

from ceremonies.core.text import neutralise
from ceremonies.core.time_model import DateRange, supported_countries

__all__ = [
    "MAX_DAYS_COUNT",
    "MAX_QUESTIONS",
    "MAX_QUESTION_LENGTH",
    "InvalidInput",
    "format_weekdays",
    "parse_clock_time",
    "parse_country",
    "parse_date_range",
    "parse_days_count",
    "parse_questions",
    "parse_timezone",
    "parse_weekday",
    "parse_weekdays",
]

MAX_QUESTIONS = 10
MAX_QUESTION_LENGTH = 150
MAX_DAYS_COUNT = 90

# Echoed input is cut so one pasted paragraph cannot drown the explanation.
_MAX_ECHO = 60


class InvalidInput(ValueError):
    """User input that cannot be accepted: a template key and what the template needs.

    ``str()`` is the code and its params, for logs; users read the rendered template.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        shown = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.code}({shown})"


def _echo(text: str) -> str:
    """User input as the template shows it inside Slack inline code (backticks around it).

    Backticks become quotes so they cannot break the markup, long input is cut, and a
    broadcast mention typed by mistake is echoed without its ping.
    """
    shown = neutralise(text.strip().replace("`", "'"))
    if len(shown) > _MAX_ECHO:
        shown = shown[: _MAX_ECHO - 1] + "…"
    return shown


# --- time of day -------------------------------------------------------------

_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)


def parse_clock_time(text: str) -> time:
    """``"9:30"``, ``"09:30"``, ``"17:05"`` → naive ``time`` (24-hour clock)."""
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("time_empty")
    match = _CLOCK_RE.fullmatch(stripped)
    if match is not None:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise InvalidInput("time_invalid", input=_echo(stripped))


# --- weekdays ----------------------------------------------------------------

_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES: dict[str, int] = {}
for _i, _full in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
):
    _DAY_NAMES[_full] = _i
    _DAY_NAMES[_full[:3]] = _i
# Common informal spellings people type without thinking about it.
_DAY_NAMES.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
# Russian and Japanese, as a team types them: short forms, full names (the accusative too:
# "в среду"), and Japanese with or without 曜 / 曜日.
for _i, _names in enumerate(
    (
        ("пн", "пон", "понедельник"),
        ("вт", "вто", "вторник"),
        ("ср", "сре", "среда", "среду"),
        ("чт", "чет", "четверг"),
        ("пт", "пят", "пятница", "пятницу"),
        ("сб", "суб", "суббота", "субботу"),
        ("вс", "вос", "воскресенье"),
    )
):
    _DAY_NAMES.update(dict.fromkeys(_names, _i))
for _i, _kanji in enumerate("月火水木金土日"):
    _DAY_NAMES.update(dict.fromkeys((_kanji, f"{_kanji}曜", f"{_kanji}曜日"), _i))

_DAY_GROUPS: dict[str, frozenset[int]] = {
    "weekdays": frozenset(range(5)),
    "workdays": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
    "weekends": frozenset({5, 6}),
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
    "будни": frozenset(range(5)),
    "выходные": frozenset({5, 6}),
    "ежедневно": frozenset(range(7)),
    "平日": frozenset(range(5)),
    "週末": frozenset({5, 6}),
    "土日": frozenset({5, 6}),
    "毎日": frozenset(range(7)),
}

# Dashes around a range may be typed with spaces or pasted as en/em dashes.
_RANGE_SEP_RE = re.compile(r"\s*(?:-|–|—|\.\.|〜|～)\s*")  # 月〜金: Japanese wave dashes


def _day_index(token: str) -> int:
    try:
        return _DAY_NAMES[token]
    except KeyError:
        raise InvalidInput("weekday_unknown", input=_echo(token)) from None


def parse_weekday(text: str) -> int:
    """One day name (``"mon"``, ``"Monday"``) → its number (Monday=0 … Sunday=6)."""
    return _day_index(text.strip().lower())


def parse_timezone(text: str) -> str:
    """An IANA zone name (``"Europe/Berlin"``), as ``zoneinfo`` knows it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    name = text.strip()
    if not name:
        raise InvalidInput("timezone_empty")
    if name in available_timezones():
        return name
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("timezone_unknown", input=_echo(name)) from None
    raise InvalidInput("timezone_unknown", input=_echo(name))


def parse_weekdays(text: str) -> frozenset[int]:
    """Day names, ranges and groups → weekday numbers (Monday=0 … Sunday=6).

    Accepts ``"mon,tue,wed"``, ``"Mon Tue"``, ``"mon-fri"``, ``"monday,friday"``,
    ``"weekdays"``. A range may wrap past Sunday (``"fri-mon"``) for
    teams whose week does not start on Monday.
    """
    normalized = _RANGE_SEP_RE.sub("-", text.strip().lower())
    tokens = [t for t in re.split(r"[\s,;/、・，]+", normalized) if t]
    if not tokens:
        raise InvalidInput("weekdays_empty")
    days: set[int] = set()
    for token in tokens:
        if token in _DAY_GROUPS:
            days |= _DAY_GROUPS[token]
            continue
        if "-" in token:
            parts = token.split("-")
            if len(parts) != 2 or not all(parts):
                raise InvalidInput("weekdays_bad_range", input=_echo(token))
            first, last = _day_index(parts[0]), _day_index(parts[1])
            span = (last - first) % 7
            days.update((first + k) % 7 for k in range(span + 1))
            continue
        days.add(_day_index(token))
    return frozenset(days)


def format_weekdays(
    days: frozenset[int], names: Sequence[str] = _DAY_ABBR, separator: str = ", "
) -> str:
    """Compact human form: ``"Mon–Fri"``, ``"Mon, Wed, Fri"``, ``"Mon–Wed, Sat, Sun"``;
    `names` (Monday first) and `separator` write it in another language ("пн–пт", "月・水・金").

    Runs of three or more days become a range; the output parses back to the
    same set with :func:`parse_weekdays`.
    """
    ordered = sorted(days)
    if not ordered:
        return "no days"
    if ordered[0] < 0 or ordered[-1] > 6:
        raise ValueError(f"weekdays must be within 0..6, got {ordered}")
    runs: list[list[int]] = []
    for day in ordered:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}–{names[run[-1]]}")
        else:
            parts.extend(names[d] for d in run)
    return separator.join(parts)


# --- dates -------------------------------------------------------------------

_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# "..", "to" and a spaced or en dash; a bare "-" is part of ISO dates.
_DATE_RANGE_SEP_RE = re.compile(r"\s*\.\.\s*|\s+to\s+|\s*–\s*|\s+-\s+", re.IGNORECASE)


def _parse_one_date(text: str, today: date) -> date:
    token = text.strip().lower()
    if token == "today":
        return today
    if token == "tomorrow":
        return today + timedelta(days=1)
    if _ISO_DATE_RE.fullmatch(token):
        try:
            return date.fromisoformat(token)
        except ValueError:
            raise InvalidInput("date_not_in_calendar", input=_echo(text)) from None
    raise InvalidInput("date_invalid", input=_echo(text))


def parse_date_range(text: str, today: date) -> DateRange:
    """``"2026-12-21..2027-01-03"``, ``"2026-12-24"``, ``"today"``, ``"tomorrow"``.

    Both ends are inclusive. ``today`` is the user's local date, passed in so
    that parsing stays pure and testable.
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("date_range_empty")
    parts = _DATE_RANGE_SEP_RE.split(stripped)
    if len(parts) == 1:
        single = _parse_one_date(parts[0], today)
        return DateRange(single, single)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise InvalidInput("date_range_invalid", input=_echo(stripped))
    start = _parse_one_date(parts[0], today)
    end = _parse_one_date(parts[1], today)
    if end < start:
        raise InvalidInput("date_range_reversed", start=start, end=end)
    return DateRange(start, end)


# --- country -----------------------------------------------------------------

_NO_COUNTRY = frozenset({"none", "off", "no", "-"})
# Not ISO 3166, but what most people type for the United Kingdom.
_COUNTRY_ALIASES = {"UK": "GB"}


def parse_country(text: str) -> str | None:
    """ISO 3166 alpha-2 code (any case) → upper-case code; ``none``/``off`` → None."""
    stripped = text.strip()
    if stripped.lower() in _NO_COUNTRY:
        return None
    code = stripped.upper()
    code = _COUNTRY_ALIASES.get(code, code)
    if code in supported_countries():
        return code
    if not stripped:
        raise InvalidInput("country_empty")
    raise InvalidInput("country_unknown", input=_echo(stripped))


# --- questions ---------------------------------------------------------------


def parse_questions(text: str) -> tuple[str, ...]:
    """``"Q1 | Q2 | Q3"`` → the stripped questions (1–10, each ≤ 150 characters)."""
    if not text.strip():
        raise InvalidInput("questions_empty")
    questions = tuple(q.strip() for q in text.split("|"))
    for number, question in enumerate(questions, start=1):
        if not question:
            raise InvalidInput("question_blank", number=number, total=len(questions))
    if len(questions) > MAX_QUESTIONS:
        raise InvalidInput("questions_too_many", count=len(questions), limit=MAX_QUESTIONS)
    for number, question in enumerate(questions, start=1):
        if len(question) > MAX_QUESTION_LENGTH:
            raise InvalidInput(
                "question_too_long",
                number=number,
                input=_echo(question),
                length=len(question),
                limit=MAX_QUESTION_LENGTH,
            )
    return questions


# --- day counts --------------------------------------------------------------

_DAYS_COUNT_RE = re.compile(r"(\d+)\s*(?:d|days?)?", re.IGNORECASE | re.ASCII)


def parse_days_count(text: str) -> int:
    """``"7"``, ``"14 days"``, ``"7d"`` → a number of days from 1 to 90."""
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("days_empty", limit=MAX_DAYS_COUNT)
    match = _DAYS_COUNT_RE.fullmatch(stripped)
    if match is None:
        raise InvalidInput("days_invalid", input=_echo(stripped), limit=MAX_DAYS_COUNT)
    digits = match[1].lstrip("0") or "0"
    # Checking the length first keeps absurdly long inputs away from int(),
    # which refuses strings over 4300 digits.
    if len(digits) > 3 or not 1 <= int(digits) <= MAX_DAYS_COUNT:
        raise InvalidInput("days_out_of_range", input=_echo(stripped), limit=MAX_DAYS_COUNT)
    return int(digits)

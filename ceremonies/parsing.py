"""Parse what people type into ``/daily`` commands.

Every rejection raises :class:`InvalidInput` whose text is shown to the user
verbatim in Slack, so messages are full sentences that quote the offending
input and show a form that would have worked.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from ceremonies.schedule import DateRange, supported_countries

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
    "parse_weekdays",
]

MAX_QUESTIONS = 10
MAX_QUESTION_LENGTH = 150
MAX_DAYS_COUNT = 90

# Echoed input is cut so one pasted paragraph cannot drown the explanation.
_MAX_ECHO = 60


class InvalidInput(ValueError):
    """User input that cannot be accepted; ``str()`` is the user-facing message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _quote(text: str) -> str:
    """Echo user input inside Slack inline code without breaking the markup."""
    shown = text.strip().replace("`", "'")
    if len(shown) > _MAX_ECHO:
        shown = shown[: _MAX_ECHO - 1] + "…"
    return f"`{shown}`"


# --- time of day -------------------------------------------------------------

_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)


def parse_clock_time(text: str) -> time:
    """``"9:30"``, ``"09:30"``, ``"17:05"`` → naive ``time`` (24-hour clock)."""
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("Please give a time of day in 24-hour HH:MM, e.g. `09:30`.")
    match = _CLOCK_RE.fullmatch(stripped)
    if match is not None:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise InvalidInput(f"{_quote(stripped)} is not a time of day. Use 24-hour HH:MM, e.g. `09:30`.")


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

_DAY_GROUPS: dict[str, frozenset[int]] = {
    "weekdays": frozenset(range(5)),
    "workdays": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
    "weekends": frozenset({5, 6}),
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
}

_VALID_DAYS_HINT = (
    "Use day names (mon, tue, wed, thu, fri, sat, sun, or full names like `monday`), "
    "ranges like `mon-fri`, or `weekdays`."
)
# Dashes around a range may be typed with spaces or pasted as en/em dashes.
_RANGE_SEP_RE = re.compile(r"\s*(?:-|–|—|\.\.)\s*")


def _day_index(token: str) -> int:
    try:
        return _DAY_NAMES[token]
    except KeyError:
        message = f"{_quote(token)} is not a day of the week. {_VALID_DAYS_HINT}"
        raise InvalidInput(message) from None


def parse_weekdays(text: str) -> frozenset[int]:
    """Day names, ranges and groups → weekday numbers (Monday=0 … Sunday=6).

    Accepts ``"mon,tue,wed"``, ``"Mon Tue"``, ``"mon-fri"``, ``"monday,friday"``,
    ``"weekdays"``. A range may wrap past Sunday (``"fri-mon"``) for
    teams whose week does not start on Monday.
    """
    normalized = _RANGE_SEP_RE.sub("-", text.strip().lower())
    tokens = [t for t in re.split(r"[\s,;/]+", normalized) if t]
    if not tokens:
        raise InvalidInput("Please list at least one working day, e.g. `mon-fri` or `mon,wed,fri`.")
    days: set[int] = set()
    for token in tokens:
        if token in _DAY_GROUPS:
            days |= _DAY_GROUPS[token]
            continue
        if "-" in token:
            parts = token.split("-")
            if len(parts) != 2 or not all(parts):
                raise InvalidInput(
                    f"{_quote(token)} is not a range of days. Write it like `mon-fri`."
                )
            first, last = _day_index(parts[0]), _day_index(parts[1])
            span = (last - first) % 7
            days.update((first + k) % 7 for k in range(span + 1))
            continue
        days.add(_day_index(token))
    return frozenset(days)


def format_weekdays(days: frozenset[int]) -> str:
    """Compact human form: ``"Mon–Fri"``, ``"Mon, Wed, Fri"``, ``"Mon–Wed, Sat, Sun"``.

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
            parts.append(f"{_DAY_ABBR[run[0]]}–{_DAY_ABBR[run[-1]]}")
        else:
            parts.extend(_DAY_ABBR[d] for d in run)
    return ", ".join(parts)


# --- dates -------------------------------------------------------------------

_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# "..", "to" and a spaced or en dash; a bare "-" is part of ISO dates.
_DATE_RANGE_SEP_RE = re.compile(r"\s*\.\.\s*|\s+to\s+|\s*–\s*|\s+-\s+", re.IGNORECASE)
_DATE_HINT = "Use YYYY-MM-DD, e.g. `2026-12-24`, or `today` / `tomorrow`."


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
            raise InvalidInput(
                f"{_quote(text)} is not a valid calendar date. {_DATE_HINT}"
            ) from None
    raise InvalidInput(f"{_quote(text)} is not a date. {_DATE_HINT}")


def parse_date_range(text: str, today: date) -> DateRange:
    """``"2026-12-21..2027-01-03"``, ``"2026-12-24"``, ``"today"``, ``"tomorrow"``.

    Both ends are inclusive. ``today`` is the user's local date, passed in so
    that parsing stays pure and testable.
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidInput(
            "Please give a date or a date range, e.g. `2026-12-24` or `2026-12-21..2027-01-03`."
        )
    parts = _DATE_RANGE_SEP_RE.split(stripped)
    if len(parts) == 1:
        single = _parse_one_date(parts[0], today)
        return DateRange(single, single)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise InvalidInput(
            f"{_quote(stripped)} is not a date range. Write it as START..END, "
            "e.g. `2026-12-21..2027-01-03`."
        )
    start = _parse_one_date(parts[0], today)
    end = _parse_one_date(parts[1], today)
    if end < start:
        raise InvalidInput(
            f"The range ends on `{end.isoformat()}`, before it starts on "
            f"`{start.isoformat()}`. Put the earlier date first, e.g. "
            f"`{end.isoformat()}..{start.isoformat()}`."
        )
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
        lead = "Please give a country code for public holidays."
    else:
        lead = f"{_quote(stripped)} is not a country code with a known holiday calendar."
    raise InvalidInput(
        f"{lead} Use a two-letter ISO 3166 code such as `DE`, `US`, `GB`, `IN`, `FR` "
        "or `AU`, or `none` to ignore public holidays."
    )


# --- questions ---------------------------------------------------------------

_QUESTIONS_EXAMPLE = "`What did you do yesterday? | What will you do today? | Any blockers?`"


def parse_questions(text: str) -> tuple[str, ...]:
    """``"Q1 | Q2 | Q3"`` → the stripped questions (1–10, each ≤ 150 characters)."""
    if not text.strip():
        raise InvalidInput(
            f"Please give at least one question, separated by `|`, e.g. {_QUESTIONS_EXAMPLE}."
        )
    questions = tuple(q.strip() for q in text.split("|"))
    for number, question in enumerate(questions, start=1):
        if not question:
            raise InvalidInput(
                f"Question {number} of {len(questions)} is empty. Put text between each "
                f"pair of `|`, e.g. {_QUESTIONS_EXAMPLE}."
            )
    if len(questions) > MAX_QUESTIONS:
        raise InvalidInput(
            f"You gave {len(questions)} questions; a daily can have at most "
            f"{MAX_QUESTIONS}. Drop {len(questions) - MAX_QUESTIONS} of them."
        )
    for number, question in enumerate(questions, start=1):
        if len(question) > MAX_QUESTION_LENGTH:
            raise InvalidInput(
                f"Question {number} ({_quote(question)}) is {len(question)} characters "
                f"long. Keep each question to {MAX_QUESTION_LENGTH} characters or fewer."
            )
    return questions


# --- day counts --------------------------------------------------------------

_DAYS_COUNT_RE = re.compile(r"(\d+)\s*(?:d|days?)?", re.IGNORECASE | re.ASCII)


def parse_days_count(text: str) -> int:
    """``"7"``, ``"14 days"``, ``"7d"`` → a number of days from 1 to 90."""
    stripped = text.strip()
    hint = f"Use a whole number from 1 to {MAX_DAYS_COUNT}, e.g. `7` or `14 days`."
    if not stripped:
        raise InvalidInput(f"Please give a number of days. {hint}")
    match = _DAYS_COUNT_RE.fullmatch(stripped)
    if match is None:
        raise InvalidInput(f"{_quote(stripped)} is not a number of days. {hint}")
    digits = match[1].lstrip("0") or "0"
    # Checking the length first keeps absurdly long inputs away from int(),
    # which refuses strings over 4300 digits.
    if len(digits) > 3 or not 1 <= int(digits) <= MAX_DAYS_COUNT:
        raise InvalidInput(
            f"{_quote(stripped)} is out of range. Pick from 1 to {MAX_DAYS_COUNT} days, "
            "e.g. `14 days`."
        )
    return int(digits)

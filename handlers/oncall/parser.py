"""Reads the text of `/oncall …` into a typed request, or says exactly what was wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from ceremonies.core.parsing import (
    InvalidInput,
    parse_clock_time,
    parse_country,
    parse_date_range,
    parse_timezone,
    parse_weekday,
)
from ceremonies.core.time_model import DateRange
from ceremonies.oncall.rotation import DAILY, TWO_WEEKS, WEEKLY
from handlers.kit import MENTION

SUBCOMMANDS = (
    "start",
    "who",
    "schedule",
    "handoff",
    "shift",
    "timezone",
    "add",
    "remove",
    "order",
    "country",
    "away",
    "override",
    "swap",
    "cover",
    "note",
    "usergroup",
    "calendar",
    "history",
    "help",
)
NEEDS_CHANNEL = frozenset(SUBCOMMANDS) - {"help"}
TAKES_NOTHING = frozenset({"who", "calendar", "help"})
SHIFT_NAMES = {
    "daily": DAILY,
    "day": DAILY,
    "weekly": WEEKLY,
    "week": WEEKLY,
    "2w": TWO_WEEKS,
    "2weeks": TWO_WEEKS,
    "biweekly": TWO_WEEKS,
    "fortnightly": TWO_WEEKS,
}
# A user group as Slack escapes it in a command's text: <!subteam^S0614TZR7|@oncall>.
USERGROUP = re.compile(r"<!subteam\^(S[A-Z0-9]+)(?:\|@?([^>]*))?>")
_WINDOW = re.compile(
    r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})\s*(?:\.\.|–|—|\s-\s|\s+to\s+)\s*"
    r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})"
)
MAX_COUNT = 52


@dataclass(frozen=True)
class OncallRequest:
    action: str
    user_ids: tuple[str, ...] = ()
    handoff_day: int | None = None
    handoff_time: time | None = None
    shift: str | None = None
    tz: str | None = None
    country: str | None = None
    days: DateRange | None = None
    window: tuple[datetime, datetime] | None = None
    count: int | None = None
    text: str = ""
    usergroup_id: str | None = None
    usergroup_handle: str = ""

    @property
    def user_id(self) -> str | None:
        return self.user_ids[0] if self.user_ids else None


def _mentions(rest: str) -> tuple[list[str], str]:
    return MENTION.findall(rest), MENTION.sub("", rest).strip()


def _one_user(rest: str, usage: str) -> str:
    users, leftover = _mentions(rest)
    if len(users) != 1 or leftover:
        raise InvalidInput("oncall_mention_one", usage=usage)
    return users[0]


def _count(text: str, default: int, usage: str) -> int:
    words = text.lower().replace("weeks", "").replace("week", "").split()
    if not words:
        return default
    if len(words) != 1 or not words[0].isdigit() or not 1 <= int(words[0]) <= MAX_COUNT:
        raise InvalidInput("oncall_count", input=text[:40], usage=usage, limit=MAX_COUNT)
    return int(words[0])


def _window(text: str) -> tuple[datetime, datetime]:
    match = _WINDOW.fullmatch(text.strip())
    if match is None:
        raise InvalidInput("oncall_window_invalid", input=text.strip()[:60])
    try:
        start = datetime.combine(date.fromisoformat(match[1]), parse_clock_time(match[2]))
        end = datetime.combine(date.fromisoformat(match[3]), parse_clock_time(match[4]))
    except ValueError:
        raise InvalidInput("oncall_window_invalid", input=text.strip()[:60]) from None
    return start, end


def _handoff(rest: str) -> OncallRequest:
    words = rest.split()
    if len(words) == 1:
        return OncallRequest("handoff", handoff_time=parse_clock_time(words[0]))
    if len(words) != 2:
        raise InvalidInput("oncall_handoff_usage")
    day = parse_weekday(words[0])
    return OncallRequest("handoff", handoff_day=day, handoff_time=parse_clock_time(words[1]))


def parse_oncall_command(text: str, today: date) -> OncallRequest:
    words = text.strip().split(maxsplit=1)
    if not words:
        return OncallRequest("help")
    action, rest = words[0].lower(), (words[1].strip() if len(words) > 1 else "")
    if action not in SUBCOMMANDS:
        raise InvalidInput(
            "unknown_command", command="oncall", action=action[:40], commands=SUBCOMMANDS
        )
    if action in TAKES_NOTHING and rest:
        raise InvalidInput("takes_nothing", command="oncall", action=action)
    return _PARSERS.get(action, lambda rest, today: OncallRequest(action))(rest, today)


def _people(action: str) -> object:
    def parse(rest: str, today: date) -> OncallRequest:
        users, leftover = _mentions(rest)
        if not users or leftover:
            raise InvalidInput("oncall_people", usage=f"/oncall {action} @ana @ben @chloe")
        return OncallRequest(action, user_ids=tuple(users))

    return parse


def _shift(rest: str, today: date) -> OncallRequest:
    name = SHIFT_NAMES.get(rest.lower().replace(" ", ""))
    if name is None:
        raise InvalidInput("oncall_shift_unknown", input=rest[:40])
    return OncallRequest("shift", shift=name)


def _country(rest: str, today: date) -> OncallRequest:
    users, leftover = _mentions(rest)
    if len(users) > 1:
        raise InvalidInput("mention_at_most_one")
    if not leftover:
        raise InvalidInput("oncall_country_missing")
    return OncallRequest("country", user_ids=tuple(users), country=parse_country(leftover))


def _away(rest: str, today: date) -> OncallRequest:
    users, leftover = _mentions(rest)
    if len(users) > 1:
        raise InvalidInput("mention_at_most_one")
    if not leftover:
        raise InvalidInput("oncall_away_missing")
    return OncallRequest("away", user_ids=tuple(users), days=parse_date_range(leftover, today))


def _override(rest: str, today: date) -> OncallRequest:
    users, leftover = _mentions(rest)
    if len(users) != 1:
        raise InvalidInput(
            "oncall_mention_one", usage="/oncall override @ben 2026-12-24 18:00..2026-12-27 10:00"
        )
    window = _window(leftover) if leftover else None
    return OncallRequest("override", user_ids=(users[0],), window=window)


def _cover(rest: str, today: date) -> OncallRequest:
    users, leftover = _mentions(rest)
    if len(users) > 1:
        raise InvalidInput("mention_at_most_one")
    days = parse_date_range(leftover, today) if leftover else None
    return OncallRequest("cover", user_ids=tuple(users), days=days)


def _usergroup(rest: str, today: date) -> OncallRequest:
    match = USERGROUP.fullmatch(rest.strip())
    if match is None:
        raise InvalidInput("oncall_usergroup_invalid", input=rest[:40])
    return OncallRequest("usergroup", usergroup_id=match[1], usergroup_handle=match[2] or "")


_PARSERS = {
    "start": _people("start"),
    "order": _people("order"),
    "add": lambda rest, today: OncallRequest(
        "add", user_ids=(_one_user(rest, "/oncall add @dana"),)
    ),
    "remove": lambda rest, today: OncallRequest(
        "remove", user_ids=(_one_user(rest, "/oncall remove @ben"),)
    ),
    "swap": lambda rest, today: OncallRequest(
        "swap", user_ids=(_one_user(rest, "/oncall swap @ben"),)
    ),
    "handoff": lambda rest, today: _handoff(rest),
    "shift": _shift,
    "timezone": lambda rest, today: OncallRequest("timezone", tz=parse_timezone(rest)),
    "country": _country,
    "away": _away,
    "override": _override,
    "cover": _cover,
    "note": lambda rest, today: OncallRequest("note", text=rest),
    "usergroup": _usergroup,
    "schedule": lambda rest, today: OncallRequest(
        "schedule", count=_count(rest, 6, "/oncall schedule 10")
    ),
    "history": lambda rest, today: OncallRequest(
        "history", count=_count(rest, 4, "/oncall history 8 weeks")
    ),
}

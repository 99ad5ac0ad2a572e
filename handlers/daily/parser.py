"""Reads the text of `/daily …` into a typed request, or says exactly what was wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from ceremonies.core.languages import Languages, parse_choice
from ceremonies.core.parsing import (
    InvalidInput,
    parse_clock_time,
    parse_country,
    parse_date_range,
    parse_days_count,
    parse_questions,
    parse_weekdays,
)
from ceremonies.core.time_model import DateRange
from handlers.kit import MENTION

SUBCOMMANDS = (
    "start",
    "time",
    "days",
    "questions",
    "add",
    "remove",
    "pause",
    "resume",
    "skip",
    "status",
    "history",
    "settings",
    "country",
    "away",
    "language",
    "help",
)
# These act on the channel's daily, so they make no sense in a DM.
NEEDS_CHANNEL = frozenset(SUBCOMMANDS) - {"help", "away", "language"}
TAKES_NOTHING = frozenset({"start", "pause", "resume", "skip", "status", "settings", "help"})


@dataclass(frozen=True)
class DailyRequest:
    action: str
    prompt_time: time | None = None
    weekdays: frozenset[int] | None = None
    questions: tuple[str, ...] | None = None
    user_id: str | None = None
    days: int = 7
    country: str | None = None
    absence: DateRange | None = None
    # `language`: a catalog's code, AUTOMATIC (clear the choice), or None (just show);
    # `for_me` when `me` asks for one's own language from a channel.
    language: str | None = None
    for_me: bool = False


def _one_user(rest: str, usage: str) -> str:
    mentions = MENTION.findall(rest)
    leftover = MENTION.sub("", rest).strip()
    if len(mentions) != 1 or leftover:
        raise InvalidInput("daily_mention_one", usage=usage)
    return mentions[0]


def _optional_user(rest: str) -> tuple[str | None, str]:
    mentions = MENTION.findall(rest)
    if len(mentions) > 1:
        raise InvalidInput("mention_at_most_one")
    return (mentions[0] if mentions else None), MENTION.sub("", rest).strip()


def _language(rest: str, languages: Languages) -> DailyRequest:
    """`language`, `language ru`, `language me ja`, `language auto`."""
    words = rest.split()
    for_me = bool(words) and words[0].lower() == "me"
    chosen = words[1:] if for_me else words
    if not chosen:
        return DailyRequest("language", for_me=for_me)
    try:
        if len(chosen) > 1:
            raise ValueError(rest)
        code = parse_choice(chosen[0], languages)
    except ValueError:
        raise InvalidInput(
            "language_unknown", input=" ".join(chosen)[:40], languages=languages.available
        ) from None
    return DailyRequest("language", language=code, for_me=for_me)


def parse_daily_command(text: str, today: date, languages: Languages | None = None) -> DailyRequest:
    words = text.strip().split(maxsplit=1)
    if not words:
        return DailyRequest("help")
    action, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    if action not in SUBCOMMANDS:
        raise InvalidInput(
            "unknown_command", command="daily", action=action[:40], commands=SUBCOMMANDS
        )
    if action in TAKES_NOTHING and rest:
        raise InvalidInput("takes_nothing", command="daily", action=action)
    if action == "time":
        return DailyRequest(action, prompt_time=parse_clock_time(rest))
    if action == "days":
        return DailyRequest(action, weekdays=parse_weekdays(rest))
    if action == "questions":
        return DailyRequest(action, questions=parse_questions(rest))
    if action in ("add", "remove"):
        return DailyRequest(action, user_id=_one_user(rest, f"/daily {action} @maria"))
    if action == "history":
        user_id, leftover = _optional_user(rest)
        days = parse_days_count(leftover) if leftover else 7
        return DailyRequest(action, user_id=user_id, days=days)
    if action == "country":
        user_id, leftover = _optional_user(rest)
        if not leftover:
            raise InvalidInput("daily_country_missing")
        return DailyRequest(action, user_id=user_id, country=parse_country(leftover))
    if action == "away":
        user_id, leftover = _optional_user(rest)
        if not leftover:
            raise InvalidInput("daily_away_missing")
        return DailyRequest(action, user_id=user_id, absence=parse_date_range(leftover, today))
    if action == "language":
        return _language(rest, languages or Languages(("en", "ru", "ja"), "en"))
    return DailyRequest(action)

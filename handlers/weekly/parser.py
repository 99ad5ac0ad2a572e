"""Reads the text of `/weekly …` into a typed request, or says exactly what was wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from ceremonies.core.parsing import InvalidInput, parse_clock_time, parse_weekday
from ceremonies.weekly.risks import RiskRequest, parse_risk_args
from handlers.kit import MENTION

SUBCOMMANDS = (
    "start",
    "add",
    "remove",
    "time",
    "recipients",
    "pause",
    "resume",
    "preview",
    "settings",
    "risk",
    "help",
)
NEEDS_CHANNEL = frozenset(SUBCOMMANDS) - {"help"}
TAKES_NOTHING = frozenset({"start", "pause", "resume", "preview", "settings", "help"})
# A channel as Slack escapes it in a command's text: <#C0123|team> (or <#C0123>).
CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class WeeklyRequest:
    action: str
    channel_id: str | None = None
    weekday: int | None = None
    at: time | None = None
    user_ids: tuple[str, ...] = ()
    risk: RiskRequest | None = None


def _channel(action: str, rest: str) -> WeeklyRequest:
    found = CHANNEL.findall(rest)
    if len(found) != 1 or CHANNEL.sub("", rest).strip():
        raise InvalidInput("weekly_channel_required", action=action)
    return WeeklyRequest(action, channel_id=found[0])


def _time(rest: str) -> WeeklyRequest:
    words = rest.split()
    if len(words) != 2:
        raise InvalidInput("weekly_bad_time", given=rest[:40])
    return WeeklyRequest("time", weekday=parse_weekday(words[0]), at=parse_clock_time(words[1]))


def _recipients(rest: str) -> WeeklyRequest:
    users = MENTION.findall(rest)
    if not users or MENTION.sub("", rest).strip():
        raise InvalidInput("weekly_recipients_required")
    return WeeklyRequest("recipients", user_ids=tuple(dict.fromkeys(users)))


def parse_weekly_command(text: str) -> WeeklyRequest:
    words = text.strip().split(maxsplit=1)
    if not words:
        return WeeklyRequest("help")
    action, rest = words[0].lower(), (words[1].strip() if len(words) > 1 else "")
    if action not in SUBCOMMANDS:
        raise InvalidInput(
            "unknown_command", command="weekly", action=action[:40], commands=SUBCOMMANDS
        )
    if action in TAKES_NOTHING and rest:
        raise InvalidInput("takes_nothing", command="weekly", action=action)
    if action in ("add", "remove"):
        return _channel(action, rest)
    if action == "time":
        return _time(rest)
    if action == "recipients":
        return _recipients(rest)
    if action == "risk":
        return WeeklyRequest("risk", risk=parse_risk_args(rest))
    return WeeklyRequest(action)

"""Reads the text of `/retro …` into a typed request, or says exactly what was wrong."""

from __future__ import annotations

from dataclasses import dataclass

from ceremonies.core.parsing import InvalidInput
from handlers.kit import MENTION

SUBCOMMANDS = (
    "start",
    "rate",
    "pick",
    "owner",
    "swap",
    "drop",
    "close",
    "actions",
    "history",
    "facilitator",
    "carry",
    "help",
)


@dataclass(frozen=True)
class RetroRequest:
    action: str
    title: str = ""
    numbers: tuple[int, ...] = ()
    user_id: str | None = None


def _numbers(rest: str, count: int, usage: str) -> tuple[int, ...]:
    words = MENTION.sub(" ", rest).split()
    if len(words) != count or not all(w.lstrip("#").isdigit() for w in words):
        raise InvalidInput("retro_bad_numbers", usage=usage)
    return tuple(int(w.lstrip("#")) for w in words)


def _mention(rest: str, usage: str) -> str:
    found = MENTION.findall(rest)
    if len(found) != 1:
        raise InvalidInput("retro_mention_one", usage=usage)
    return found[0]


def parse_retro_command(text: str) -> RetroRequest:
    words = text.strip().split(maxsplit=1)
    if not words:
        return RetroRequest("help")
    action, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    if action not in SUBCOMMANDS:
        raise InvalidInput(
            "unknown_command", command="retro", action=action[:40], commands=SUBCOMMANDS
        )
    if action == "start":
        return RetroRequest(action, title=rest)
    if action == "owner":
        return RetroRequest(
            action,
            numbers=_numbers(rest, 1, "/retro owner 1 @maria"),
            user_id=_mention(rest, "/retro owner 1 @maria"),
        )
    if action == "swap":
        return RetroRequest(action, numbers=_numbers(rest, 2, "/retro swap 2 7"))
    if action == "drop":
        return RetroRequest(action, numbers=_numbers(rest, 1, "/retro drop 3"))
    if action == "facilitator":
        return RetroRequest(action, user_id=_mention(rest, "/retro facilitator @maria"))
    if rest:
        raise InvalidInput("takes_nothing", command="retro", action=action)
    return RetroRequest(action)

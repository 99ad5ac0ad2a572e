"""The risk register: rank = probability × consequence, its class, marks since last week.

Probability and consequence are each 1 (low) to 3 (high), so a rank is 1..9 and takes one
of the values 1, 2, 3, 4, 6, 9. The classes say what to do about a risk:

* rank 1–3, ACCEPT: accept it or handle the consequences when they come;
* rank 4–6, MITIGATE: prevent it and mitigate;
* rank 7–9, RED_LINE: prevent it, set red lines, have a plan B.

Marks compare a risk with what it was at the previous report's delivery (`RiskSeen.before`):
CLOSED (closed since then) wins over NEW (did not exist then), which wins over RAISED or
LOWERED (rank up or down). A change of p and c that keeps the rank is no mark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ceremonies.core.parsing import InvalidInput
from ceremonies.weekly.week import ReportWeek

__all__ = [
    "ACCEPT",
    "CLOSED",
    "LEVELS",
    "LOWERED",
    "MAX_RISK_TEXT",
    "MITIGATE",
    "NEW",
    "RAISED",
    "RED_LINE",
    "RiskRequest",
    "RiskSeen",
    "is_open_at",
    "parse_risk_args",
    "rank",
    "ranked",
    "risk_class",
    "risk_marks",
]

ACCEPT, MITIGATE, RED_LINE = "accept", "mitigate", "red_line"
NEW, RAISED, LOWERED, CLOSED = "new", "raised", "lowered", "closed"
LEVELS = range(1, 4)
MAX_RISK_TEXT = 300
ACTIONS = ("add", "list", "update", "close")
# A user mention as Slack escapes it in a command's text: <@U123> or <@U123|name>.
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# p=2 / c = 3 as a word of its own, so "map=3" in a risk's text is left alone.
_LEVEL = re.compile(r"(?<!\S)([pc])\s*=\s*(\S*)", re.IGNORECASE)
_NUMBER = re.compile(r"#?(\d{1,6})", re.ASCII)


def rank(p: int, c: int) -> int:
    """Probability × consequence, each 1..3."""
    if p not in LEVELS or c not in LEVELS:
        raise ValueError(f"p and c must be within 1..3, got p={p} c={c}")
    return p * c


def risk_class(value: int) -> str:
    if not 1 <= value <= 9:
        raise ValueError(f"a rank is within 1..9, got {value}")
    if value <= 3:
        return ACCEPT
    return MITIGATE if value <= 6 else RED_LINE


@dataclass(frozen=True)
class RiskSeen:
    """A risk of the register, and its (p, c) at the previous delivery (None: not there yet)."""

    number: int
    text: str
    p: int
    c: int
    owner_id: str | None
    opened_at: datetime
    closed_at: datetime | None
    before: tuple[int, int] | None

    @property
    def rank(self) -> int:
        return rank(self.p, self.c)

    @property
    def risk_class(self) -> str:
        return risk_class(self.rank)


def is_open_at(risk: RiskSeen, at: datetime) -> bool:
    return risk.opened_at <= at and (risk.closed_at is None or risk.closed_at > at)


def risk_marks(risk: RiskSeen, week: ReportWeek) -> str | None:
    """NEW, RAISED, LOWERED or CLOSED since the previous report's delivery, else None."""
    if risk.closed_at is not None and risk.closed_at <= week.delivery:
        return CLOSED if week.since_last_report(risk.closed_at) else None
    if risk.before is None:
        return NEW
    now, then = risk.rank, rank(*risk.before)
    if now == then:
        return None
    return RAISED if now > then else LOWERED


def ranked(risks: Iterable[RiskSeen], at: datetime | None = None) -> tuple[RiskSeen, ...]:
    """Open risks (now, or at the instant `at`), highest rank first, then by number."""
    open_ = [r for r in risks if (r.closed_at is None if at is None else is_open_at(r, at))]
    return tuple(sorted(open_, key=lambda r: (-r.rank, r.number)))


# --- parsing `/weekly risk …` ------------------------------------------------------


@dataclass(frozen=True)
class RiskRequest:
    """`/weekly risk add|list|update|close …` read into its parts."""

    action: str
    number: int | None = None
    text: str = ""
    p: int | None = None
    c: int | None = None
    owner_id: str | None = None


def parse_risk_args(text: str) -> RiskRequest:
    """What follows `/weekly risk` (a leading "risk" is accepted too).

    `add <text> p=1..3 c=1..3 [@owner]`, `list`, `update N [p=..] [c=..] [@owner]` (at least
    one of them), `close N`. Every rejection is an InvalidInput with a code and its params.
    """
    words = text.split(maxsplit=1)
    if words and words[0].lower() == "risk":
        words = words[1].split(maxsplit=1) if len(words) > 1 else []
    if not words or words[0].lower() not in ACTIONS:
        raise InvalidInput("weekly_risk_usage", input=text.strip()[:40], actions=ACTIONS)
    action, rest = words[0].lower(), words[1] if len(words) > 1 else ""
    if action == "list":
        if rest.strip():
            raise InvalidInput("weekly_risk_takes_nothing", action=action, input=rest[:40])
        return RiskRequest(action)
    if action == "add":
        return _add(rest)
    number, rest = _number(rest, action)
    if action == "close":
        if rest.strip():
            raise InvalidInput("weekly_risk_takes_nothing", action=action, input=rest[:40])
        return RiskRequest(action, number)
    return _update(number, rest)


def _add(rest: str) -> RiskRequest:
    levels, owner_id, leftover = _pieces(rest)
    for key in ("p", "c"):
        if key not in levels:
            raise InvalidInput("weekly_risk_level_missing", key=key, example="p=2 c=3")
    if not leftover:
        raise InvalidInput("weekly_risk_text_empty", example="risk add vendor late p=2 c=3")
    if len(leftover) > MAX_RISK_TEXT:
        raise InvalidInput("weekly_risk_text_too_long", length=len(leftover), limit=MAX_RISK_TEXT)
    return RiskRequest("add", None, leftover, levels["p"], levels["c"], owner_id)


def _update(number: int, rest: str) -> RiskRequest:
    levels, owner_id, leftover = _pieces(rest)
    if leftover:
        raise InvalidInput("weekly_risk_update_text", input=leftover[:40], number=number)
    if not levels and owner_id is None:
        raise InvalidInput("weekly_risk_update_nothing", number=number)
    return RiskRequest("update", number, "", levels.get("p"), levels.get("c"), owner_id)


def _number(rest: str, action: str) -> tuple[int, str]:
    words = rest.split(maxsplit=1)
    match = _NUMBER.fullmatch(words[0]) if words else None
    if match is None or int(match[1]) == 0:
        shown = words[0][:20] if words else ""
        raise InvalidInput("weekly_risk_number", action=action, input=shown)
    return int(match[1]), words[1] if len(words) > 1 else ""


def _pieces(rest: str) -> tuple[dict[str, int], str | None, str]:
    """The p= and c= levels, the one owner mention, and the text that is left."""
    levels: dict[str, int] = {}
    for match in _LEVEL.finditer(rest):
        key, value = match[1].lower(), match[2]
        if key in levels:
            raise InvalidInput("weekly_risk_level_twice", key=key)
        if not (value.isascii() and value.isdigit() and int(value) in LEVELS):
            raise InvalidInput("weekly_risk_level", key=key, input=value[:10], low=1, high=3)
        levels[key] = int(value)
    rest = _LEVEL.sub(" ", rest)
    owners = _MENTION.findall(rest)
    if len(owners) > 1:
        raise InvalidInput("weekly_risk_owner_one", count=len(owners))
    leftover = " ".join(_MENTION.sub(" ", rest).split())
    return levels, owners[0] if owners else None, leftover

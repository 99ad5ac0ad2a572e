"""The demo script's vocabulary: people, the acts they do and the days that hold them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time


@dataclass(frozen=True)
class Person:
    name: str
    real_name: str
    tz: str
    country: str | None = None


@dataclass(frozen=True)
class Act:
    """Something one person does at a local time. Texts may mention people as ``{ben}``."""

    who: str
    day: date
    at: time


@dataclass(frozen=True)
class Answer(Act):
    texts: tuple[str, ...] = ()
    form: bool = False  # through the prompt's "Answer in a form" button instead of DM replies


@dataclass(frozen=True)
class Command(Act):
    text: str = ""  # what follows the command, typed in the team channel
    slash: str = "/daily"


@dataclass(frozen=True)
class Item(Act):
    """A reply in the open retro's thread: an item (``+ …`` went well)."""

    text: str = ""


@dataclass(frozen=True)
class FormItem(Act):
    """An item through the retro's "Add item" button and modal, maybe anonymous."""

    text: str = ""
    kind: str = "improve"
    anonymous: bool = False


@dataclass(frozen=True)
class Rate(Act):
    """Rates every item in the "Rate items" modal: (a word of the item, importance, complexity)."""

    ratings: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class Press(Act):
    """Presses a button of the bot's latest message to them that has it (a DM or an
    only-visible-to-you message), checked to hold ``action``: a word of the retro action it
    is about, or a mention — never the bot's own words, which depend on its language."""

    button: str = ""
    action: str = ""


RETRO_ACTS = (Item, FormItem, Rate, Press)


def is_retro(act: Act) -> bool:
    return isinstance(act, RETRO_ACTS) or (isinstance(act, Command) and act.slash == "/retro")


@dataclass(frozen=True)
class Edit(Act):
    """Edits one of the person's DM replies of ``answers_of`` (by question position)."""

    answers_of: date
    position: int = 0
    text: str = ""


@dataclass(frozen=True)
class Day:
    """A section of the demo: played from ``begin`` to ``end`` (UTC; by default from 02:00
    UTC that day for 24 hours), printed as one section, or two when ``retro_story`` is set:
    the retro's acts and what the bot did for them then get a section of their own."""

    day: date
    acts: list[Act] = field(default_factory=list)
    story: str = ""
    retro_story: str = ""
    begin: datetime | None = None
    end: datetime | None = None

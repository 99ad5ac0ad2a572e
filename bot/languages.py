"""Rendering in the language of whoever reads it (issue 12), decided at the edge.

The ceremonies hand the Chat port a template and a destination; which language that
destination reads is decided here, from the facts ceremonies/core/languages.py keeps:

- a user id (U…/W…: a DM posted by user id, a Home tab, an ephemeral) → that person;
- a DM channel (D…) → the person whose DM it is (recorded when conversations.open or a post
  by user id returned it; an unknown one reads as DEFAULT_LOCALE);
- any other channel (C…/G…) → the channel's language.

A listener's replies (ephemerals, response_url, modals) are in the language of the person
who sent the request: `RequesterRenderer` reads who that is from a context variable the
Bolt middleware sets (`asking`), and resolves it at most once per request.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from threading import Lock
from typing import Any

from bot.rendering import Renderer
from ceremonies.core import languages as rules
from ceremonies.core.languages import Languages, Resolved
from ceremonies.core.ports import Clock, Conflict, Profile, UnitOfWorkFactory

log = logging.getLogger(__name__)

# How long a locale this process recorded is not written again when read unchanged (well
# under a day, so `is_stale` still sees it renewed).
RECORDED_FOR = timedelta(hours=1)


class Renderers:
    """One Renderer per language, made on first use and kept (they share the custom dir)."""

    def __init__(
        self,
        default: str,
        custom_dir: Path | None = None,
        on_custom_failure: Callable[[str, str], None] | None = None,
    ) -> None:
        self.default = default
        self.custom_dir = custom_dir
        self.on_custom_failure = on_custom_failure
        self._made: dict[str, Renderer] = {}
        self._lock = Lock()

    def __call__(self, language: str | None = None) -> Renderer:
        code = language or self.default
        with self._lock:
            renderer = self._made.get(code)
            if renderer is None:
                renderer = Renderer(self.custom_dir, self.on_custom_failure, locale=code)
                self._made[code] = renderer
            return renderer


class LanguageBook:
    """Reads and records the language facts, each in its own short transaction."""

    def __init__(self, uow_factory: UnitOfWorkFactory[Any], languages: Languages) -> None:
        self.uow_factory = uow_factory
        self.languages = languages
        # A DM channel belongs to one person for good: once recorded, not written again.
        self._dms_known: set[tuple[str, str, str]] = set()
        # Locales this process recorded, and when: the same locale read again within the
        # hour (Home refreshes, admin checks) is not written again.
        self._recorded: dict[tuple[str, str], tuple[str, datetime]] = {}

    def person(self, team_id: str, user_id: str) -> Resolved:
        with self.uow_factory() as uow:
            return rules.of_person(uow.languages, team_id, user_id, self.languages)

    def channel(self, team_id: str, channel_id: str) -> Resolved:
        with self.uow_factory() as uow:
            return rules.of_channel(uow.languages, team_id, channel_id, self.languages)

    def destination(self, team_id: str, channel: str) -> str:
        """The language a message posted to `channel` (a user id, a DM or a channel) reads."""
        if channel[:1] in "UW":
            return self.person(team_id, channel).code
        with self.uow_factory() as uow:
            if channel[:1] == "D":
                return rules.of_dm(uow.languages, team_id, channel, self.languages).code
            return rules.of_channel(uow.languages, team_id, channel, self.languages).code

    def asker(self, team_id: str, user_id: str, now: datetime) -> tuple[Resolved, bool]:
        """A person's language, and whether their Slack locale should be read again."""
        with self.uow_factory() as uow:
            row = uow.languages.person(team_id, user_id)
            return rules.of_row(row, self.languages), rules.is_stale(row, now)

    def note_profiles(self, team_id: str, profiles: Iterable[Profile], now: datetime) -> None:
        seen = [
            (p.user_id, p.locale)
            for p in profiles
            if p.locale and not p.is_bot and not self._recently(team_id, p.user_id, p.locale, now)
        ]
        if seen:
            self._write(lambda uow: rules.note_locales(uow.languages, team_id, seen, now))
            for user_id, locale in seen:
                self._recorded[(team_id, user_id)] = (locale, now)

    def _recently(self, team_id: str, user_id: str, locale: str, now: datetime) -> bool:
        known = self._recorded.get((team_id, user_id))
        return known is not None and known[0] == locale and now - known[1] < RECORDED_FOR

    def note_dm(self, team_id: str, user_id: str, dm_channel_id: str) -> None:
        key = (team_id, user_id, dm_channel_id)
        if key in self._dms_known:
            return
        self._write(lambda uow: rules.note_dm(uow.languages, team_id, user_id, dm_channel_id))
        self._dms_known.add(key)

    def _write(self, change: Callable[[Any], None]) -> None:
        """A fact is a courtesy: losing a race for its row (two first sightings at once)
        or a database hiccup must never stop the message or the profile it came with."""
        for _attempt in range(2):
            try:
                with self.uow_factory() as uow:
                    change(uow)
                    uow.commit()
                return
            except Conflict:
                continue  # the other writer made the row: the second pass updates it
            except Exception as error:
                log.warning("a language fact was not recorded: %s", error)
                return


@dataclass
class Asking:
    """Who sent the request being handled, and the language resolved for them (once)."""

    team_id: str
    user_id: str
    language: str | None = None
    refresh_asked: bool = field(default=False)


asking: contextvars.ContextVar[Asking | None] = contextvars.ContextVar("asking", default=None)


def asker_of(body: Any) -> Asking | None:
    """Who sent a request: a command's user_id, an interaction's user, an event's user."""
    if not isinstance(body, Mapping):
        return None
    user: Any = body.get("user_id") or body.get("user")
    event = body.get("event")
    if user is None and isinstance(event, Mapping):
        edited = event.get("message")
        user = event.get("user") or (edited.get("user") if isinstance(edited, Mapping) else None)
    if isinstance(user, Mapping):
        user = user.get("id")
    team, user_team = body.get("team"), body.get("user")
    team_id = (
        body.get("team_id")
        or (team.get("id") if isinstance(team, Mapping) else None)
        or (user_team.get("team_id") if isinstance(user_team, Mapping) else None)
    )
    if not isinstance(user, str) or not isinstance(team_id, str):
        return None
    return Asking(team_id, user)


class RequesterRenderer:
    """The `services.renderer` listeners use: renders in the language of the person whose
    request is being handled (outside a request, the default), and on first use in a
    request, when that person's Slack locale is unknown or a day old, asks for it again in
    the background (`refresh`) — the reply itself never waits for Slack."""

    def __init__(
        self,
        renderers: Renderers,
        book: LanguageBook,
        clock: Clock,
        refresh: Callable[[str, str], None] = lambda team, user: None,
    ) -> None:
        self.renderers = renderers
        self.book = book
        self.clock = clock
        self.refresh = refresh

    def language(self) -> str:
        who = asking.get()
        if who is None or not who.team_id or not who.user_id:
            return self.renderers.default
        if who.language is None:
            try:
                found, stale = self.book.asker(who.team_id, who.user_id, self.clock.now())
                who.language = found.code
                if stale and not who.refresh_asked:
                    who.refresh_asked = True
                    self.refresh(who.team_id, who.user_id)
            except Exception as error:  # a reply in the default beats no reply
                log.warning("the asker's language could not be read: %s", error)
                who.language = self.renderers.default
        return who.language

    def speak(self, language: str | None) -> None:
        """The rest of this request replies in `language` (a confirmation of a new choice)."""
        who = asking.get()
        if who is not None:
            who.language = language

    def current(self) -> Renderer:
        return self.renderers(self.language())

    def in_channel(self, team_id: str, channel_id: str) -> Renderer:
        """For a reply everyone in the channel reads (`response_type: in_channel`)."""
        try:
            return self.renderers(self.book.destination(team_id, channel_id))
        except Exception as error:
            log.warning("the channel's language could not be read: %s", error)
            return self.current()

    def render(self, template: str, context: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self.current().render(template, context, **kwargs)

    def view(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]:
        return self.current().view(template, context)

    def text(self, template: str, **context: Any) -> str:
        return self.current().text(template, **context)

    def gettext(self, text: str) -> str:
        return self.current().gettext(text)

    def source_of(self, text: str) -> str:
        return self.current().source_of(text)

    @property
    def locale(self) -> str:
        return self.language()

"""Which language a person or a channel is spoken to in, and the facts it is drawn from.

The rules (pure):
- a person: their own choice (`/daily language ru`, the Home tab), else their Slack
  locale when there is a catalog for it ("ru-RU" reads as `ru`), else the workspace default
  (`DEFAULT_LOCALE`);
- a channel: its chosen language (`/daily language ru` in the channel), else the language
  of its *owner* — the person who set up the channel's first ceremony — else the default;
- a DM channel (D…): the person whose DM it is, when the bot has seen it open.

The facts are kept per workspace in two tables (storage/languages.py) and written by the
Slack adapter as it reads profiles anyway, so resolving a language never calls Slack.
What is stored is a language *code*; every message is rendered in it when it is posted, so
stored content stays as it was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ceremonies.core.ports import (
    Conflict,
    LanguageStore,
    PersonLanguageRow,
)

# A Slack locale read longer ago than this is asked for again when its person next runs a
# command (in the background: that reply uses what is known). Slack sends no event when a
# person changes their language, and a day is how long an answer in the old one may last.
LOCALE_FRESH_FOR = timedelta(days=1)

# Where a language came from, as `/daily language` and the Home tab say it.
CHOSEN, SLACK, OWNER, DEFAULT = "choice", "slack", "owner", "default"
# What `/daily language auto` and the Home tab's "Automatic" clear a choice with.
AUTOMATIC = "auto"


@dataclass(frozen=True)
class Languages:
    """The catalogs there are (the source language first) and the workspace default."""

    available: tuple[str, ...]
    default: str

    def code_of(self, locale: str | None) -> str | None:
        """The catalog a Slack locale or a typed code reads as ("ru-RU", "ru_RU", "RU" → ru),
        None when there is none for it."""
        if not locale:
            return None
        code = locale.strip().replace("_", "-").split("-")[0].lower()
        return code if code in self.available else None


@dataclass(frozen=True)
class Resolved:
    """A language and where it came from (CHOSEN, SLACK, OWNER or DEFAULT)."""

    code: str
    source: str


def person_language(choice: str | None, slack_locale: str | None, languages: Languages) -> Resolved:
    if (code := languages.code_of(choice)) is not None:
        return Resolved(code, CHOSEN)
    if (code := languages.code_of(slack_locale)) is not None:
        return Resolved(code, SLACK)
    return Resolved(languages.default, DEFAULT)


def channel_language(choice: str | None, owner: Resolved | None, languages: Languages) -> Resolved:
    if (code := languages.code_of(choice)) is not None:
        return Resolved(code, CHOSEN)
    if owner is not None:
        return Resolved(owner.code, OWNER)
    return Resolved(languages.default, DEFAULT)


def of_row(row: PersonLanguageRow | None, languages: Languages) -> Resolved:
    if row is None:
        return Resolved(languages.default, DEFAULT)
    return person_language(row.choice, row.slack_locale, languages)


def is_stale(row: PersonLanguageRow | None, now: datetime) -> bool:
    """Whether the person's Slack locale should be read again (never read, or old)."""
    return row is None or row.seen_at is None or now - row.seen_at > LOCALE_FRESH_FOR


# --- reading, in a unit of work's store -------------------------------------------------


def of_person(store: LanguageStore, team_id: str, user_id: str, languages: Languages) -> Resolved:
    return of_row(store.person(team_id, user_id), languages)


def of_channel(
    store: LanguageStore, team_id: str, channel_id: str, languages: Languages
) -> Resolved:
    row = store.channel(team_id, channel_id)
    owner = None
    if row is not None and row.owner_id:
        owner = of_person(store, team_id, row.owner_id, languages)
    return channel_language(row.choice if row else None, owner, languages)


def of_dm(store: LanguageStore, team_id: str, dm_channel_id: str, languages: Languages) -> Resolved:
    """A DM's language is its person's; a DM the bot never saw open reads as the default
    (decision: no conversations.info call to find out whose it is — every DM the bot
    writes to is opened or posted to by user id first, which records it)."""
    return of_row(store.dm_owner(team_id, dm_channel_id), languages)


# --- writing ----------------------------------------------------------------------------


def _person_row(store: LanguageStore, team_id: str, user_id: str) -> PersonLanguageRow:
    row = store.person(team_id, user_id)
    if row is None:
        row = store.add_person(
            team_id=team_id,
            user_id=user_id,
            slack_locale=None,
            seen_at=None,
            choice=None,
            dm_channel_id=None,
        )
    return row


def note_locales(
    store: LanguageStore, team_id: str, locales: Iterable[tuple[str, str]], now: datetime
) -> None:
    """Slack said these people's locales (user id, e.g. "ru-RU") just now."""
    wanted = dict(locales)
    known = {row.user_id: row for row in store.people(team_id, list(wanted))}
    for user_id, locale in wanted.items():
        row = known.get(user_id) or _person_row(store, team_id, user_id)
        row.slack_locale, row.seen_at = locale[:16], now


def note_dm(store: LanguageStore, team_id: str, user_id: str, dm_channel_id: str) -> None:
    row = _person_row(store, team_id, user_id)
    row.dm_channel_id = dm_channel_id


def note_owner(store: LanguageStore, team_id: str, channel_id: str, user_id: str) -> None:
    """A ceremony was set up in the channel: its first one's person becomes the owner the
    channel's language follows (a later ceremony, or its owner leaving, changes nothing)."""
    row = store.channel(team_id, channel_id)
    if row is None:
        try:
            store.add_channel(team_id=team_id, channel_id=channel_id, choice=None, owner_id=user_id)
        except Conflict:  # another ceremony was set up there at the same moment: it owns
            return
    elif row.owner_id is None:
        row.owner_id = user_id


def choose_for_person(store: LanguageStore, team_id: str, user_id: str, code: str | None) -> None:
    _person_row(store, team_id, user_id).choice = code


def choose_for_channel(
    store: LanguageStore, team_id: str, channel_id: str, code: str | None
) -> None:
    row = store.channel(team_id, channel_id)
    if row is None:
        store.add_channel(team_id=team_id, channel_id=channel_id, choice=code, owner_id=None)
    else:
        row.choice = code


def parse_choice(word: str, languages: Languages) -> str | None:
    """A typed language: a code with a catalog, or AUTOMATIC ("auto", "default") to clear
    one's choice; anything else raises ValueError."""
    text = word.strip().lower()
    if text in (AUTOMATIC, "default", "reset"):
        return AUTOMATIC
    if languages.code_of(text) is not None and len(text) <= 8:
        return languages.code_of(text)
    raise ValueError(text)


# Each language named in itself, as a selector shows it (not translated: a person looks for
# their own language's name). A catalog added without a name here is shown by its code.
NATIVE_NAMES = {"en": "English", "ru": "Русский", "ja": "日本語"}


def native_name(code: str) -> str:
    return NATIVE_NAMES.get(code, code)

"""`/daily language` and the Home tab's selector: what one's language is, and choosing it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ceremonies.core import languages as rules
from ceremonies.core.languages import Languages, Resolved
from ceremonies.core.ports import Conflict, UnitOfWorkFactory


@dataclass(frozen=True)
class LanguageStatus:
    """A person's language and where it comes from, and (in a channel) the channel's."""

    person: Resolved
    slack_locale: str | None  # what Slack last said, even without a catalog for it
    slack_language: str | None  # the catalog that locale reads as, if any
    channel_id: str | None
    channel: Resolved | None
    available: tuple[str, ...]
    default: str


def status(
    uow_factory: UnitOfWorkFactory[Any],
    team_id: str,
    user_id: str,
    channel_id: str | None,
    languages: Languages,
) -> LanguageStatus:
    with uow_factory() as uow:
        row = uow.languages.person(team_id, user_id)
        channel = (
            rules.of_channel(uow.languages, team_id, channel_id, languages) if channel_id else None
        )
        locale = row.slack_locale if row else None
        return LanguageStatus(
            person=rules.of_row(row, languages),
            slack_locale=locale,
            slack_language=languages.code_of(locale),
            channel_id=channel_id,
            channel=channel,
            available=languages.available,
            default=languages.default,
        )


def choose(
    uow_factory: UnitOfWorkFactory[Any],
    team_id: str,
    *,
    user_id: str | None = None,
    channel_id: str | None = None,
    code: str | None,
) -> None:
    """Sets (a code) or clears (None) one person's or one channel's own choice. Idempotent:
    a replayed request sets the same thing again."""
    for _attempt in range(2):
        with uow_factory() as uow:
            try:
                if user_id is not None:
                    rules.choose_for_person(uow.languages, team_id, user_id, code)
                elif channel_id is not None:
                    rules.choose_for_channel(uow.languages, team_id, channel_id, code)
                uow.commit()
                return
            except Conflict:  # the row was made meanwhile (a first profile read): again
                continue

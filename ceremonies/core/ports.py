"""What the rules need from the outside world, declared here so the rules never import it."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@dataclass(frozen=True)
class Marker:
    """A machine-readable tag on a posted message, so a restarted worker can find what it sent."""

    kind: str
    key: str


@dataclass(frozen=True)
class Message:
    """A message to post: which template renders it, with what, and where in a thread."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    thread_ts: str | None = None
    marker: Marker | None = None


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str
    # Custom templates that failed for this message (the default went out instead), as
    # (file name, short reason): whoever owns the message may be told.
    fell_back: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Profile:
    user_id: str
    name: str
    tz: str
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    # Slack's `locale` ("ru-RU"), asked for with include_locale; None when Slack did not say.
    locale: str | None = None


class DeliveryError(Exception):
    """Slack refused or could not take a message; `permanent` when retrying cannot help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Chat(Protocol):
    """The chat platform as the rules see it."""

    def post(self, team_id: str, channel: str, message: Message) -> Posted: ...

    def update(self, team_id: str, channel: str, ts: str, message: Message) -> None: ...

    def find_posted(
        self,
        team_id: str,
        channel: str,
        marker: Marker,
        since: datetime,
        thread_ts: str | None = None,
    ) -> Posted | None: ...

    def open_dm(self, team_id: str, user_id: str) -> str: ...

    def publish_home(self, team_id: str, user_id: str, view: Message) -> None:
        """Sets the person's Home tab to the view the template renders (views.publish)."""
        ...

    def channel_members(self, team_id: str, channel: str) -> list[str]: ...

    def set_usergroup_members(
        self, team_id: str, usergroup_id: str, user_ids: list[str]
    ) -> None: ...

    def profile(self, team_id: str, user_id: str) -> Profile: ...

    def profiles_of(self, team_id: str, user_ids: list[str]) -> list[Profile]:
        """Many people's profiles, in the order asked (a whole channel at `/daily start`)."""
        ...

    def permalink(self, team_id: str, channel: str, ts: str) -> str: ...

    def upload_chart(
        self, team_id: str, channel: str, thread_ts: str, chart: str, data: Mapping[str, Any]
    ) -> None: ...


class AbsenceRow(Protocol):
    user_id: str
    start_date: date
    end_date: date


class PeopleStore(Protocol):
    """What every ceremony knows of people beyond Slack's profile: when they are away."""

    def absences(self, team_id: str, user_ids: list[str]) -> list[AbsenceRow]: ...
    def add_absence(self, **fields: Any) -> AbsenceRow: ...


class PersonLanguageRow(Protocol):
    """What the bot knows of a person's language (the rules: ceremonies/core/languages.py)."""

    id: int
    team_id: str
    user_id: str
    slack_locale: str | None
    seen_at: datetime | None
    choice: str | None
    dm_channel_id: str | None


class ChannelLanguageRow(Protocol):
    id: int
    team_id: str
    channel_id: str
    choice: str | None
    owner_id: str | None


class LanguageStore(Protocol):
    def person(self, team_id: str, user_id: str) -> PersonLanguageRow | None: ...
    def people(self, team_id: str, user_ids: list[str]) -> list[PersonLanguageRow]: ...
    def dm_owner(self, team_id: str, dm_channel_id: str) -> PersonLanguageRow | None: ...
    def add_person(self, **fields: Any) -> PersonLanguageRow: ...
    def channel(self, team_id: str, channel_id: str) -> ChannelLanguageRow | None: ...
    def add_channel(self, **fields: Any) -> ChannelLanguageRow: ...


class InboxRow(Protocol):
    id: int
    team_id: str
    key: str
    kind: str
    body: dict[str, Any]
    received_at: datetime
    claimed_at: datetime | None
    attempts: int
    done_at: datetime | None
    failure: str | None


class Inbox(Protocol):
    """Requests stored before their ack, so what a person wrote survives any crash."""

    def receive(
        self, team_id: str, key: str, kind: str, body: dict[str, Any], now: datetime
    ) -> tuple[InboxRow, bool]: ...
    def receive_many(
        self, receipts: list[tuple[str, str, str, dict[str, Any]]], now: datetime
    ) -> list[tuple[int, bool, str | None]]: ...
    def entry(self, entry_id: int) -> InboxRow | None: ...
    def claim(self, entry_id: int, now: datetime, stale_before: datetime) -> bool: ...
    def finish(self, entry_id: int, now: datetime, failure: str | None = None) -> None: ...
    def note_failure(self, entry_id: int, failure: str) -> None: ...
    def unfinished(self, stale_before: datetime, limit: int) -> list[InboxRow]: ...
    def forget_done(self, before: datetime) -> int: ...


class UnitOfWork(AbstractContextManager["UnitOfWork"], Protocol):
    """One transaction. Each ceremony extends it with its own store (e.g. `dailies`)."""

    people: PeopleStore
    inbox: Inbox
    # Each person's and channel's language (ceremonies/core/languages.py).
    languages: LanguageStore

    def commit(self) -> None: ...
    def rollback(self) -> None: ...


UnitOfWorkT = TypeVar("UnitOfWorkT", bound=UnitOfWork, covariant=True)


class UnitOfWorkFactory(Protocol[UnitOfWorkT]):
    def __call__(self) -> UnitOfWorkT: ...


class Conflict(Exception):
    """A unique key was taken by another worker: somebody else claimed this piece of work."""

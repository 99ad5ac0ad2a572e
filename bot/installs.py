"""Installing into many workspaces (OAuth): Bolt's standard flow, slack_sdk's SQLAlchemy
stores on the bot's own database (tables made by migration 0009, never at run time), and
each workspace's bot token looked up by its team id for the work the bot does on its own.

Single-workspace mode (SLACK_BOT_TOKEN) uses none of this.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.settings import Settings
from storage.workspaces import deactivate, reactivate

log = logging.getLogger(__name__)

# manifest.yml's bot scopes (tests/unit/test_installs.py keeps the two equal).
DEFAULT_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "usergroups:write",
    "users:read",
)
# How long an "Add to Slack" link stays good (slack_sdk's state store default).
STATE_SECONDS = 600
# How long a workspace's token is reused before it is looked up again; an uninstall
# forgets it at once (`TeamClients.forget`).
TOKEN_SECONDS = 60.0


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store; an install (a reinstall too) makes its workspace active again."""

    def save(self, installation: Any) -> None:
        super().save(installation)
        if installation.team_id:
            reactivate(self.engine, installation.team_id)
            log.info("installed in %s", installation.team_id)


class StateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store, which deletes a state when it is used but keeps every one a
    visitor never came back with: each new state clears the expired ones, so the table holds
    at most the last few minutes' visits."""

    def issue(self, *args: Any, **kwargs: Any) -> str:
        now = normalize_datetime_for_db(datetime.now(tz=UTC))
        with self.engine.begin() as connection:
            connection.execute(
                self.oauth_states.delete().where(self.oauth_states.c.expire_at <= now)
            )
        return str(super().issue(*args, **kwargs))


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    return InstallationStore(
        client_id=settings.slack_client_id or "",
        engine=engine,
        logger=logging.getLogger("bot.installs.store"),
    )


def oauth_settings(
    settings: Settings, store: SQLAlchemyInstallationStore, engine: Engine
) -> OAuthSettings:
    scopes = [s.strip() for s in settings.slack_scopes.split(",") if s.strip()]
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=scopes or list(DEFAULT_SCOPES),
        redirect_uri=settings.slack_redirect_uri or None,
        installation_store=store,
        # Bot tokens only: the bot never acts as a person.
        installation_store_bot_only=True,
        state_store=StateStore(
            expiration_seconds=STATE_SECONDS,
            engine=engine,
            logger=logging.getLogger("bot.installs.state"),
        ),
    )


def bot_token_of(store: SQLAlchemyInstallationStore) -> Callable[[str], str | None]:
    """The bot token a workspace installed us with; None when it is not (or no longer)."""

    def lookup(team_id: str) -> str | None:
        bot = store.find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None and bot.bot_token else None

    return lookup


class NotInstalled(LookupError):
    """The workspace has not installed the bot, or uninstalled it: nothing is sent there."""


@dataclass
class _Entry:
    token: str
    clients: tuple[WebClient, WebClient, Any]
    until: float


class TeamClients:
    """A workspace's Web API clients (for reading, and for posting) and its posting pace,
    made from its own token and kept briefly; a call for a workspace is never made with
    another's token, and one workspace's 429s never slow another's posts."""

    def __init__(
        self,
        token_of: Callable[[str], str | None],
        make: Callable[[str], tuple[WebClient, WebClient, Any]],
        *,
        keep_for: float = TOKEN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._token_of = token_of
        self._make = make
        self._keep_for = keep_for
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def clients(self, team_id: str) -> tuple[WebClient, WebClient, Any]:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(team_id)
            if entry is not None and entry.until > now:
                return entry.clients
        token = self._token_of(team_id) if team_id else None
        if token is None:
            self.forget(team_id)
            raise NotInstalled(team_id)
        with self._lock:
            entry = self._entries.get(team_id)
            if entry is None or entry.token != token:
                entry = _Entry(token, self._make(token), 0.0)
            entry.until = now + self._keep_for
            self._entries[team_id] = entry
            return entry.clients

    def forget(self, team_id: str) -> None:
        with self._lock:
            self._entries.pop(team_id, None)


def listen_for_uninstalls(
    app: App, engine: Engine, forget: Callable[[str], None], clock: Any
) -> None:
    """`app_uninstalled` and `tokens_revoked` (of the bot's token): the install is deleted
    from the store (Bolt's own listeners), its token forgotten, and the workspace marked
    inactive, so no scheduled work of it is picked up (storage.workspaces.active) and nothing
    more is sent there, at once; its history stays. Installing again resumes it.

    Like every event's, these listeners run in the thread that answers Slack
    (bot/ack_first.py): they make a few quick writes and call nothing slow."""
    uninstalled = app.default_app_uninstalled_event_listener()
    revoked = app.default_tokens_revoked_event_listener()

    def stop(team_id: str | None, reason: str) -> None:
        if not team_id:
            return
        deactivate(engine, team_id, reason, clock.now())
        forget(team_id)
        log.info("%s in %s: its work stops, its history stays", reason, team_id)

    @app.event("app_uninstalled")
    def on_uninstalled(context: Any) -> None:
        uninstalled(context=context)  # type: ignore[call-arg]
        stop(context.team_id, "app_uninstalled")

    @app.event("tokens_revoked")
    def on_revoked(event: dict[str, Any], context: Any) -> None:
        revoked(event=event, context=context)  # type: ignore[call-arg]
        if (event.get("tokens") or {}).get("bot"):
            stop(context.team_id, "tokens_revoked")

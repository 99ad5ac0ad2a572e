"""Events that feed the dailies: DM replies and their edits, profile and membership changes."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt import App

from ceremonies import daily_answers, daily_setup
from ceremonies.errors import Refusal
from handlers.context import Services

# Message subtypes that are still a person writing; everything else (joins, bot posts…) is not.
PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def register(app: App, services: Services) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im":
            return  # channel messages belong to the retro threads
        team_id = body.get("team_id", "")
        subtype = event.get("subtype")
        if subtype == "message_changed":
            edited = event.get("message") or {}
            if edited.get("bot_id") or not edited.get("user"):
                return
            daily_answers.take_edit(
                services.uow_factory,
                services.chat,
                team_id,
                edited["user"],
                edited["ts"],
                edited.get("text", ""),
                services.clock.now(),
            )
            return
        if subtype not in PERSON_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return
        daily_answers.take_dm_reply(
            services.uow_factory,
            services.chat,
            team_id,
            event["user"],
            event["channel"],
            event["ts"],
            event.get("text", ""),
            services.clock.now(),
        )

    @app.event("user_change")
    def on_user_change(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user") or {}
        if user.get("id") and user.get("tz"):
            daily_setup.refresh_time_zone(
                services.uow_factory,
                body.get("team_id", ""),
                user["id"],
                user["tz"],
                services.clock.now(),
            )

    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], body: dict[str, Any]) -> None:
        # Whoever joins a channel with a daily takes part, as the first members did.
        with suppress(Refusal):
            daily_setup.add_participant(
                services.uow_factory,
                services.chat,
                body.get("team_id", ""),
                event["channel"],
                event["user"],
                services.clock.now(),
            )

    @app.event("app_home_opened")
    def on_home_opened() -> None:
        """Acknowledged; the Home tab comes with a later issue."""

"""The daily's events: replies and edits in the DM, and changes of profile and membership."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt import App

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Written
from ceremonies.daily import answers as daily_answers
from ceremonies.daily import setup as daily_setup
from handlers.kit import MessageEvent, Services, in_dm, read_message, request_from


def register(app: App, services: Services) -> None:
    @app.event("message", matchers=[in_dm])
    def on_dm(event: dict[str, Any], body: dict[str, Any]) -> None:
        message = read_message(event)
        if message is not None:
            services.later(lambda: _dm(services, str(body.get("team_id", "")), message))

    @app.event("user_change")
    def on_user_change(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user") or {}
        if user.get("id") and user.get("tz"):
            services.later(
                lambda: daily_setup.refresh_time_zone(
                    services.uow_factory,
                    body.get("team_id", ""),
                    user["id"],
                    user["tz"],
                    services.clock.now(),
                )
            )

    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], body: dict[str, Any]) -> None:
        # Whoever joins a channel with a daily takes part, as the first members did.
        def join() -> None:
            with suppress(Refusal):
                joined = request_from(
                    services, body.get("team_id", ""), event["channel"], event["user"]
                )
                daily_setup.add_participant(
                    services.uow_factory, services.chat, joined, event["user"]
                )

        services.later(join)


def _dm(services: Services, team_id: str, event: MessageEvent) -> None:
    """A reply answers the open prompt's next question; an edit changes the stored answer."""
    if event.subtype == "message_changed":
        edited = event.message
        if edited is None or edited.bot_id or not edited.user:
            return
        daily_answers.take_edit(
            services.uow_factory,
            services.chat,
            request_from(services, team_id, event.channel, edited.user),
            Written(edited.ts, edited.text),
        )
    elif event.by_person() and event.user:
        daily_answers.take_dm_reply(
            services.uow_factory,
            services.chat,
            request_from(services, team_id, event.channel, event.user),
            Written(event.ts, event.text),
        )
        # The last answer changes their Home tab (published only if it reads differently).
        services.home_changed(team_id, [event.user])

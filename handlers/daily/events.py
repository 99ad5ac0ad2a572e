"""Events that change who takes part in dailies and when: profile and membership changes."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt import App

from ceremonies.core.errors import Refusal
from ceremonies.daily import setup as daily_setup
from handlers.kit import Services


def register(app: App, services: Services) -> None:
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
                daily_setup.add_participant(
                    services.uow_factory,
                    services.chat,
                    body.get("team_id", ""),
                    event["channel"],
                    event["user"],
                    services.clock.now(),
                )

        services.later(join)

    @app.event("app_home_opened")
    def on_home_opened() -> None:
        """Acknowledged; the Home tab comes with a later issue."""

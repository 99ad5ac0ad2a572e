"""`app_home_opened`: the person opened the bot's Home tab (or its Messages tab)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ValidationError
from slack_bolt import App

from ceremonies.core import language_choice
from ceremonies.core.languages import AUTOMATIC
from ceremonies.home import refresh as home_refresh
from handlers.kit import Services, team_of

LANGUAGE_SELECT = "home_language"

log = logging.getLogger("handlers")


class HomeOpened(BaseModel):
    """The fields of `app_home_opened` the Home tab reads."""

    user: str
    tab: str = "home"


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        try:
            opened = HomeOpened.model_validate(event)
        except ValidationError:
            log.warning("an app_home_opened event could not be read")
            return
        if opened.tab != "home":
            return  # the Messages tab: the bot's DMs, nothing to publish
        team_id = team_of(body)
        services.later(
            lambda: home_refresh.opened(
                services.uow_factory, services.chat, team_id, opened.user, services.clock.now()
            )
        )

    @app.action(LANGUAGE_SELECT)
    def on_language(ack: Any, body: dict[str, Any]) -> None:
        """The Home tab's language selector: sets (or, "auto", clears) one's own choice and
        publishes Home again, now in that language."""
        ack()
        user = body.get("user")
        actions = body.get("actions")
        selected = (actions[0].get("selected_option") or {}) if isinstance(actions, list) else {}
        value = selected.get("value") if isinstance(selected, dict) else None
        user_id = user.get("id") if isinstance(user, dict) else None
        team_id = team_of(body)
        known = services.languages.code_of(value) if isinstance(value, str) else None
        if not isinstance(user_id, str) or not (value == AUTOMATIC or known):
            log.warning("a language selection could not be read")
            return

        def choose() -> None:
            language_choice.choose(services.uow_factory, team_id, user_id=user_id, code=known)
            home_refresh.publish(
                services.uow_factory,
                services.chat,
                team_id,
                user_id,
                services.clock.now(),
                always=True,
            )

        services.later(choose)

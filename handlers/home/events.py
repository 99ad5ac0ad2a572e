"""`app_home_opened`: the person opened the bot's Home tab (or its Messages tab)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ValidationError
from slack_bolt import App

from ceremonies.home import refresh as home_refresh
from handlers.kit import Services, team_of

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

"""The Home tab's listener: `app_home_opened` publishes the person's own view."""

from __future__ import annotations

from slack_bolt import App

from handlers.home import events
from handlers.kit import Services


def register(app: App, services: Services) -> None:
    events.register(app, services)

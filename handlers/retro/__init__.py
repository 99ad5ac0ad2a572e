"""The retro's listeners: `/retro`, its buttons and modals."""

from __future__ import annotations

from slack_bolt import App

from handlers.kit import Services
from handlers.retro import commands, events, forms


def register(app: App, services: Services) -> None:
    commands.register(app, services)
    forms.register(app, services)
    events.register(app, services)

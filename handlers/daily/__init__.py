"""The daily's listeners: `/daily`, its modals, and the events that change who takes part."""

from __future__ import annotations

from slack_bolt import App

from handlers.daily import commands, events, forms
from handlers.kit import Services


def register(app: App, services: Services) -> None:
    commands.register(app, services)
    forms.register(app, services)
    events.register(app, services)

"""Slack entry points, one package per ceremony; `register_listeners` wires them all."""

from __future__ import annotations

from slack_bolt import App

from handlers import daily, retro
from handlers.kit import Services


def register_listeners(app: App, services: Services) -> None:
    daily.register(app, services)
    retro.register(app, services)

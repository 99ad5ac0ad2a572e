"""The on-call rotation's listeners: `/oncall` and its buttons."""

from __future__ import annotations

from slack_bolt import App

from handlers.kit import Services
from handlers.oncall import actions, commands

# What carries nothing a person wrote or chose, so it need not be stored before its ack.
READS_ONLY = frozenset({"", "help", "who", "schedule", "history", "calendar"})
OPENS_A_FORM: frozenset[str] = frozenset()


def register(app: App, services: Services) -> None:
    commands.register(app, services)
    actions.register(app, services)

"""The weekly report's listeners: `/weekly`, its buttons and modals."""

from __future__ import annotations

from slack_bolt import App

from handlers.kit import Services
from handlers.weekly.commands import register_commands
from handlers.weekly.forms import ADD_STATUS, register_forms

# What carries nothing a person wrote or chose, so it need not be stored before its ack.
READS_ONLY = frozenset({"", "help", "preview", "settings"})
OPENS_A_FORM: frozenset[str] = frozenset({ADD_STATUS})


def register(app: App, services: Services) -> None:
    register_commands(app, services)
    register_forms(app, services)

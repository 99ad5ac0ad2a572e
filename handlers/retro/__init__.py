"""The retro's listeners: `/retro`, its buttons and modals."""

from __future__ import annotations

from slack_bolt import App

from handlers.kit import Services
from handlers.retro import commands, events, forms

# What carries nothing a person wrote or chose, so it need not be stored before its ack:
# commands that only show something, and buttons that only open a form.
READS_ONLY = frozenset({"", "help", "actions", "history"})
OPENS_A_FORM = frozenset({"retro_add_item", "retro_rate"})


def register(app: App, services: Services) -> None:
    commands.register(app, services)
    forms.register(app, services)
    events.register(app, services)

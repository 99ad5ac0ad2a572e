"""The daily's listeners: `/daily`, its modals, and the events that change who takes part."""

from __future__ import annotations

from slack_bolt import App

from handlers.daily import commands, events, forms
from handlers.kit import Services

# What carries nothing a person wrote or chose, so it need not be stored before its ack:
# commands that only show something, and buttons that only open a form.
READS_ONLY = frozenset({"", "help", "status", "history", "settings"})
# Read-only only when nothing follows them: `/daily language` shows, `/daily language ru` sets.
READS_ONLY_ALONE = frozenset({"language"})
OPENS_A_FORM = frozenset({forms.ANSWER_FORM})


def register(app: App, services: Services) -> None:
    commands.register(app, services)
    forms.register(app, services)
    events.register(app, services)

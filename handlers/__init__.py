"""Slack entry points, one package per ceremony; `register_listeners` wires them all."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from handlers import daily, home, oncall, retro, weekly
from handlers.kit import Services

_READS_ONLY = {
    "/daily": daily.READS_ONLY,
    "/retro": retro.READS_ONLY,
    "/oncall": oncall.READS_ONLY,
    "/weekly": weekly.READS_ONLY,
}
_READS_ONLY_ALONE = {"/daily": daily.READS_ONLY_ALONE}
_OPENS_A_FORM = daily.OPENS_A_FORM | retro.OPENS_A_FORM | oncall.OPENS_A_FORM | weekly.OPENS_A_FORM
_SHOWN_ONLY_EVENTS = frozenset({"app_home_opened"})


def carries_nothing_to_keep(body: dict[str, Any]) -> bool:
    """A request that only shows something or opens a form: nothing to store before its ack."""
    command = body.get("command")
    if isinstance(command, str):
        text = body.get("text")
        words = text.split(maxsplit=1) if isinstance(text, str) else []
        first = words[0].lower() if words else ""
        if len(words) == 1 and first in _READS_ONLY_ALONE.get(command, frozenset()):
            return True
        return first in _READS_ONLY.get(command, frozenset())
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        ids = (
            {a.get("action_id") for a in actions if isinstance(a, dict)}
            if isinstance(actions, list)
            else set()
        )
        return bool(ids) and ids <= _OPENS_A_FORM
    event = body.get("event")
    if not isinstance(event, dict):
        return False
    edited = event.get("message")
    # The bot's own posts and edits come back as message events too: nobody wrote them.
    by_a_bot = bool(event.get("bot_id")) or (
        isinstance(edited, dict) and bool(edited.get("bot_id"))
    )
    return event.get("type") in _SHOWN_ONLY_EVENTS or by_a_bot


def only_acks(body: Any) -> bool:
    """Whether the listener of this request only reads it and acks, leaving all its work to
    `Services.later` or `.soon` (slash commands and events; an interactive payload's
    listener may open a modal itself after its ack), so it may run where the ack is sent."""
    return isinstance(body, dict) and (
        isinstance(body.get("command"), str) or body.get("type") == "event_callback"
    )


def register_listeners(app: App, services: Services) -> None:
    daily.register(app, services)
    retro.register(app, services)
    oncall.register(app, services)
    weekly.register(app, services)
    home.register(app, services)

"""manifest.yml in step with the code: every command, event and interaction it declares is
handled, and every scope it asks for is needed by a call or an event (the stand-in refuses a
call whose scope it does not grant, so no call needs one that is not declared)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import yaml

from bot.demo.standin.contracts import method_spec
from bot.demo.standin.harness import Bot
from bot.demo.standin.server import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
SOURCES = [
    path
    for package in ("bot", "handlers", "ceremonies", "storage")
    for path in (ROOT / package).rglob("*.py")
    if "demo" not in path.parts
]
# Slack's event subscriptions and the bot scope each needs (api.slack.com/events).
EVENT_SCOPES = {
    "app_home_opened": set(),
    "member_joined_channel": {"channels:read", "groups:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "user_change": {"users:read"},
}
# slack_sdk helpers that are several Web API calls.
COMPOSITE = {"files_upload_v2": ["files.getUploadURLExternal", "files.completeUploadExternal"]}


def methods_called() -> set[str]:
    text = "\n".join(path.read_text() for path in SOURCES)
    called = {m for m in re.findall(r'"([a-z]+(?:\.[a-zA-Z]+)+)"', text) if method_spec(m)}
    for snake in re.findall(r"\.([a-z]+_[a-zA-Z0-9_]+)\(", text):
        if snake in COMPOSITE:
            called |= set(COMPOSITE[snake])
        elif method_spec(dotted := snake.replace("_", ".")):
            called.add(dotted)
    return called


def test_every_declared_scope_is_needed() -> None:
    declared = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    needed = {"commands"} if MANIFEST["features"].get("slash_commands") else set()
    for method in methods_called():
        needed |= set((method_spec(method) or {}).get("scope", {}).get("bot", []))
    for event in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        assert event in EVENT_SCOPES, f"no scope known for the event {event}"
        needed |= EVENT_SCOPES[event]
    assert declared - needed == set(), "declared but never needed"


@pytest.mark.parametrize("command", [c["command"] for c in MANIFEST["features"]["slash_commands"]])
def test_every_declared_command_answers_its_help(bot: Bot, slack: FakeSlack, command: str) -> None:
    result = bot.driver.command("UANNA", "CTEAM", command, "help")
    assert result.status == 200
    shown = slack.ephemerals("UANNA")
    assert shown and command in str(shown[-1]), shown


def _event(name: str) -> dict[str, object]:
    base, _, channel_type = name.partition(".")
    if base == "message":
        channel = {"channels": "CTEAM", "groups": "GPRIVATE", "im": "DANNA"}[channel_type]
        kind = {"channels": "channel", "groups": "group", "im": "im"}[channel_type]
        return {
            "type": "message",
            "channel": channel,
            "channel_type": kind,
            "user": "UANNA",
            "text": "hello",
            "ts": "1764590000.000100",
        }
    if base == "member_joined_channel":
        return {"type": base, "channel": "CTEAM", "user": "UDAN", "channel_type": "C"}
    if base == "user_change":
        return {"type": base, "user": {"id": "UANNA", "tz": "Europe/Paris"}}
    return {"type": base, "user": "UANNA", "channel": "DANNA", "tab": "home"}


@pytest.mark.parametrize("event", MANIFEST["settings"]["event_subscriptions"]["bot_events"])
def test_every_subscribed_event_has_a_listener(
    bot: Bot, event: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="bot.slack_app"):
        response = bot.driver.send_event(_event(event))
    assert response.status == 200
    assert not [r for r in caplog.records if "no listener" in r.getMessage()], event


def test_interactivity_is_declared_as_the_bot_has_buttons_and_modals() -> None:
    handlers = "\n".join(path.read_text() for path in (ROOT / "handlers").rglob("*.py"))
    has_interactions = "@app.action(" in handlers or "@app.view(" in handlers
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is has_interactions

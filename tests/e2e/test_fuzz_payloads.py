"""Shape-mutated payloads of every kind the bot receives: never a 5xx, never a traceback.

The bases are Slack's real payloads (bot/demo/standin/reference/payloads), pointed at the
bot's own commands, buttons and modals; each case deletes a key, or swaps a value for one of
another type, somewhere in the tree. Afterwards the bot still answers and run-due works.
"""

from __future__ import annotations

import copy
import json
import logging
import random
from collections.abc import Iterator
from typing import Any

import pytest

from bot.demo.standin.blockkit import REFERENCE_DIR
from bot.demo.standin.harness import Bot
from tests.e2e.daily.test_daily import MONDAY_BERLIN, command, start

CASES = 400
ODD_VALUES: tuple[Any, ...] = (None, "", "x" * 5000, 0, -1, 3.5, True, [], {}, ["a"], {"a": 1})
ACTIONS = (
    "daily_answer_form",
    "retro_start_rating",
    "retro_choose",
    "retro_close",
    "retro_carry",
    "retro_owner",
    "retro_swap",
    "retro_drop",
    "retro_status_done",
    "retro_helped_yes",
    "retro_add_item",
    "retro_rate",
    "oncall_swap_accept",
    "oncall_swap_decline",
    "oncall_cover_take",
)
VIEWS = ("daily_answer_form", "daily_settings", "retro_add_item", "retro_rate")
COMMANDS = (
    ("/daily", "status"),
    ("/daily", "time 09:30"),
    ("/retro", "start"),
    ("/retro", ""),
    ("/oncall", "who"),
    ("/oncall", "note the disk is at 91%"),
    ("/oncall", "override <@UBEN|ben>"),
)


def reference(name: str) -> dict[str, Any]:
    """A real payload, moved into the stand-in's workspace and onto one of its people."""
    text = (REFERENCE_DIR / "payloads" / f"{name}.json").read_text()
    payload = json.loads(text)
    for team in {payload.get("team_id"), (payload.get("team") or {}).get("id")} - {None}:
        text = text.replace(team, "T0001")
    for user in {payload.get("user_id"), (payload.get("user") or {}).get("id")} - {None}:
        text = text.replace(user, "UANNA")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def bases(response_url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for action_id in ACTIONS:
        body = {**reference("block_actions"), "response_url": response_url}
        body["actions"] = [{**body["actions"][0], "action_id": action_id, "value": "1"}]
        yield "interactive", body
    for callback_id in VIEWS:
        body = reference("view_submission")
        body["view"] = {**body["view"], "callback_id": callback_id, "private_metadata": "1"}
        yield "interactive", body
    for name, text in COMMANDS:
        command = {**reference("slash_command"), "command": name, "text": text}
        yield "command", {**command, "response_url": response_url}
    for name in (
        "message_im",
        "message_channel_thread_reply",
        "message_changed",
        "app_home_opened",
    ):
        yield "event", reference(name)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


def mutate(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    mutated = copy.deepcopy(body)
    for _ in range(rng.randint(1, 3)):
        where = rng.choice(list(paths(mutated)) or [("type",)])
        parent = mutated
        for step in where[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.4:
            parent.pop(where[-1], None)
        else:
            parent[where[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    return mutated


def send(bot: Bot, kind: str, body: dict[str, Any]) -> int:
    driver = bot.driver
    if kind == "command":
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        return driver._form(fields, "command").status
    if kind == "interactive":
        return driver._payload(body, "interactive").status
    return driver._deliver(json.dumps(body).encode(), "application/json", "event").status


@pytest.fixture
def quiet_bolt(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


def test_mutated_payloads_never_get_a_5xx_or_a_traceback(
    bot: Bot, quiet_bolt: pytest.LogCaptureFixture
) -> None:
    start(bot)
    bot.driver.command("UANNA", "CTEAM", "/oncall", "start <@UANNA|anna> <@UBEN|ben>")
    bot.tick(MONDAY_BERLIN)
    rng = random.Random(20261201)
    base = list(bases(bot.slack.response_url_for("UANNA", "CTEAM")))
    statuses: dict[int, int] = {}
    for case in range(CASES):
        kind, body = base[case % len(base)]
        if "response_url" in body:  # a response_url takes five uses: each case has its own
            body = {**body, "response_url": bot.slack.response_url_for("UANNA", "CTEAM")}
        status = send(bot, kind, mutate(body, rng))
        statuses[status] = statuses.get(status, 0) + 1
    bot.slack.wait_for(bot.runtime.idle, timeout=30)
    assert all(status < 500 for status in statuses), statuses
    tracebacks = [r for r in quiet_bolt.records if r.levelno >= logging.ERROR]
    assert not tracebacks, [r.getMessage() for r in tracebacks][:5]
    # The stand-in flags every non-2xx answer: 4xx for what cannot be parsed is allowed here,
    # and so are the calls the mutated ids provoke (a trigger it never issued, say).
    allowed = ("app answered HTTP 4", "trigger", "not this workspace", "not a member")
    bot.slack.violations[:] = [v for v in bot.slack.violations if not any(a in v for a in allowed)]
    assert "/daily start" in str(command(bot, "UANNA", "CTEAM", "help"))
    assert not bot.tick(MONDAY_BERLIN).failures

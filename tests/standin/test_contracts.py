"""check_call and the Block Kit checks, without a server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.demo import standin
from bot.demo.standin import check_call, inspect_call, method_spec
from bot.demo.standin.blockkit import REFERENCE_DIR, check_blocks, check_view

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}


def modal(**over: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Standup"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "b",
                "label": {"type": "plain_text", "text": "Yesterday"},
                "element": {"type": "plain_text_input", "action_id": "a"},
            }
        ],
    }
    view.update(over)
    return view


def test_reference_data_is_local() -> None:
    # Shipped with the package (no ../shared needed): a wheel's stand-in is as strict as ours.
    assert REFERENCE_DIR.is_relative_to(Path(standin.__file__).resolve().parent)
    assert (REFERENCE_DIR / "blockkit.schema.json").is_file()
    assert method_spec("chat.postMessage")["rate_limits"] == "t5"
    assert method_spec("../etc/passwd") is None
    assert method_spec("no.suchMethod") is None


def test_clean_message_passes() -> None:
    args = {
        "channel": "C1",
        "text": "hello",
        "blocks": [SECTION],
        "metadata": {"event_type": "standup", "event_payload": {"id": 1}},
    }
    assert check_call("chat.postMessage", args) == []


def test_wire_values_are_coerced() -> None:
    # Form-encoded: everything is a string, bools are "1"/"0", JSON args are JSON text.
    check = inspect_call(
        "conversations.history", {"channel": "C1", "limit": "20", "include_all_metadata": "1"}
    )
    assert check.all_violations == []
    assert check.args == {"channel": "C1", "limit": 20, "include_all_metadata": True}
    check = inspect_call("chat.postMessage", {"channel": "C1", "blocks": json.dumps([SECTION])})
    assert check.args["blocks"] == [SECTION]
    check = inspect_call("views.open", {"trigger_id": "1.2.3", "view": json.dumps(modal())})
    assert check.all_violations == [] and check.args["view"]["type"] == "modal"


def test_unknown_argument() -> None:
    check = inspect_call("chat.postMessage", {"channel": "C1", "text": "x", "chanel": "C2"})
    assert check.error == "invalid_arguments"
    assert check.violations == ["chat.postMessage: unknown argument 'chanel'"]


def test_missing_required_and_wrong_type() -> None:
    assert inspect_call("chat.update", {"channel": "C1", "text": "x"}).error == "invalid_arguments"
    check = inspect_call("conversations.history", {"channel": "C1", "limit": "lots"})
    assert check.error == "invalid_arguments" and "limit" in check.violations[0]


def test_invalid_blocks() -> None:
    bad_type = inspect_call("chat.postMessage", {"channel": "C1", "blocks": [{"type": "sectoin"}]})
    assert bad_type.error == "invalid_blocks"
    assert "unknown block type 'sectoin'" in bad_type.violations[0]
    missing = inspect_call("chat.postMessage", {"channel": "C1", "blocks": [{"type": "section"}]})
    assert missing.error == "invalid_blocks"
    wrong_element = {
        "type": "section",
        "text": SECTION["text"],
        "accessory": {"type": "buton", "text": "x"},
    }
    assert (
        "element type 'buton'"
        in check_call("chat.postMessage", {"channel": "C1", "blocks": [wrong_element]})[0]
    )
    not_json = inspect_call("chat.postMessage", {"channel": "C1", "blocks": "[{"})
    assert not_json.error == "invalid_blocks_format"


def test_block_count_limits() -> None:
    fifty = {"channel": "C1", "text": "x", "blocks": [SECTION] * 50}
    assert check_call("chat.postMessage", fifty) == []
    check = inspect_call("chat.postMessage", {"channel": "C1", "blocks": [SECTION] * 51})
    assert check.error == "invalid_blocks" and "51 blocks (limit 50)" in check.violations[0]
    assert (
        check_call("views.open", {"trigger_id": "t", "view": modal(blocks=[SECTION] * 100)}) == []
    )
    assert check_call("views.open", {"trigger_id": "t", "view": modal(blocks=[SECTION] * 101)})


@pytest.mark.parametrize(
    ("block", "needle"),
    [
        ({"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}, "section text"),
        ({"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}, "header text"),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "a",
                        "value": "v",
                        "text": {"type": "plain_text", "text": "x" * 76},
                    }
                ],
            },
            "button text",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "a",
                        "value": "v" * 2001,
                        "text": {"type": "plain_text", "text": "ok"},
                    }
                ],
            },
            "button value",
        ),
    ],
)
def test_text_limits(block: dict[str, Any], needle: str) -> None:
    problems = check_blocks([block])
    assert problems and needle in problems[0]


def test_view_limits() -> None:
    assert check_view(modal()) == []
    long_title = check_call(
        "views.open",
        {"trigger_id": "t", "view": modal(title={"type": "plain_text", "text": "x" * 25})},
    )
    assert long_title == ["views.open: view.title: title text is 25 chars (limit 24)"]
    assert check_view(modal(submit={"type": "plain_text", "text": "y" * 25}))
    assert check_view(modal(private_metadata="m" * 3001))
    assert check_view(modal(private_metadata="m" * 3000)) == []
    no_submit = modal()
    del no_submit["submit"]
    assert check_view(no_submit), "input blocks need a submit button"
    assert check_view({"type": "home", "blocks": [SECTION]}, kinds=("modal",))
    assert inspect_call("views.publish", {"user_id": "U1", "view": modal()}).error


def test_text_length_rules() -> None:
    check = inspect_call("chat.update", {"channel": "C1", "ts": "1.2", "text": "x" * 4001})
    assert check.error == "msg_too_long"
    check = inspect_call("chat.postMessage", {"channel": "C1", "text": "x" * 40001})
    assert check.error is None and check.warnings == ["message_truncated"]
    assert len(check.args["text"]) == 40000 and check.violations


def test_no_text() -> None:
    assert inspect_call("chat.postMessage", {"channel": "C1"}).error == "no_text"
    check = inspect_call("chat.postMessage", {"channel": "C1", "blocks": [SECTION]})
    assert check.error is None and "text fallback" in check.violations[0]


def test_metadata_shape() -> None:
    check = inspect_call(
        "chat.postMessage", {"channel": "C1", "text": "x", "metadata": {"event_type": "x"}}
    )
    assert check.error == "invalid_metadata_schema"
    check = inspect_call("chat.postMessage", {"channel": "C1", "text": "x", "metadata": "{oops"})
    assert check.error == "invalid_metadata_format"


@pytest.mark.parametrize(
    "text", ["<!channel> hi", "<!here|here>", "<!everyone>", "ping <!subteam^S123|@team>"]
)
def test_pings_are_flagged_but_not_errors(text: str) -> None:
    check = inspect_call("chat.postMessage", {"channel": "C1", "text": text})
    assert check.error is None
    assert len(check.pings) == 1 and "would ping" in check.pings[0]


def test_pings_inside_blocks_and_views() -> None:
    blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": "cc <!here>"}]}]
    assert any(
        "would ping" in v
        for v in check_call("chat.postMessage", {"channel": "C1", "blocks": blocks})
    )
    rich = [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "broadcast", "range": "channel"}],
                }
            ],
        }
    ]
    assert any(
        "broadcast" in v for v in check_call("chat.postMessage", {"channel": "C1", "blocks": rich})
    )
    assert check_call("chat.postMessage", {"channel": "C1", "text": "<@U1> and <#C1>"}) == []


def test_sample_payload_blocks_validate() -> None:
    for path in sorted((REFERENCE_DIR / "payloads").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        stack: list[Any] = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if (
                    isinstance(node.get("blocks"), list)
                    and node["blocks"]
                    and isinstance(node["blocks"][0], dict)
                    and "type" in node["blocks"][0]
                ):
                    assert check_blocks(node["blocks"], limit=100) == [], path.name
                stack += list(node.values())
            elif isinstance(node, list):
                stack += node

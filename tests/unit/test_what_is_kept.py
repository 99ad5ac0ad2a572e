"""Which requests go to the inbox before their ack: what carries what a person wrote."""

from __future__ import annotations

import pytest

from handlers import carries_nothing_to_keep


@pytest.mark.parametrize(
    ("body", "nothing_to_keep"),
    [
        ({"command": "/daily", "text": "status"}, True),
        ({"command": "/daily", "text": "  HELP "}, True),
        ({"command": "/daily", "text": ""}, True),
        ({"command": "/daily", "text": "time 09:30"}, False),
        ({"command": "/daily", "text": "away 2026-12-24"}, False),
        ({"command": "/retro", "text": "history"}, True),
        ({"command": "/retro", "text": "owner 1 <@U1>"}, False),
        ({"command": "/oncall", "text": "status"}, False),  # unknown: kept, to be safe
        ({"type": "block_actions", "actions": [{"action_id": "retro_rate"}]}, True),
        ({"type": "block_actions", "actions": [{"action_id": "retro_drop"}]}, False),
        ({"type": "block_actions", "actions": "not a list"}, False),
        ({"type": "view_submission", "view": {}}, False),
        ({"type": "event_callback", "event": {"type": "message", "user": "U1"}}, False),
        ({"type": "event_callback", "event": {"type": "message", "bot_id": "B1"}}, True),
        (
            {"type": "event_callback", "event": {"type": "message", "message": {"bot_id": "B"}}},
            True,
        ),
        ({"type": "event_callback", "event": {"type": "app_home_opened"}}, True),
        ({"type": "event_callback", "event": {"type": "member_joined_channel"}}, False),
        ({"type": "event_callback", "event": ["odd"]}, False),
    ],
)
def test_only_what_carries_input_is_kept(body: dict, nothing_to_keep: bool) -> None:
    assert carries_nothing_to_keep(body) is nothing_to_keep

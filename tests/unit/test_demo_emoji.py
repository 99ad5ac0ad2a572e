"""The demo prints Slack's emoji shortcodes as the characters Slack shows."""

from __future__ import annotations

import re
from pathlib import Path

from bot.demo.render import EMOJI

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_emoji_a_template_uses_is_printed_as_slack_shows_it() -> None:
    used = {
        name
        for path in TEMPLATES.rglob("*.j2")
        for name in re.findall(r":([a-z0-9_+-]+):", path.read_text())
        if not name.isdigit()
    }
    assert used - set(EMOJI) == set()

"""User-written text made safe for Slack mrkdwn: shown verbatim, never able to ping."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

_BROADCAST = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
_GROUP = re.compile(r"<!subteam\^[^>|]*(?:\|@?([^>]*))?>")
_BARE_BROADCAST = re.compile(r"(?<![\w@])@(channel|here|everyone)\b", re.IGNORECASE)
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
# A word joiner after "@" shows the same text but no longer reads as a mention.
_JOINER = "\u2060"


def escape(text: str) -> str:
    """Plain text (e.g. from a modal) to mrkdwn, as Slack itself escapes typed text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """mrkdwn as Slack delivers it back to what the person typed, for editable fields."""
    return html.unescape(text)


def neutralise(text: str) -> str:
    """Keeps everything a person wrote but takes the ping out of broadcast and group mentions."""
    text = _BROADCAST.sub(lambda m: f"@{_JOINER}{m.group(1)}", text)
    text = _GROUP.sub(lambda m: f"@{_JOINER}{m.group(1) or 'group'}", text)
    return _BARE_BROADCAST.sub(lambda m: f"@{_JOINER}{m.group(1)}", text)


def unmention(text: str, names: Mapping[str, str]) -> str:
    """Mentions of people (`<@U123>`) as their names: a digest that quotes what people wrote
    elsewhere (a blocker, a retro action) names whom it mentions without notifying them
    again every week. A name not known falls back to the label Slack sent, then the id."""

    def named(match: re.Match[str]) -> str:
        return "@" + escape(names.get(match.group(1)) or match.group(2) or match.group(1))

    return _USER.sub(named, text)

"""Shared helpers for the stand-in's Web API method implementations."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.demo.standin.models import BOT_USER_ID, Channel
from bot.demo.standin.state import Workspace

Response = dict[str, Any]


@dataclass
class ApiContext:
    """What a method implementation may use: the workspace, the server's base URL
    (``http://127.0.0.1:PORT``) and a callback that records a violation string."""

    ws: Workspace
    base_url: str
    violation: Callable[[str], None]


Handler = Callable[[ApiContext, dict[str, Any]], Response]


def ok(**fields: Any) -> Response:
    return {"ok": True, **fields}


def err(code: str, **fields: Any) -> Response:
    return {"ok": False, "error": code, **fields}


def ts_key(ts: str) -> int:
    """A message ts as integer microseconds; raises ValueError when malformed."""
    sec, _, frac = str(ts).partition(".")
    if not sec.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(ts)
    return int(sec) * 1_000_000 + int(frac.ljust(6, "0")[:6] or "0")


def encode_cursor(prefix: str, value: str) -> str:
    return base64.b64encode(f"{prefix}:{value}".encode()).decode()


def decode_cursor(prefix: str, cursor: str) -> str | None:
    """The value inside a cursor made by ``encode_cursor`` or None when it is not ours."""
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    head, sep, value = raw.partition(":")
    return value if sep and head == prefix and value else None


def resolve_post_channel(ws: Workspace, ref: str) -> Channel | str:
    """Where a chat.* call posts: a channel id/name, or a user id meaning the bot's DM with that
    user. Returns the channel or Slack's error code."""
    user = ws.users.get(ref)
    if user is not None and ref[:1] in ("U", "W"):
        if user.is_bot:
            return "channel_not_found"
        if user.deleted:
            return "is_archived"
        return ws.dm_channel(ref)
    channel = ws.channel_by_ref(ref)
    if channel is None:
        return "channel_not_found"
    if channel.is_im:
        im_user = ws.users.get(channel.im_user or "")
        return "is_archived" if im_user is not None and im_user.deleted else channel
    if BOT_USER_ID not in channel.members:
        return "channel_not_found" if channel.is_private else "not_in_channel"
    return channel


def resolve_read_channel(ws: Workspace, ref: str, *, need_member: bool) -> Channel | str:
    """A conversation id for read methods (ids only, as Slack requires)."""
    channel = ws.channels.get(ref)
    if channel is None:
        return "channel_not_found"
    if BOT_USER_ID not in channel.members:
        if channel.is_private:
            return "channel_not_found"
        if need_member:
            return "not_in_channel"
    return channel


def page_limit(args: dict[str, Any], default: int, maximum: int) -> int | None:
    """A positive page size, clamped to ``maximum``; None when the value is invalid."""
    raw = args.get("limit", default)
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        return None
    if limit < 0:
        return None
    return min(limit or default, maximum)

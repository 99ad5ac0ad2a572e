"""Messages that reach users without a Web API call: response_url posts and ack bodies.

Both are validated like chat.* messages (Block Kit, 50 blocks, pings) and then shown the way
Slack shows them: ephemeral to the user by default, in the channel for ``in_channel``, or by
replacing/deleting the message the response_url belongs to.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from bot.demo.standin.contracts import check_message_body
from bot.demo.standin.models import BOT_ID, BOT_USER_ID, ResponseUrl
from bot.demo.standin.state import RESPONSE_URL_TTL, RESPONSE_URL_USES, Workspace

Violate = Callable[[str], None]


def _show(
    ws: Workspace,
    body: dict[str, Any],
    user: str,
    channel_id: str,
    source: str,
    at: tuple[int, str] | None = None,
) -> None:
    text = str(body.get("text") or "")
    blocks = body.get("blocks")
    if body.get("response_type") == "in_channel":
        channel = ws.channels.get(channel_id) or ws.dm_channel(user)
        ws.add_message(
            channel,
            user=BOT_USER_ID,
            text=text,
            blocks=blocks,
            bot=True,
            thread_ts=body.get("thread_ts"),
            metadata=body.get("metadata"),
            at=at,
        )
    else:
        ws.add_ephemeral(
            channel_id, user, text, blocks, source=source, thread_ts=body.get("thread_ts"), at=at
        )


def _apply_to_original(
    ws: Workspace, rec: ResponseUrl, body: dict[str, Any], violate: Violate
) -> bool:
    """Handle replace_original/delete_original; False when there is no original to act on."""
    eph = next((e for e in ws.ephemerals if e.id == rec.ephemeral_id), None)
    msg = ws.message(rec.channel, rec.message_ts) if rec.message_ts else None
    if eph is None and (msg is None or msg.bot_id != BOT_ID):
        violate(
            "response_url: replace_original/delete_original but the response_url does not "
            "belong to a bot message"
        )
        return False
    if body.get("delete_original"):
        if eph is not None:
            eph.deleted = True
        elif msg is not None:
            msg.deleted = True
        return True
    text = str(body.get("text") or "")
    blocks = ws.normalize_blocks(body.get("blocks"))
    if eph is not None:
        eph.text, eph.blocks = text, blocks
    elif msg is not None:
        msg.text, msg.blocks = text, blocks
    return True


def post_to_response_url(
    ws: Workspace, token: str, raw: bytes, violate: Violate
) -> tuple[int, str, dict[str, Any]]:
    """Serve ``POST /response/<token>``: (HTTP status, plain-text body, parsed JSON body)."""
    with ws.lock:
        rec = ws.response_urls.get(token)
        if rec is None:
            violate(f"response_url: unknown response_url token {token!r}")
            return 404, "no_service", {}
        if time.time() - rec.issued > RESPONSE_URL_TTL:
            violate("response_url: used after 30 minutes")
            return 404, "expired_url", {}
        if rec.uses >= RESPONSE_URL_USES:
            violate(f"response_url: used more than {RESPONSE_URL_USES} times")
            return 404, "used_url", {}
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            violate("response_url: body is not JSON")
            return 400, "invalid_payload", {}
        if not isinstance(body, dict):
            violate("response_url: body must be a JSON object")
            return 400, "invalid_payload", {}
        check = check_message_body(body)
        for v in check.all_violations:
            violate(v)
        if check.error:
            return 400, check.error, body
        rec.uses += 1
        wants_original = body.get("delete_original") or body.get("replace_original")
        if wants_original and _apply_to_original(ws, rec, check.args, violate):
            return 200, "ok", body
        if body.get("delete_original"):
            return 404, "message_not_found", body
        _show(ws, check.args, rec.user, rec.channel, "response_url")
        return 200, "ok", body


def show_ack_body(
    ws: Workspace,
    user: str,
    channel_id: str,
    content_type: str,
    raw: bytes,
    violate: Violate,
    at: tuple[int, str] | None = None,
) -> None:
    """Show a slash command's ack body to the user, as Slack does (plain text or JSON).
    ``at`` is the (seq, ts) reserved when the command was sent, so the ack sorts before any
    follow-up the app sent while the ack was in flight."""
    if not raw.strip():
        return
    with ws.lock:
        if "json" in content_type.lower():
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                violate("slash command ack: body is not valid JSON")
                return
            if not isinstance(body, dict):
                violate("slash command ack: JSON body must be an object")
                return
        else:
            body = {"text": raw.decode("utf-8", "replace")}
        check = check_message_body(body, where="slash command ack")
        for v in check.all_violations:
            violate(v)
        if check.error:
            return
        _show(ws, check.args, user, channel_id, "ack", at)

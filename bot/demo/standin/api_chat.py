"""chat.* methods of the Slack stand-in."""

from __future__ import annotations

from typing import Any

from bot.demo.standin.api_common import (
    ApiContext,
    Handler,
    Response,
    err,
    ok,
    resolve_post_channel,
)
from bot.demo.standin.models import BOT_ID, BOT_USER_ID, Channel, Message


def _thread_parent(
    ctx: ApiContext, method: str, channel: Channel, thread_ts: str | None
) -> str | Response | None:
    """The thread to reply in (a reply's ts is mapped to its parent), or an error response."""
    if not thread_ts:
        return None
    parent = ctx.ws.message(channel.id, thread_ts)
    if parent is None:
        ctx.violation(f"{method}: thread_ts {thread_ts} is not a message in {channel.id}")
        return err("thread_not_found")
    if parent.is_reply:
        ctx.violation(f"{method}: thread_ts {thread_ts} is a reply; use its parent's ts")
        return parent.thread_ts
    return parent.ts


def post_message(ctx: ApiContext, args: dict[str, Any]) -> Response:
    channel = resolve_post_channel(ctx.ws, args["channel"])
    if isinstance(channel, str):
        return err(channel)
    if args.get("markdown_text") and (args.get("text") or args.get("blocks")):
        return err("markdown_text_conflict")
    thread = _thread_parent(ctx, "chat.postMessage", channel, args.get("thread_ts"))
    if isinstance(thread, dict):
        return thread
    text = args.get("text") or args.get("markdown_text") or ""
    msg = ctx.ws.add_message(
        channel,
        user=BOT_USER_ID,
        text=text,
        blocks=args.get("blocks"),
        thread_ts=thread,
        metadata=args.get("metadata"),
        bot=True,
        attachments=args.get("attachments"),
        reply_broadcast=bool(args.get("reply_broadcast")),
    )
    return ok(channel=channel.id, ts=msg.ts, message=ctx.ws.message_api(msg))


def _own_message(ctx: ApiContext, args: dict[str, Any], forbidden: str) -> Message | Response:
    channel = ctx.ws.channels.get(args["channel"])
    if channel is None:
        return err("channel_not_found")
    msg = ctx.ws.message(channel.id, args["ts"])
    if msg is None:
        return err("message_not_found")
    if msg.bot_id != BOT_ID:
        return err(forbidden)
    return msg


def update(ctx: ApiContext, args: dict[str, Any]) -> Response:
    msg = _own_message(ctx, args, "cant_update_message")
    if isinstance(msg, dict):
        return msg
    with ctx.ws.lock:
        if "text" in args:
            msg.text = args.get("text") or ""
        if "blocks" in args:
            msg.blocks = ctx.ws.normalize_blocks(args["blocks"]) or None
        if "attachments" in args:
            msg.attachments = args["attachments"] or None
        if "metadata" in args:
            msg.metadata = args["metadata"]
        msg.edited = {"user": BOT_USER_ID, "ts": ctx.ws.next_ts()}
    message = ctx.ws.message_api(msg)
    return ok(channel=msg.channel, ts=msg.ts, text=msg.text, message=message)


def delete(ctx: ApiContext, args: dict[str, Any]) -> Response:
    msg = _own_message(ctx, args, "cant_delete_message")
    if isinstance(msg, dict):
        return msg
    msg.deleted = True
    return ok(channel=msg.channel, ts=msg.ts)


def post_ephemeral(ctx: ApiContext, args: dict[str, Any]) -> Response:
    channel = resolve_post_channel(ctx.ws, args["channel"])
    if isinstance(channel, str):
        return err(channel)
    user = args["user"]
    if user not in channel.members:
        return err("user_not_in_channel")
    thread_ts = args.get("thread_ts")
    if thread_ts and ctx.ws.message(channel.id, thread_ts) is None:
        ctx.violation(f"chat.postEphemeral: thread_ts {thread_ts} is not a message in {channel.id}")
    eph = ctx.ws.add_ephemeral(
        channel.id,
        user,
        args.get("text") or "",
        args.get("blocks"),
        source="chat.postEphemeral",
        thread_ts=thread_ts,
    )
    return ok(message_ts=eph.ts)


def get_permalink(ctx: ApiContext, args: dict[str, Any]) -> Response:
    channel = ctx.ws.channels.get(args["channel"])
    if channel is None:
        return err("channel_not_found")
    msg = ctx.ws.message(channel.id, args["message_ts"])
    if msg is None:
        return err("message_not_found")
    link = f"https://ceremony-test.slack.com/archives/{channel.id}/p{msg.ts.replace('.', '')}"
    if msg.is_reply:
        link += f"?thread_ts={msg.thread_ts}&cid={channel.id}"
    return ok(channel=channel.id, permalink=link)


HANDLERS: dict[str, Handler] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.delete": delete,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
}

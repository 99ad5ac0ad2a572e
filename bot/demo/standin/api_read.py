"""auth.test, conversations.* and users.* methods of the Slack stand-in."""

from __future__ import annotations

import time
from typing import Any

from bot.demo.standin.api_common import (
    ApiContext,
    Handler,
    Response,
    decode_cursor,
    encode_cursor,
    err,
    ok,
    page_limit,
    resolve_read_channel,
    ts_key,
)
from bot.demo.standin.models import (
    BOT_ID,
    BOT_NAME,
    BOT_USER_ID,
    WORKSPACE_URL,
    Message,
)


def auth_test(ctx: ApiContext, args: dict[str, Any]) -> Response:
    return ok(
        url=WORKSPACE_URL,
        team=ctx.ws.team_name,
        user=BOT_NAME,
        team_id=ctx.ws.team_id,
        user_id=BOT_USER_ID,
        bot_id=BOT_ID,
        is_enterprise_install=False,
    )


def conversations_open(ctx: ApiContext, args: dict[str, Any]) -> Response:
    ws = ctx.ws
    if args.get("channel"):
        channel = ws.channels.get(args["channel"])
        if channel is None or not channel.is_im:
            return err("channel_not_found")
        return ok(channel={"id": channel.id}, no_op=True, already_open=True)
    users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not users:
        return err("users_list_not_supplied")
    if len(users) > 1:
        ctx.violation("conversations.open: group DMs are not supported by the stand-in")
        return err("method_not_supported_for_channel_type")
    user = ws.users.get(users[0])
    if user is None:
        return err("user_not_found")
    if user.deleted:
        return err("user_disabled")
    if user.is_bot:
        return err("cannot_dm_bot")
    existing = ws.find_dm(user.id)
    if existing is None and args.get("prevent_creation"):
        return ok(channel={}, no_op=True)
    channel = ws.dm_channel(user.id)
    detail = channel.to_api(is_member=True) if args.get("return_im") else {"id": channel.id}
    out = ok(channel=detail)
    if existing is not None:
        out.update(no_op=True, already_open=True)
    return out


def _bounds(args: dict[str, Any]) -> tuple[int, int] | Response:
    try:
        oldest = ts_key(args.get("oldest") or "0")
    except ValueError:
        return err("invalid_ts_oldest")
    try:
        # Slack's default is "now"; no upper bound avoids racing our own monotonic ts bumps.
        latest = ts_key(args["latest"]) if args.get("latest") else 1 << 62
    except ValueError:
        return err("invalid_ts_latest")
    return oldest, latest


def _in_bounds(msg: Message, bounds: tuple[int, int], inclusive: bool) -> bool:
    key = ts_key(msg.ts)
    if inclusive:
        return bounds[0] <= key <= bounds[1]
    return bounds[0] < key < bounds[1]


def _page_messages(
    ctx: ApiContext, args: dict[str, Any], msgs: list[Message], *, newest_first: bool
) -> Response:
    bounds = _bounds(args)
    if isinstance(bounds, dict):
        return bounds
    limit = page_limit(args, 100, 999)
    if limit is None:
        return err("invalid_limit")
    inclusive = bool(args.get("inclusive"))
    msgs = [m for m in msgs if _in_bounds(m, bounds, inclusive)]
    msgs.sort(key=lambda m: ts_key(m.ts), reverse=newest_first)
    if args.get("cursor"):
        marker = decode_cursor("next_ts", args["cursor"])
        if marker is None or not marker.isdigit():
            return err("invalid_cursor")
        start = int(marker)
        msgs = [
            m for m in msgs if (ts_key(m.ts) <= start if newest_first else ts_key(m.ts) >= start)
        ]
    page, rest = msgs[:limit], msgs[limit:]
    include_meta = bool(args.get("include_all_metadata"))
    out = ok(
        messages=[ctx.ws.message_api(m, include_metadata=include_meta) for m in page],
        has_more=bool(rest),
    )
    if rest:
        out["response_metadata"] = {
            "next_cursor": encode_cursor("next_ts", str(ts_key(rest[0].ts)))
        }
    return out


def conversations_history(ctx: ApiContext, args: dict[str, Any]) -> Response:
    channel = resolve_read_channel(ctx.ws, args["channel"], need_member=True)
    if isinstance(channel, str):
        return err(channel)
    with ctx.ws.lock:
        msgs = ctx.ws.top_level(channel)
        out = _page_messages(ctx, args, msgs, newest_first=True)
    if out["ok"]:
        out.update(pin_count=0, channel_actions_query=[], channel_actions_count=0)
    return out


def conversations_replies(ctx: ApiContext, args: dict[str, Any]) -> Response:
    channel = resolve_read_channel(ctx.ws, args["channel"], need_member=True)
    if isinstance(channel, str):
        return err(channel)
    with ctx.ws.lock:
        parent = ctx.ws.message(channel.id, args["ts"])
        if parent is None:
            return err("thread_not_found")
        root = parent.thread_ts if parent.is_reply and parent.thread_ts else parent.ts
        head = ctx.ws.message(channel.id, root)
        msgs = ([head] if head else []) + ctx.ws.replies(channel.id, root)
        return _page_messages(ctx, args, msgs, newest_first=False)


def _page_ids(
    ids: list[str], args: dict[str, Any], prefix: str, default: int, maximum: int
) -> tuple[list[str], str] | Response:
    limit = page_limit(args, default, maximum)
    if limit is None:
        return err("invalid_limit")
    start = 0
    if args.get("cursor"):
        marker = decode_cursor(prefix, args["cursor"])
        if marker is None or marker not in ids:
            return err("invalid_cursor")
        start = ids.index(marker)
    page = ids[start : start + limit] if limit else ids[start:]
    after = start + len(page)
    return page, encode_cursor(prefix, ids[after]) if after < len(ids) else ""


def conversations_members(ctx: ApiContext, args: dict[str, Any]) -> Response:
    channel = resolve_read_channel(ctx.ws, args["channel"], need_member=False)
    if isinstance(channel, str):
        return err(channel)
    paged = _page_ids(list(channel.members), args, "user", 100, 1000)
    if isinstance(paged, dict):
        return paged
    return ok(members=paged[0], response_metadata={"next_cursor": paged[1]})


def conversations_info(ctx: ApiContext, args: dict[str, Any]) -> Response:
    channel = resolve_read_channel(ctx.ws, args["channel"], need_member=False)
    if isinstance(channel, str):
        return err(channel)
    return ok(
        channel=channel.to_api(
            is_member=BOT_USER_ID in channel.members,
            include_num_members=bool(args.get("include_num_members")),
        )
    )


def _true(value: Any) -> bool:
    """A boolean argument as it arrives: slack_sdk sends True as "1", JSON as true."""
    return value is True or str(value).lower() in ("1", "true")


def users_info(ctx: ApiContext, args: dict[str, Any]) -> Response:
    user = ctx.ws.users.get(args["user"])
    if user is None:
        return err("user_not_found")
    return ok(user=user.to_api(include_locale=_true(args.get("include_locale"))))


def users_list(ctx: ApiContext, args: dict[str, Any]) -> Response:
    ids = list(ctx.ws.users)
    if "limit" not in args:
        args = {**args, "limit": len(ids) or 1}
    paged = _page_ids(ids, args, "user", len(ids) or 1, 1000)
    if isinstance(paged, dict):
        return paged
    with_locale = _true(args.get("include_locale"))
    members = [ctx.ws.users[i].to_api(include_locale=with_locale) for i in paged[0]]
    return ok(
        members=members, cache_ts=int(time.time()), response_metadata={"next_cursor": paged[1]}
    )


HANDLERS: dict[str, Handler] = {
    "auth.test": auth_test,
    "conversations.open": conversations_open,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "conversations.members": conversations_members,
    "conversations.info": conversations_info,
    "users.info": users_info,
    "users.list": users_list,
}

"""usergroups.* methods of the Slack stand-in.

Error codes come from each method's spec where it names one. Where a spec is silent the codes
are the ones Slack is seen to answer: ``no_such_subteam`` (named by usergroups.users.list) for
an unknown id on every method, ``already_enabled``/``already_disabled`` for enable/disable, and
create's name/handle/channel errors for usergroups.update, which validates the same fields.
"""

from __future__ import annotations

import re
import time
from typing import Any

from bot.demo.standin.api_common import ApiContext, Handler, Response, err, ok
from bot.demo.standin.models import BOT_USER_ID, UserGroup

# Slack's rule for handles: lowercase letters, digits, periods, hyphens and underscores.
_HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# Accepted by the specs but not modelled; a call relying on them gets a violation, not silence.
_UNMODELLED = ("additional_channels", "enable_section", "is_shared")


def _subteam(group: UserGroup, args: dict[str, Any], *, include_users: bool = True) -> Response:
    return ok(usergroup=group.to_api(include_users, bool(args.get("include_count"))))


def _find(ctx: ApiContext, args: dict[str, Any], *, include_disabled: bool) -> UserGroup | str:
    """The group named by ``usergroup``, or Slack's error code. A disabled group is invisible
    unless asked for, as in usergroups.list."""
    group = ctx.ws.usergroups.get(str(args.get("usergroup", "")))
    if group is None or not (group.enabled or include_disabled):
        return "no_such_subteam"
    return group


def _note_unmodelled(ctx: ApiContext, method: str, args: dict[str, Any]) -> None:
    for name in _UNMODELLED:
        if args.get(name):
            ctx.violation(f"{method}: {name} is not modelled by the stand-in (ignored)")


def _as_list(raw: Any) -> list[Any]:
    """A list argument as decoded by the contract check (a list), or a stray string split."""
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return list(raw) if isinstance(raw, list) else [raw]


def _members(ctx: ApiContext, raw: Any) -> list[str] | str:
    """The new member list of usergroups.users.update, or Slack's error code."""
    users = list(dict.fromkeys(_as_list(raw)))
    if not users:
        return "no_users_provided"
    if not all(isinstance(u, str) and ctx.ws.is_member_candidate(u) for u in users):
        return "invalid_users"
    return users


def _channels(ctx: ApiContext, raw: Any) -> tuple[list[str], list[str]] | str:
    """(public channel ids, private channel ids) for a group's default channels."""
    public: list[str] = []
    private: list[str] = []
    for ref in _as_list(raw):
        channel = ctx.ws.channels.get(ref) if isinstance(ref, str) else None
        if channel is None or channel.is_im:
            return "invalid_channel_provided"
        (private if channel.is_private else public).append(channel.id)
    return public, private


def _naming_error(
    ctx: ApiContext, name: str | None, handle: str | None, group_id: str | None
) -> str | None:
    """The error usergroups.create/update give for a new name or handle, or None."""
    others = [g for g in ctx.ws.usergroups.values() if g.id != group_id]
    if name is not None:
        if not name.strip():
            return "missing_subteam_name"
        if any(g.name == name for g in others):
            return "name_already_exists"
    if handle is not None:
        if not _HANDLE_RE.match(handle):
            return "bad_handle"
        if ctx.ws.handle_taken(handle, except_group=group_id):
            return "handle_already_exists"
    return None


def _apply_fields(ctx: ApiContext, group: UserGroup, args: dict[str, Any]) -> str | None:
    """Set name/handle/description/channels from create/update arguments; Slack's error code
    when one is refused (then nothing is changed)."""
    problem = _naming_error(ctx, args.get("name"), args.get("handle"), group.id)
    if problem:
        return problem
    channels = _channels(ctx, args["channels"]) if "channels" in args else None
    if isinstance(channels, str):
        return channels
    with ctx.ws.lock:
        group.name = args.get("name", group.name)
        group.handle = args.get("handle", group.handle)
        group.description = args.get("description", group.description)
        if channels is not None:
            group.channels, group.groups = channels
        group.date_update, group.updated_by = int(time.time()), BOT_USER_ID
    return None


def usergroups_list(ctx: ApiContext, args: dict[str, Any]) -> Response:
    with_users = bool(args.get("include_users"))
    with_count = bool(args.get("include_count"))
    shown = [g for g in ctx.ws.usergroups.values() if g.enabled or args.get("include_disabled")]
    return ok(usergroups=[g.to_api(with_users, with_count) for g in shown])


def usergroups_users_list(ctx: ApiContext, args: dict[str, Any]) -> Response:
    group = _find(ctx, args, include_disabled=bool(args.get("include_disabled")))
    if isinstance(group, str):
        return err(group)
    return ok(users=list(group.users))


def usergroups_users_update(ctx: ApiContext, args: dict[str, Any]) -> Response:
    _note_unmodelled(ctx, "usergroups.users.update", args)
    group = _find(ctx, args, include_disabled=True)
    if isinstance(group, str):
        return err(group)
    if not group.enabled:
        # Slack does not document this case; refusing keeps the bot from relying on it.
        ctx.violation(f"usergroups.users.update: {group.id} is disabled; enable it first")
        return err("no_such_subteam")
    users = _members(ctx, args["users"])
    if isinstance(users, str):
        return err(users)
    with ctx.ws.lock:
        group.users = users
        group.date_update, group.updated_by = int(time.time()), BOT_USER_ID
    return _subteam(group, args)


def usergroups_create(ctx: ApiContext, args: dict[str, Any]) -> Response:
    _note_unmodelled(ctx, "usergroups.create", args)
    name = str(args["name"])
    # Slack derives a handle from the name when none is given.
    handle = args.get("handle") or re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-")
    problem = _naming_error(ctx, name, handle, None)
    if problem:
        return err(problem)
    with ctx.ws.lock:
        group = UserGroup(ctx.ws.new_id("S"), handle, name, int(time.time()))
        problem = _apply_fields(ctx, group, args)
        if problem:
            return err(problem)
        ctx.ws.usergroups[group.id] = group
    return _subteam(group, args)


def usergroups_update(ctx: ApiContext, args: dict[str, Any]) -> Response:
    _note_unmodelled(ctx, "usergroups.update", args)
    group = _find(ctx, args, include_disabled=True)
    if isinstance(group, str):
        return err(group)
    problem = _apply_fields(ctx, group, args)
    return err(problem) if problem else _subteam(group, args)


def usergroups_enable(ctx: ApiContext, args: dict[str, Any]) -> Response:
    group = _find(ctx, args, include_disabled=True)
    if isinstance(group, str):
        return err(group)
    if group.enabled:
        return err("already_enabled")
    with ctx.ws.lock:
        group.date_delete, group.deleted_by = 0, None
        group.date_update, group.updated_by = int(time.time()), BOT_USER_ID
    return _subteam(group, args)


def usergroups_disable(ctx: ApiContext, args: dict[str, Any]) -> Response:
    group = _find(ctx, args, include_disabled=True)
    if isinstance(group, str):
        return err(group)
    if not group.enabled:
        return err("already_disabled")
    with ctx.ws.lock:
        now = int(time.time())
        group.date_delete, group.deleted_by = now, BOT_USER_ID
        group.date_update, group.updated_by = now, BOT_USER_ID
    return _subteam(group, args)


HANDLERS: dict[str, Handler] = {
    "usergroups.list": usergroups_list,
    "usergroups.users.list": usergroups_users_list,
    "usergroups.users.update": usergroups_users_update,
    "usergroups.create": usergroups_create,
    "usergroups.update": usergroups_update,
    "usergroups.enable": usergroups_enable,
    "usergroups.disable": usergroups_disable,
}

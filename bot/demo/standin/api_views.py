"""views.* and files.* (external upload) methods of the Slack stand-in."""

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
from bot.demo.standin.models import BOT_USER_ID, Trigger, ViewRecord
from bot.demo.standin.state import VIEW_STACK_LIMIT


def _trigger(ctx: ApiContext, method: str, args: dict[str, Any]) -> Trigger | Response:
    trig = ctx.ws.exchange_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
    if isinstance(trig, str):
        ctx.violation(f"{method}: {trig} ({args.get('trigger_id')!r})")
        return err(trig)
    return trig


def _duplicate_external(
    ctx: ApiContext, spec: dict[str, Any], own_id: str | None = None
) -> Response | None:
    ext = spec.get("external_id")
    if ext:
        found = ctx.ws.view_by_external_id(ext)
        if found is not None and found.id != own_id:
            return err("duplicate_external_id")
    return None


def views_open(ctx: ApiContext, args: dict[str, Any]) -> Response:
    trig = _trigger(ctx, "views.open", args)
    if isinstance(trig, dict):
        return trig
    spec = args["view"]
    dup = _duplicate_external(ctx, spec)
    if dup:
        return dup
    ws = ctx.ws
    with ws.lock:
        ws.close_top(trig.user, clear=True)
        vid = ws.new_id("V")
        view = ws.build_view(spec, view_id=vid)
        ws.views[vid] = ViewRecord(vid, trig.user, view)
        ws.view_stacks[trig.user] = [vid]
        ws.log_view(trig.user, "opened", view)
    return ok(view=view)


def views_push(ctx: ApiContext, args: dict[str, Any]) -> Response:
    trig = _trigger(ctx, "views.push", args)
    if isinstance(trig, dict):
        return trig
    ws = ctx.ws
    with ws.lock:
        stack = ws.view_stacks.get(trig.user, [])
        if not stack:
            ctx.violation("views.push: the user has no open modal to push onto")
            return err("not_found")
        if len(stack) >= VIEW_STACK_LIMIT:
            ctx.violation(f"views.push: stack already has {len(stack)} views (limit 3)")
            return err("push_limit_reached")
        dup = _duplicate_external(ctx, args["view"])
        if dup:
            return dup
        vid = ws.new_id("V")
        view = ws.build_view(args["view"], view_id=vid, root_id=stack[0], previous_id=stack[-1])
        ws.views[vid] = ViewRecord(vid, trig.user, view)
        stack.append(vid)
        ws.log_view(trig.user, "pushed", view)
    return ok(view=view)


def views_update(ctx: ApiContext, args: dict[str, Any]) -> Response:
    ws = ctx.ws
    with ws.lock:
        if args.get("view_id"):
            rec = ws.views.get(args["view_id"]) or next(
                (h for h in ws.homes.values() if h.id == args["view_id"]), None
            )
        elif args.get("external_id"):
            rec = ws.view_by_external_id(args["external_id"])
        else:
            ctx.violation("views.update: needs view_id or external_id")
            return err("invalid_arguments")
        if rec is None or rec.closed:
            return err("not_found")
        if args.get("hash") and args["hash"] != rec.view["hash"]:
            return err("hash_conflict")
        dup = _duplicate_external(ctx, args["view"], rec.id)
        if dup:
            return dup
        if rec.view["type"] != args["view"].get("type"):
            ctx.violation(
                f"views.update: cannot change a {rec.view['type']} view into "
                f"{args['view'].get('type')!r}"
            )
            return err("invalid_arguments")
        view = ws.build_view(
            args["view"],
            view_id=rec.id,
            root_id=rec.view.get("root_view_id"),
            previous_id=rec.view.get("previous_view_id"),
        )
        rec.view = view
        rec.errors = {}
        ws.log_view(rec.owner, "updated", view)
    return ok(view=view)


def views_publish(ctx: ApiContext, args: dict[str, Any]) -> Response:
    ws = ctx.ws
    user_id = args["user_id"]
    with ws.lock:
        if user_id not in ws.users:
            return err("user_not_found")
        current = ws.homes.get(user_id)
        if args.get("hash") and current is not None and args["hash"] != current.view["hash"]:
            return err("hash_conflict")
        dup = _duplicate_external(ctx, args["view"], current.id if current else None)
        if dup:
            return dup
        vid = current.id if current else ws.new_id("V")
        view = ws.build_view(args["view"], view_id=vid)
        ws.homes[user_id] = ViewRecord(vid, user_id, view)
        ws.log_view(user_id, "home", view)
    return ok(view=view)


def files_get_upload_url(ctx: ApiContext, args: dict[str, Any]) -> Response:
    try:
        length = int(args["length"])
    except (TypeError, ValueError):
        return err("invalid_arguments")
    if length < 0:
        return err("invalid_arguments")
    f = ctx.ws.new_file(str(args["filename"]), length, args.get("alt_txt"))
    return ok(upload_url=f"{ctx.base_url}/upload/v1/{f.id}", file_id=f.id)


def files_complete_upload(ctx: ApiContext, args: dict[str, Any]) -> Response:
    ws = ctx.ws
    entries = args["files"]
    if not isinstance(entries, list) or not entries:
        return err("invalid_arguments")
    uploads = []
    for entry in entries:
        f = ws.files.get(entry.get("id", "")) if isinstance(entry, dict) else None
        if f is None or f.data is None:
            return err("file_not_found")
        if entry.get("title"):
            f.title = entry["title"]
        uploads.append(f)
    targets = [args["channel_id"]] if args.get("channel_id") else []
    targets += [c.strip() for c in str(args.get("channels") or "").split(",") if c.strip()]
    if args.get("thread_ts") and len(targets) != 1:
        ctx.violation("files.completeUploadExternal: thread_ts needs exactly one channel")
        return err("invalid_channel")
    for target in targets:
        channel = resolve_post_channel(ws, target)
        if isinstance(channel, str):
            return err(channel)
        thread_ts = args.get("thread_ts")
        if thread_ts and ws.message(channel.id, thread_ts) is None:
            ctx.violation(
                f"files.completeUploadExternal: thread_ts {thread_ts} not in {channel.id}"
            )
            return err("invalid_arguments")
        ws.add_message(
            channel,
            user=BOT_USER_ID,
            text=args.get("initial_comment") or "",
            blocks=None if args.get("initial_comment") else args.get("blocks"),
            thread_ts=thread_ts,
            bot=True,
            files=[f.to_api() for f in uploads],
        )
        for f in uploads:
            f.shared_in.append(channel.id)
    return ok(files=[{"id": f.id, "title": f.title} for f in uploads])


HANDLERS: dict[str, Handler] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "files.getUploadURLExternal": files_get_upload_url,
    "files.completeUploadExternal": files_complete_upload,
}

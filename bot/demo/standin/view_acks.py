"""What Slack does with a view_submission ack: close, show errors, update, push or clear."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.demo.standin.blockkit import check_view
from bot.demo.standin.models import ViewRecord
from bot.demo.standin.state import VIEW_STACK_LIMIT, Workspace

Violate = Callable[[str], None]


def _input_block_ids(view: dict[str, Any]) -> set[str]:
    return {
        b.get("block_id", "")
        for b in view.get("blocks", [])
        if isinstance(b, dict) and b.get("type") == "input"
    }


def _new_view(body: dict[str, Any], violate: Violate, action: str) -> dict[str, Any] | None:
    spec = body.get("view")
    problems = check_view(spec, kinds=("modal",))
    for p in problems:
        violate(f"view_submission ack ({action}): {p}")
    return None if problems else spec


def apply_view_ack(
    ws: Workspace,
    user_id: str,
    view_id: str,
    status: int,
    content_type: str,
    raw: bytes,
    violate: Violate,
    seq: int | None = None,
) -> None:
    """Apply the app's HTTP answer to a view_submission of ``view_id`` by ``user_id``.
    ``seq`` (reserved when the submission was sent) orders the effect before any follow-up
    the app made while the ack was in flight."""
    if status != 200:
        return  # Slack keeps the modal open and shows a connection error
    with ws.lock:
        rec = ws.views.get(view_id)
        if rec is None or rec.closed:
            return
        body: Any = {}
        if raw.strip():
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                violate(f"view_submission ack: body is not JSON ({content_type})")
                return
        if not isinstance(body, dict):
            violate("view_submission ack: body must be a JSON object")
            return
        action = body.get("response_action")
        if action is None:
            if body:
                violate(
                    f"view_submission ack: unexpected body without response_action: {sorted(body)}"
                )
            ws.close_top(user_id, seq=seq)
        elif action == "errors":
            _apply_errors(rec, body, violate)
        elif action == "update":
            spec = _new_view(body, violate, action)
            if spec is not None:
                rec.view = ws.build_view(
                    spec,
                    view_id=rec.id,
                    root_id=rec.view.get("root_view_id"),
                    previous_id=rec.view.get("previous_view_id"),
                )
                rec.errors = {}
                ws.log_view(user_id, "updated", rec.view, seq)
        elif action == "push":
            _push(ws, user_id, body, violate, seq)
        elif action == "clear":
            ws.close_top(user_id, clear=True, seq=seq)
        else:
            violate(f"view_submission ack: unknown response_action {action!r}")


def _apply_errors(rec: ViewRecord, body: dict[str, Any], violate: Violate) -> None:
    errors = body.get("errors")
    if not isinstance(errors, dict) or not errors:
        violate("view_submission ack: response_action errors needs a non-empty errors object")
        return
    inputs = _input_block_ids(rec.view)
    for block_id, message in errors.items():
        if block_id not in inputs:
            violate(f"view_submission ack: error for {block_id!r}, which is not an input block")
        if not isinstance(message, str) or not message:
            violate(f"view_submission ack: error for {block_id!r} must be a non-empty string")
    rec.errors = {str(k): str(v) for k, v in errors.items()}


def _push(
    ws: Workspace, user_id: str, body: dict[str, Any], violate: Violate, seq: int | None
) -> None:
    stack = ws.view_stacks.get(user_id, [])
    if len(stack) >= VIEW_STACK_LIMIT:
        violate("view_submission ack: push beyond 3 views")
        return
    spec = _new_view(body, violate, "push")
    if spec is None:
        return
    vid = ws.new_id("V")
    view = ws.build_view(
        spec,
        view_id=vid,
        root_id=stack[0] if stack else vid,
        previous_id=stack[-1] if stack else None,
    )
    ws.views[vid] = ViewRecord(vid, user_id, view)
    stack.append(vid)
    ws.view_stacks[user_id] = stack
    ws.log_view(user_id, "pushed", view, seq)

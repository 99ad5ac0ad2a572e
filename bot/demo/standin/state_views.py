"""The workspace's modals and Home tabs: the view objects Slack returns, stacks, the log."""

from __future__ import annotations

import copy
import secrets
import threading
import time
from typing import Any

from bot.demo.standin.models import APP_ID, BOT_ID, TEAM_ID, ViewRecord


class WorkspaceViews:
    """Mixed into Workspace, whose lock, block normaliser and sequence it uses."""

    lock: threading.RLock
    views: dict[str, ViewRecord]
    view_stacks: dict[str, list[str]]
    homes: dict[str, ViewRecord]
    view_log: list[tuple[int, str, str, dict[str, Any]]]

    def normalize_blocks(self, blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        raise NotImplementedError

    def next_seq(self) -> int:
        raise NotImplementedError

    def build_view(
        self,
        spec: dict[str, Any],
        *,
        view_id: str,
        root_id: str | None = None,
        previous_id: str | None = None,
    ) -> dict[str, Any]:
        """The server-side view object Slack returns for a submitted view definition."""
        view: dict[str, Any] = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": spec.get("type"),
            "blocks": self.normalize_blocks(spec.get("blocks") or []),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_urlsafe(6)}",
            "title": spec.get("title"),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "previous_view_id": previous_id,
            "root_view_id": root_id or view_id,
            "app_id": APP_ID,
            "external_id": spec.get("external_id", ""),
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        if spec.get("type") == "home":
            for key in ("title", "close", "submit", "clear_on_close", "notify_on_close"):
                view.pop(key)
        return view

    def log_view(
        self, user_id: str, action: str, view: dict[str, Any], seq: int | None = None
    ) -> None:
        with self.lock:
            entry = (seq or self.next_seq(), user_id, action, copy.deepcopy(view))
            self.view_log.append(entry)
            self.view_log.sort(key=lambda e: e[0])

    def view_by_external_id(self, external_id: str) -> ViewRecord | None:
        with self.lock:
            pool = list(self.views.values()) + list(self.homes.values())
            return next(
                (v for v in pool if v.view.get("external_id") == external_id and not v.closed), None
            )

    def open_stack(self, user_id: str) -> list[ViewRecord]:
        with self.lock:
            return [self.views[v] for v in self.view_stacks.get(user_id, [])]

    def close_top(self, user_id: str, *, clear: bool = False, seq: int | None = None) -> None:
        with self.lock:
            stack = self.view_stacks.get(user_id, [])
            popped = stack[:] if clear else stack[-1:]
            for vid in reversed(popped):
                self.views[vid].closed = True
                stack.remove(vid)
                self.log_view(user_id, "closed", self.views[vid].view, seq)

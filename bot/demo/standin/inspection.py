"""Read-only inspection helpers of ``FakeSlack`` for tests, benchmarks and the demo."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from bot.demo.standin.models import Channel
from bot.demo.standin.render import transcript
from bot.demo.standin.state import Workspace

T = TypeVar("T")


class Call(NamedTuple):
    """One Web API (or response_url) call the bot made, with the answer it got."""

    method: str
    args: dict[str, Any]
    response: dict[str, Any]
    token: str | None = None  # the token the call came with (whose workspace it acted in)


class InspectionMixin:
    """Inspection API; relies on ``self.ws`` (the workspace) and ``self.violations``."""

    ws: Workspace
    violations: list[str]
    calls: list[Call]

    def _channel(self, ref: str) -> Channel | None:
        if ref in self.ws.users:
            return self.ws.find_dm(ref)
        return self.ws.channel_by_ref(ref)

    def _msg_dicts(self, channel: Channel, *, include_replies: bool) -> list[dict[str, Any]]:
        with self.ws.lock:
            msgs = (
                [m for m in channel.messages if not m.deleted]
                if include_replies
                else (self.ws.top_level(channel))
            )
            out = []
            for m in msgs:
                d = self.ws.message_api(m)
                d["channel"] = channel.id
                out.append(d)
            return out

    def messages(self, channel: str, *, include_replies: bool = False) -> list[dict[str, Any]]:
        """Messages in a channel (id, name, ``#name`` or a user id for the bot's DM), oldest
        first, as conversations.history shapes them (metadata included) plus ``channel``."""
        found = self._channel(channel)
        return self._msg_dicts(found, include_replies=include_replies) if found else []

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """A thread's parent followed by its replies, oldest first."""
        found = self._channel(channel)
        if found is None:
            return []
        with self.ws.lock:
            parent = self.ws.message(found.id, ts)
            msgs = ([parent] if parent else []) + self.ws.replies(found.id, ts)
            return [{**self.ws.message_api(m), "channel": found.id} for m in msgs]

    def dm_channel_id(self, user_id: str) -> str | None:
        channel = self.ws.find_dm(user_id)
        return channel.id if channel else None

    def dm_messages(self, user_id: str, *, include_replies: bool = False) -> list[dict[str, Any]]:
        """Messages in the bot's DM with ``user_id`` (both directions), oldest first."""
        channel = self.ws.find_dm(user_id)
        return self._msg_dicts(channel, include_replies=include_replies) if channel else []

    def ephemerals(self, user_id: str) -> list[dict[str, Any]]:
        """Ephemeral messages shown to ``user_id`` (chat.postEphemeral, response_url, acks)."""
        with self.ws.lock:
            return [e.to_dict() for e in self.ws.ephemerals if e.user == user_id and not e.deleted]

    def open_views(self, user_id: str) -> list[dict[str, Any]]:
        """The user's modal stack, bottom first (server-side view objects)."""
        with self.ws.lock:
            return [copy.deepcopy(r.view) for r in self.ws.open_stack(user_id)]

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self.ws.lock:
            rec = self.ws.views.get(view_id)
            return copy.deepcopy(rec.view) if rec else None

    def view_errors(self, view_id: str) -> dict[str, str]:
        """Errors shown on a modal after a ``response_action: errors`` ack."""
        with self.ws.lock:
            rec = self.ws.views.get(view_id)
            return dict(rec.errors) if rec else {}

    def home(self, user_id: str) -> dict[str, Any] | None:
        """The user's published Home tab view, if any."""
        with self.ws.lock:
            rec = self.ws.homes.get(user_id)
            return copy.deepcopy(rec.view) if rec else None

    def usergroup(self, usergroup_id: str) -> dict[str, Any] | None:
        """The user group as usergroups.list shapes it, with ``users`` and ``user_count``."""
        with self.ws.lock:
            group = self.ws.usergroups.get(usergroup_id)
            return group.to_api(include_users=True, include_count=True) if group else None

    def usergroup_members(self, usergroup_id: str) -> list[str]:
        """Current members of a user group; KeyError for an unknown id, so a typo in a test
        is not mistaken for an empty group."""
        with self.ws.lock:
            return list(self.ws.usergroups[usergroup_id].users)

    def usergroup_updates(self, usergroup_id: str | None = None) -> list[Call]:
        """usergroups.users.update calls (of one group, or all), oldest first; ``args["users"]``
        is the decoded list whichever wire form the bot sent."""
        return [
            c
            for c in self.calls_to("usergroups.users.update")
            if usergroup_id is None or c.args.get("usergroup") == usergroup_id
        ]

    def transcript(self, user_id: str) -> str:
        """A plain-text rendering of everything ``user_id`` would see, in order."""
        return transcript(self.ws, user_id)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in list(self.calls) if c.method == method]

    def wait_for(
        self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.01
    ) -> T:
        """Poll ``predicate`` until it returns something truthy (returned) or time out."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"condition not met within {timeout}s; violations so far: {self.violations}"
                )
            time.sleep(interval)

"""In-memory stand-ins for the service layer's ports (the end-to-end tests use a fake Slack)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ceremonies.core.ports import DeliveryError, Marker, Message, Posted, Profile


@dataclass
class SentMessage:
    channel: str
    ts: str
    message: Message
    updates: list[Message] = field(default_factory=list)

    @property
    def current(self) -> Message:
        return self.updates[-1] if self.updates else self.message


class FakeChat:
    def __init__(self) -> None:
        self.sent: list[SentMessage] = []
        self.profiles: dict[str, Profile] = {}
        self.members: dict[str, list[str]] = {}
        self.fail_posts_to: set[str] = set()
        self.charts: list[tuple[str, str, str, dict[str, Any]]] = []
        self.usergroups: dict[str, list[str]] = {}
        # Home views published, per person, oldest first.
        self.homes: dict[str, list[Message]] = {}
        # Templates whose custom version "fails" (the default goes out): name → reason.
        self.broken_templates: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Lock()

    def add_user(self, user_id: str, tz: str = "UTC", **flags: Any) -> None:
        self.profiles[user_id] = Profile(user_id=user_id, name=user_id, tz=tz, **flags)

    def post(self, team_id: str, channel: str, message: Message) -> Posted:
        if channel in self.fail_posts_to:
            raise DeliveryError("chat.postMessage: connection reset", permanent=False)
        with self._lock:
            dm = "D" + channel if channel.startswith("U") else channel
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            self.sent.append(SentMessage(dm, ts, message))
        name = f"{message.template}.json.j2"
        broken = self.broken_templates.get(message.template)
        return Posted(dm, ts, ((name, broken),) if broken else ())

    def update(self, team_id: str, channel: str, ts: str, message: Message) -> None:
        for sent in self.sent:
            if sent.channel == channel and sent.ts == ts:
                sent.updates.append(message)
                return
        raise DeliveryError("chat.update: message_not_found", permanent=True)

    def find_posted(
        self,
        team_id: str,
        channel: str,
        marker: Marker,
        since: datetime,
        thread_ts: str | None = None,
    ) -> Posted | None:
        for sent in self.sent:
            if sent.channel == channel and sent.message.marker == marker:
                return Posted(sent.channel, sent.ts)
        return None

    def open_dm(self, team_id: str, user_id: str) -> str:
        return "D" + user_id

    def publish_home(self, team_id: str, user_id: str, view: Message) -> None:
        with self._lock:
            self.homes.setdefault(user_id, []).append(view)

    def channel_members(self, team_id: str, channel: str) -> list[str]:
        return list(self.members.get(channel, []))

    def set_usergroup_members(self, team_id: str, usergroup_id: str, user_ids: list[str]) -> None:
        if usergroup_id not in self.usergroups:
            raise DeliveryError("usergroups.users.update: no_such_subteam", permanent=True)
        self.usergroups[usergroup_id] = list(user_ids)

    def profile(self, team_id: str, user_id: str) -> Profile:
        return self.profiles[user_id]

    def profiles_of(self, team_id: str, user_ids: list[str]) -> list[Profile]:
        return [self.profiles[user_id] for user_id in user_ids]

    def permalink(self, team_id: str, channel: str, ts: str) -> str:
        return f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}"

    def upload_chart(
        self, team_id: str, channel: str, thread_ts: str, chart: str, data: Any
    ) -> None:
        self.charts.append((channel, thread_ts, chart, dict(data)))

    # what tests look at
    def to(self, channel: str, template: str | None = None) -> list[SentMessage]:
        return [
            s
            for s in self.sent
            if s.channel == channel and (template is None or s.message.template == template)
        ]

    def templates(self, channel: str) -> list[str]:
        return [s.message.template for s in self.sent if s.channel == channel]


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def team_chat() -> FakeChat:
    """Three people in three zones, a bot and a deactivated user, all in #team (CTEAM)."""
    chat = FakeChat()
    chat.add_user("UBERLIN", "Europe/Berlin")
    chat.add_user("UNEWYORK", "America/New_York")
    chat.add_user("UKOLKATA", "Asia/Kolkata")
    chat.add_user("UBOT", is_bot=True)
    chat.add_user("UGONE", deleted=True)
    chat.members["CTEAM"] = ["UBERLIN", "UNEWYORK", "UKOLKATA", "UBOT", "UGONE"]
    return chat

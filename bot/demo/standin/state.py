"""The stand-in's workspace model: users, channels, user groups, messages, ephemerals, views,
triggers.

Every mutation happens under ``Workspace.lock`` (an RLock) because the HTTP server is threaded.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo.standin.models import (
    BOT_ID,
    BOT_NAME,
    BOT_USER_ID,
    CHOICE_ELEMENTS,
    SELECT_ELEMENTS,
    TEAM_ID,
    TEAM_NAME,
    TEXT_INPUT_ELEMENTS,
    Channel,
    Ephemeral,
    Message,
    ResponseUrl,
    Trigger,
    UploadedFile,
    User,
    UserGroup,
    ViewRecord,
)
from bot.demo.standin.state_views import WorkspaceViews

TRIGGER_TTL = 3.0
RESPONSE_URL_TTL = 30 * 60.0
RESPONSE_URL_USES = 5
VIEW_STACK_LIMIT = 3


def _short_id(n: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = alphabet[r] + out
        if n == 0:
            return out.rjust(8, "0")


class Workspace(WorkspaceViews):
    """One Slack workspace (team ``T0001``) with the bot user ``UBOT``."""

    def __init__(self, team_id: str = TEAM_ID, team_name: str = TEAM_NAME) -> None:
        self.lock = threading.RLock()
        self.team_id, self.team_name = team_id, team_name
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, UserGroup] = {}
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, ViewRecord] = {}
        self.view_stacks: dict[str, list[str]] = {}
        self.homes: dict[str, ViewRecord] = {}
        self.view_log: list[tuple[int, str, str, dict[str, Any]]] = []
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.files: dict[str, UploadedFile] = {}
        self.trigger_ttl = TRIGGER_TTL
        self.clock = time.monotonic
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        self._last_us = 0
        self.add_user(BOT_USER_ID, BOT_NAME, is_bot=True, real_name=BOT_NAME)
        self.users[BOT_USER_ID].bot_id = BOT_ID

    # ---- ids and clocks -------------------------------------------------------------------
    def next_seq(self) -> int:
        return next(self._seq)

    def new_id(self, prefix: str) -> str:
        return prefix + _short_id(next(self._ids))

    def reserve(self) -> tuple[int, str]:
        """A (seq, ts) slot for something that will be recorded later but happened now."""
        with self.lock:
            return self.next_seq(), self.next_ts()

    def next_ts(self) -> str:
        """A message ts from the wall clock, strictly increasing across the workspace."""
        with self.lock:
            self._last_us = max(int(time.time() * 1_000_000), self._last_us + 1)
            return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"

    # ---- users and channels ---------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "UTC",
        *,
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        real_name: str | None = None,
        locale: str = "en-US",
    ) -> User:
        ZoneInfo(tz)
        with self.lock:
            user = User(
                user_id,
                name,
                tz,
                is_bot=is_bot,
                deleted=deleted,
                is_admin=is_admin,
                real_name=real_name,
                locale=locale,
            )
            self.users[user_id] = user
            return user

    def set_user_locale(self, user_id: str, locale: str) -> User:
        with self.lock:
            self.users[user_id].locale = locale
            return self.users[user_id]

    def set_user_tz(self, user_id: str, tz: str) -> User:
        ZoneInfo(tz)
        with self.lock:
            self.users[user_id].tz = tz
            return self.users[user_id]

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: list[str],
        is_private: bool = False,
        *,
        bot_member: bool = True,
    ) -> Channel:
        with self.lock:
            members = list(dict.fromkeys(members))
            if bot_member and BOT_USER_ID not in members:
                members.append(BOT_USER_ID)
            channel = Channel(channel_id, name, members, int(time.time()), is_private=is_private)
            self.channels[channel_id] = channel
            return channel

    def add_usergroup(
        self,
        handle: str,
        name: str,
        users: Iterable[str] = (),
        *,
        description: str = "",
        enabled: bool = True,
    ) -> UserGroup:
        """Seed a user group (tests, the demo). Raises ValueError for what usergroups.create
        would refuse (a taken name or handle) and for members Slack would not accept."""
        with self.lock:
            members = list(dict.fromkeys(users))
            bad = [u for u in members if not self.is_member_candidate(u)]
            if bad:
                raise ValueError(f"not active human users: {bad}")
            if any(g.name == name for g in self.usergroups.values()):
                raise ValueError(f"usergroup name {name!r} is taken")
            if self.handle_taken(handle):
                raise ValueError(f"handle {handle!r} is taken")
            now = int(time.time())
            group = UserGroup(self.new_id("S"), handle, name, now, description, members)
            if not enabled:
                group.date_delete, group.deleted_by = now, BOT_USER_ID
            self.usergroups[group.id] = group
            return group

    def is_member_candidate(self, user_id: str) -> bool:
        """Whether Slack lets ``user_id`` be in a user group: a known, active, human user."""
        user = self.users.get(user_id)
        return user is not None and not user.deleted and not user.is_bot

    def handle_taken(self, handle: str, *, except_group: str | None = None) -> bool:
        """Slack keeps a handle unique among users, channels and user groups."""
        with self.lock:
            return (
                any(u.name == handle for u in self.users.values())
                or any(c.name == handle for c in self.channels.values() if not c.is_im)
                or any(g.handle == handle for g in self.usergroups.values() if g.id != except_group)
            )

    def channel_by_ref(self, ref: str) -> Channel | None:
        """A channel by id, or by name with or without ``#``."""
        with self.lock:
            if ref in self.channels:
                return self.channels[ref]
            name = ref.removeprefix("#")
            return next((c for c in self.channels.values() if not c.is_im and c.name == name), None)

    def find_dm(self, user_id: str) -> Channel | None:
        with self.lock:
            return next((c for c in self.channels.values() if c.im_user == user_id), None)

    def dm_channel(self, user_id: str) -> Channel:
        """The bot's DM channel with ``user_id`` (``D`` + the user id without its first
        letter), created on first use."""
        with self.lock:
            existing = self.find_dm(user_id)
            if existing:
                return existing
            cid = "D" + user_id[1:]
            while cid in self.channels:
                cid += "X"
            channel = Channel(
                cid, cid, [user_id, BOT_USER_ID], int(time.time()), is_private=True, im_user=user_id
            )
            self.channels[cid] = channel
            return channel

    def can_see(self, user_id: str, channel: Channel) -> bool:
        return user_id in channel.members

    # ---- messages --------------------------------------------------------------------------
    def normalize_blocks(self, blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        """Copy blocks, giving every block a block_id and every element an action_id, as
        Slack does."""
        if blocks is None:
            return None
        out = copy.deepcopy(blocks)
        for block in out:
            if isinstance(block, dict):
                block.setdefault("block_id", secrets.token_urlsafe(3).replace("-", "x"))
                self._assign_action_ids(block)
        return out

    def _assign_action_ids(self, node: Any) -> None:
        interactive = (
            SELECT_ELEMENTS | CHOICE_ELEMENTS | TEXT_INPUT_ELEMENTS | {"button", "overflow"}
        )
        if isinstance(node, dict):
            if node.get("type") in interactive:
                node.setdefault("action_id", secrets.token_urlsafe(4).replace("-", "x"))
            for key in ("accessory", "element", "elements"):
                if key in node:
                    self._assign_action_ids(node[key])
        elif isinstance(node, list):
            for item in node:
                self._assign_action_ids(item)

    def add_message(
        self,
        channel: Channel,
        *,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
        bot: bool = False,
        files: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        reply_broadcast: bool = False,
        at: tuple[int, str] | None = None,
    ) -> Message:
        with self.lock:
            seq, ts = at or (self.next_seq(), self.next_ts())
            msg = Message(
                channel.id,
                ts,
                user,
                text,
                seq,
                blocks=self.normalize_blocks(blocks),
                attachments=attachments,
                bot_id=BOT_ID if bot else None,
                thread_ts=thread_ts,
                metadata=metadata,
                files=files,
                reply_broadcast=reply_broadcast,
            )
            if thread_ts:
                parent = self.message(channel.id, thread_ts)
                if parent is not None and parent.thread_ts is None:
                    parent.thread_ts = parent.ts
            channel.messages.append(msg)
            if at is not None:
                channel.messages.sort(key=lambda m: (len(m.ts), m.ts))
            return msg

    def message(self, channel_id: str, ts: str) -> Message | None:
        with self.lock:
            channel = self.channels.get(channel_id)
            if channel is None:
                return None
            return next((m for m in channel.messages if m.ts == ts and not m.deleted), None)

    def replies(self, channel_id: str, ts: str) -> list[Message]:
        with self.lock:
            channel = self.channels.get(channel_id)
            if channel is None:
                return []
            return [
                m for m in channel.messages if m.thread_ts == ts and m.ts != ts and not m.deleted
            ]

    def top_level(self, channel: Channel) -> list[Message]:
        return [
            m for m in channel.messages if not m.deleted and (not m.is_reply or m.reply_broadcast)
        ]

    def message_api(self, msg: Message, *, include_metadata: bool = True) -> dict[str, Any]:
        replies = None if msg.is_reply else self.replies(msg.channel, msg.ts)
        parent = None
        if msg.is_reply and msg.thread_ts:
            parent = self.message(msg.channel, msg.thread_ts)
        return msg.to_api(
            include_metadata=include_metadata,
            replies=replies,
            parent_user=parent.user if parent else None,
        )

    def add_ephemeral(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        *,
        source: str,
        thread_ts: str | None = None,
        at: tuple[int, str] | None = None,
    ) -> Ephemeral:
        with self.lock:
            seq, ts = at or (self.next_seq(), self.next_ts())
            eph = Ephemeral(
                next(self._ids),
                channel,
                user,
                text,
                ts,
                seq,
                source,
                self.normalize_blocks(blocks),
                thread_ts,
            )
            self.ephemerals.append(eph)
            self.ephemerals.sort(key=lambda e: e.seq)
            return eph

    # ---- triggers and response urls --------------------------------------------------------
    def new_trigger_id(self, user_id: str, view_id: str | None = None) -> str:
        with self.lock:
            tid = f"{next(self._ids)}.{TEAM_ID[1:]}.{secrets.token_hex(16)}"
            self.triggers[tid] = Trigger(tid, user_id, self.clock(), view_id)
            return tid

    def exchange_trigger(self, trigger_id: str | None) -> Trigger | str:
        """Use a trigger id once within the TTL; return it or Slack's error code."""
        with self.lock:
            trig = self.triggers.get(trigger_id or "")
            if trig is None:
                return "invalid_trigger_id"
            if trig.used:
                return "exchanged_trigger_id"
            if self.clock() - trig.issued > self.trigger_ttl:
                return "expired_trigger_id"
            trig.used = True
            return trig

    def new_response_url(
        self,
        user_id: str,
        channel_id: str,
        *,
        message_ts: str | None = None,
        ephemeral_id: int | None = None,
    ) -> ResponseUrl:
        with self.lock:
            token = f"{TEAM_ID}/{next(self._ids)}/{secrets.token_urlsafe(18)}"
            rec = ResponseUrl(token, user_id, channel_id, time.time(), message_ts, ephemeral_id)
            self.response_urls[token] = rec
            return rec

    # ---- users acting (driver side) --------------------------------------------------------
    def user_post(
        self, user_id: str, channel: Channel, text: str, thread_ts: str | None = None
    ) -> Message:
        blocks = [
            {
                "type": "rich_text",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ]
        return self.add_message(
            channel, user=user_id, text=text, blocks=blocks, thread_ts=thread_ts
        )

    def new_file(self, filename: str, length: int, alt_txt: str | None) -> UploadedFile:
        with self.lock:
            fid = self.new_id("F")
            self.files[fid] = UploadedFile(fid, filename, length, filename, alt_txt)
            return self.files[fid]

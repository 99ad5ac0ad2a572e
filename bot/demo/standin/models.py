"""Records held by the Slack stand-in's workspace model, and their Slack API shapes."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# Block Kit element kinds, by what a person can do with them.
SELECT_ELEMENTS = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
TEXT_INPUT_ELEMENTS = frozenset(
    {
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
    }
)
CHOICE_ELEMENTS = frozenset(
    {"checkboxes", "radio_buttons", "datepicker", "timepicker", "datetimepicker"}
)

TEAM_ID = "T0001"
TEAM_NAME = "Ceremony Test"
TEAM_DOMAIN = "ceremony-test"
ENTERPRISE_ID: str | None = None
BOT_USER_ID = "UBOT"
BOT_ID = "B0001"
APP_ID = "A0001"
BOT_NAME = "ceremony-bot"
BOT_TOKEN = "xoxb-test-token"
WORKSPACE_URL = f"https://{TEAM_DOMAIN}.slack.com/"


@dataclass
class User:
    """A workspace member. ``tz_label``/``tz_offset`` are computed from zoneinfo *now*;
    the label is the zone abbreviation (e.g. ``CEST``) where Slack shows a long name.
    """

    id: str
    name: str
    tz: str = "UTC"
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    real_name: str | None = None
    bot_id: str | None = None
    # The person's Slack language; Slack shows it only to a call with include_locale=true.
    locale: str = "en-US"

    def tz_info(self) -> tuple[str, int]:
        now = datetime.now(ZoneInfo(self.tz))
        offset = now.utcoffset()
        return now.tzname() or self.tz, int(offset.total_seconds()) if offset else 0

    def to_api(self, *, include_locale: bool = False) -> dict[str, Any]:
        label, offset = self.tz_info()
        real = self.real_name or self.name
        profile: dict[str, Any] = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": TEAM_ID,
        }
        if self.bot_id:
            profile["bot_id"] = self.bot_id
        shown: dict[str, Any] = {"locale": self.locale} if include_locale else {}
        return {
            **shown,
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }


@dataclass
class Message:
    """A message in a channel (top level or thread reply). ``deleted`` ones are kept hidden."""

    channel: str
    ts: str
    user: str
    text: str
    seq: int
    blocks: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    edited: dict[str, str] | None = None
    files: list[dict[str, Any]] | None = None
    reply_broadcast: bool = False
    deleted: bool = False

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(
        self,
        *,
        include_metadata: bool = True,
        replies: list[Message] | None = None,
        parent_user: str | None = None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
            "team": TEAM_ID,
        }
        if self.bot_id:
            out.update(
                {
                    "bot_id": self.bot_id,
                    "app_id": APP_ID,
                    "bot_profile": {
                        "id": self.bot_id,
                        "app_id": APP_ID,
                        "name": BOT_NAME,
                        "deleted": False,
                        "team_id": TEAM_ID,
                    },
                }
            )
        if self.blocks is not None:
            out["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments:
            out["attachments"] = copy.deepcopy(self.attachments)
        if self.files:
            out["files"] = copy.deepcopy(self.files)
            out["upload"] = True
        if self.edited:
            out["edited"] = dict(self.edited)
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.is_reply and parent_user:
            out["parent_user_id"] = parent_user
        if replies:
            out["reply_count"] = len(replies)
            out["reply_users"] = sorted({r.user for r in replies})
            out["reply_users_count"] = len(out["reply_users"])
            out["latest_reply"] = replies[-1].ts
        if include_metadata and self.metadata is not None:
            out["metadata"] = copy.deepcopy(self.metadata)
        return out


@dataclass
class Channel:
    """A public/private channel or the bot's DM (``im_user`` set) with one user."""

    id: str
    name: str
    members: list[str]
    created: int
    is_private: bool = False
    im_user: str | None = None
    messages: list[Message] = field(default_factory=list)

    @property
    def is_im(self) -> bool:
        return self.im_user is not None

    @property
    def channel_type(self) -> str:
        """The ``channel_type`` of message events: im, group (private) or channel."""
        if self.is_im:
            return "im"
        return "group" if self.is_private else "channel"

    def label(self) -> str:
        return f"DM with {self.im_user}" if self.is_im else f"#{self.name}"

    def to_api(self, *, is_member: bool, include_num_members: bool = False) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "is_archived": False,
            "is_general": self.name == "general",
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": is_member,
            "creator": self.members[0] if self.members else "",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if include_num_members:
            out["num_members"] = len(self.members)
        return out


@dataclass
class Ephemeral:
    """A message only ``user`` sees in ``channel`` (chat.postEphemeral, response_url, ack)."""

    id: int
    channel: str
    user: str
    text: str
    ts: str
    seq: int
    source: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    deleted: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": self.text,
            "ts": self.ts,
            "channel": self.channel,
            "for_user": self.user,
            "is_ephemeral": True,
            "source": self.source,
            "ephemeral_id": self.id,
        }
        if self.blocks is not None:
            out["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        return out


@dataclass
class ViewRecord:
    """A modal or Home tab view as Slack stores it (``view`` is the server-side object)."""

    id: str
    owner: str
    view: dict[str, Any]
    closed: bool = False
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class Trigger:
    id: str
    user: str
    issued: float
    view_id: str | None = None
    used: bool = False


@dataclass
class ResponseUrl:
    token: str
    user: str
    channel: str
    issued: float
    message_ts: str | None = None
    ephemeral_id: int | None = None
    uses: int = 0


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    title: str
    alt_txt: str | None = None
    data: bytes | None = None
    shared_in: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title,
            "size": len(self.data or b""),
            "user": BOT_USER_ID,
            "mimetype": "application/octet-stream",
            "filetype": "binary",
            "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{self.id}/{self.filename}",
        }


@dataclass
class UserGroup:
    """A user group (Slack calls it a subteam; ids start with ``S``). Disabling keeps the
    group and its members and stamps ``date_delete``, as Slack does."""

    id: str
    handle: str
    name: str
    date_create: int
    description: str = ""
    users: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    date_update: int = 0
    date_delete: int = 0
    created_by: str = BOT_USER_ID
    updated_by: str = BOT_USER_ID
    deleted_by: str | None = None

    @property
    def enabled(self) -> bool:
        return self.date_delete == 0

    def to_api(self, include_users: bool, include_count: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "team_id": TEAM_ID,
            "is_usergroup": True,
            "name": self.name,
            "description": self.description,
            "handle": self.handle,
            "is_external": False,
            "date_create": self.date_create,
            "date_update": self.date_update or self.date_create,
            "date_delete": self.date_delete,
            "auto_type": None,
            "created_by": self.created_by,
            "updated_by": self.updated_by,
            "deleted_by": self.deleted_by,
            "prefs": {"channels": list(self.channels), "groups": list(self.groups)},
        }
        if include_users:
            out["users"] = list(self.users)
        if include_count:
            out["user_count"] = len(self.users)
        return out


@dataclass
class Response:
    """The app's HTTP answer to one request from "Slack"."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body.strip() else None

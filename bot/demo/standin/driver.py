"""``SlackDriver``: plays users against the bot's real HTTP endpoint, signed like Slack.

Requests go to ``app_url`` (e.g. ``http://127.0.0.1:3000/slack/events``) with
``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` (v0 HMAC-SHA256). Users' own messages
are first written into the ``FakeSlack`` workspace so the bot's history reads see them.
Bolt listeners may keep working after the ack: use ``fake.wait_for(...)`` for follow-ups.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.demo.standin.interactive import InteractiveMixin
from bot.demo.standin.models import APP_ID, BOT_USER_ID, TEAM_DOMAIN, Channel, Response
from bot.demo.standin.payloads import VERIFICATION_TOKEN, event_callback
from bot.demo.standin.server import FakeSlack

ACK_DEADLINE = 3.0


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{ts}:{body}``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class CommandResult(Response):
    """A slash command's ack plus the ids Slack issued with it."""

    trigger_id: str = ""
    response_url: str = ""
    channel_id: str = ""


class SlackDriver(InteractiveMixin):
    """Sends slash commands, events and interactions to the app as Slack would."""

    def __init__(
        self, fake: FakeSlack, app_url: str, signing_secret: str, *, timeout: float = 10.0
    ) -> None:
        self.fake = fake
        self.ws = fake.ws
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.timeout = timeout
        self.last_event: dict[str, Any] | None = None
        self.last_response: Response | None = None

    # ---- transport ---------------------------------------------------------------------------
    def send(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        sign_request: bool = True,
        timestamp: int | str | None = None,
    ) -> Response:
        """POST raw bytes to the app. Signed unless ``sign_request=False``; ``headers`` override
        the computed ones (to forge signatures or timestamps)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        final = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if sign_request:
            final["X-Slack-Request-Timestamp"] = ts
            final["X-Slack-Signature"] = sign(self.signing_secret, ts, body)
        final.update(headers or {})
        req = urllib.request.Request(self.app_url, data=body, headers=final, method="POST")
        start = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status, data, hdrs = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as exc:
            status, data, hdrs = exc.code, exc.read(), exc.headers
        elapsed = time.monotonic() - start
        result = Response(status, data, {k.lower(): v for k, v in hdrs.items()}, elapsed)
        self.last_response = result
        return result

    def _deliver(
        self, body: bytes, content_type: str, kind: str, headers: dict[str, str] | None = None
    ) -> Response:
        res = self.send(body, content_type, headers)
        if res.elapsed > ACK_DEADLINE:
            self.fake.violate(f"{kind}: ack took {res.elapsed:.2f}s (Slack times out after 3 s)")
        if not 200 <= res.status < 300:
            effect = "Slack would retry" if kind.startswith("event") else "the user sees an error"
            self.fake.violate(f"{kind}: app answered HTTP {res.status}; {effect}")
        return res

    def _form(self, fields: dict[str, Any] | list[tuple[str, str]], kind: str) -> Response:
        return self._deliver(urlencode(fields).encode(), "application/x-www-form-urlencoded", kind)

    def _payload(self, payload: dict[str, Any], kind: str) -> Response:
        return self._form({"payload": json.dumps(payload)}, kind)

    # ---- helpers ---------------------------------------------------------------------------
    def _user(self, user_id: str) -> Any:
        user = self.ws.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id!r}; add it with fake.add_user first")
        return user

    def _channel(self, ref: str) -> Channel:
        channel = self.ws.channel_by_ref(ref)
        if channel is None:
            raise ValueError(f"unknown channel {ref!r}")
        return channel

    # ---- slash commands --------------------------------------------------------------------
    def command(
        self, user: str, channel: str | None, command: str, text: str = ""
    ) -> CommandResult:
        """Run ``/command text`` as ``user`` in ``channel`` (None or the user id: the user's DM
        with the bot). A text/JSON ack body is shown to the user as Slack would."""
        u = self._user(user)
        ch = self.ws.dm_channel(user) if channel in (None, user) else self._channel(str(channel))
        trigger_id = self.fake.new_trigger_id(user)
        response_url = self.fake.response_url_for(user, ch.id)
        fields = [
            ("token", VERIFICATION_TOKEN),
            ("team_id", self.ws.team_id),
            ("team_domain", TEAM_DOMAIN),
            ("channel_id", ch.id),
            ("channel_name", "directmessage" if ch.is_im else ch.name),
            ("user_id", user),
            ("user_name", u.name),
            ("command", command),
            ("text", text),
            ("api_app_id", APP_ID),
            ("is_enterprise_install", "false"),
            ("response_url", response_url),
            ("trigger_id", trigger_id),
        ]
        slot = self.ws.reserve()
        res = self._form(fields, f"slash command {command}")
        if res.status == 200:
            self.fake.show_ack(user, ch.id, res.content_type, res.body, slot)
        return CommandResult(
            res.status,
            res.body,
            res.headers,
            res.elapsed,
            trigger_id=trigger_id,
            response_url=response_url,
            channel_id=ch.id,
        )

    # ---- events ----------------------------------------------------------------------------
    def send_event(self, event: dict[str, Any]) -> Response:
        """Wrap ``event`` in an event_callback envelope and deliver it."""
        envelope = event_callback(event, self.ws.team_id)
        self.last_event = envelope
        return self._deliver(
            json.dumps(envelope).encode(), "application/json", f"event {event.get('type')}"
        )

    def event(self, type: str, **fields: Any) -> Response:
        """Deliver any event (member_joined_channel, app_home_opened, user_change...) as given;
        the workspace is not changed (see join/open_home/change_tz for stateful helpers)."""
        event = {"type": type, **fields}
        event.setdefault("event_ts", self.ws.next_ts())
        return self.send_event(event)

    def retry(
        self, last_event: dict[str, Any] | None = None, n: int = 1, reason: str = "http_timeout"
    ) -> Response:
        """Resend an event_callback body unchanged with Slack's retry headers."""
        envelope = last_event or self.last_event
        if envelope is None:
            raise ValueError("no event to retry")
        headers = {"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": reason}
        return self._deliver(
            json.dumps(envelope).encode(), "application/json", f"event retry {n}", headers
        )

    def _message_event(
        self, channel: Channel, user: str, text: str, ts: str, blocks: Any, thread_ts: str | None
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "client_msg_id": str(uuid.uuid4()),
            "type": "message",
            "text": text,
            "user": user,
            "ts": ts,
            "team": self.ws.team_id,
            "blocks": blocks,
            "channel": channel.id,
            "event_ts": ts,
            "channel_type": channel.channel_type,
        }
        if thread_ts:
            parent = self.ws.message(channel.id, thread_ts)
            event["thread_ts"] = thread_ts
            event["parent_user_id"] = parent.user if parent else ""
        return event

    def dm(self, user: str, text: str) -> str:
        """``user`` writes ``text`` to the bot in their DM; returns the message ts."""
        self._user(user)
        channel = self.ws.dm_channel(user)
        msg = self.ws.user_post(user, channel, text)
        self.send_event(self._message_event(channel, user, text, msg.ts, msg.blocks, None))
        return msg.ts

    def post(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> str:
        """``user`` posts in a channel (or replies in a thread); the event is delivered only if
        the bot is a member, as Slack does. Returns the message ts."""
        self._user(user)
        ch = self.ws.dm_channel(user) if channel == user else self._channel(channel)
        if user not in ch.members:
            raise ValueError(f"{user} is not a member of {ch.label()}")
        if thread_ts and self.ws.message(ch.id, thread_ts) is None:
            raise ValueError(f"no message {thread_ts} in {ch.label()}")
        msg = self.ws.user_post(user, ch, text, thread_ts)
        if BOT_USER_ID in ch.members:
            self.send_event(self._message_event(ch, user, text, msg.ts, msg.blocks, thread_ts))
        return msg.ts

    def edit(self, user: str, channel: str, ts: str, new_text: str) -> Response | None:
        """``user`` edits their message; sends ``message_changed`` if the bot is a member."""
        ch = self.ws.dm_channel(user) if channel == user else self._channel(channel)
        msg = self.ws.message(ch.id, ts)
        if msg is None or msg.user != user:
            raise ValueError(f"{user} has no message {ts} in {ch.label()}")
        with self.ws.lock:
            previous = self.ws.message_api(msg)
            msg.text = new_text
            msg.blocks = self.ws.normalize_blocks(
                [
                    {
                        "type": "rich_text",
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [{"type": "text", "text": new_text}],
                            }
                        ],
                    }
                ]
            )
            msg.edited = {"user": user, "ts": self.ws.next_ts()}
            current = self.ws.message_api(msg)
        if BOT_USER_ID not in ch.members:
            return None
        event_ts = self.ws.next_ts()
        return self.send_event(
            {
                "type": "message",
                "subtype": "message_changed",
                "message": current,
                "previous_message": previous,
                "channel": ch.id,
                "hidden": True,
                "ts": event_ts,
                "event_ts": event_ts,
                "channel_type": ch.channel_type,
            }
        )

    def join(self, user: str, channel: str) -> Response:
        """``user`` joins ``channel``; sends ``member_joined_channel``."""
        ch = self._channel(channel)
        with self.ws.lock:
            if user not in ch.members:
                ch.members.append(user)
        return self.event(
            "member_joined_channel",
            user=user,
            channel=ch.id,
            channel_type="G" if ch.is_private else "C",
            team=self.ws.team_id,
        )

    def open_home(self, user: str) -> Response:
        """``user`` opens the bot's Home tab; sends ``app_home_opened``."""
        channel = self.ws.dm_channel(user)
        fields: dict[str, Any] = {"user": user, "channel": channel.id, "tab": "home"}
        home = self.fake.home(user)
        if home is not None:
            fields["view"] = home
        return self.event("app_home_opened", **fields)

    def change_tz(self, user: str, tz: str) -> Response:
        """Change ``user``'s time zone; sends ``user_change`` with the full user object."""
        updated = self.ws.set_user_tz(user, tz)
        return self.event("user_change", user=updated.to_api(), cache_ts=int(time.time()))

    def url_verification(self, challenge: str = "challenge-token") -> Response:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self._deliver(json.dumps(body).encode(), "application/json", "url_verification")

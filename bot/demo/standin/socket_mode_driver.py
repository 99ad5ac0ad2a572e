"""``SlackDriver`` over Socket Mode: the same user actions, delivered as envelopes."""

from __future__ import annotations

import json
from typing import Any

from bot.demo.standin.driver import SlackDriver
from bot.demo.standin.models import Response
from bot.demo.standin.server import FakeSlack
from bot.demo.standin.socket_envelopes import Ack, Envelope
from bot.demo.standin.socket_mode import SocketModeServer


class SocketModeDriver(SlackDriver):
    """``SlackDriver`` over Socket Mode: ``command``, ``dm``, ``post``, ``click``, ``submit``,
    ``retry``… push envelopes and wait for their acks instead of POSTing signed requests.

    The returned ``Response`` stands for the ack: status 200 with the ack's payload as a JSON
    body (or empty), or status 0 when no ack came within ``timeout``.
    """

    def __init__(self, fake: FakeSlack, server: SocketModeServer, *, timeout: float = 10.0) -> None:
        super().__init__(fake, app_url="", signing_secret="", timeout=timeout)
        self.server = server
        self.last_envelope: Envelope | None = None

    def send(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        sign_request: bool = True,
        timestamp: int | str | None = None,
    ) -> Response:
        raise NotImplementedError("a Socket Mode app has no HTTP endpoint; use push()")

    def push(
        self,
        type: str,
        payload: dict[str, Any],
        kind: str,
        *,
        accepts_response_payload: bool = False,
        **fields: Any,
    ) -> Response:
        """Push one envelope and wait for its ack."""
        envelope = self.server.push(
            type,
            payload,
            kind=kind,
            accepts_response_payload=accepts_response_payload,
            **fields,
        )
        self.last_envelope = envelope
        ack = self.server.wait_for_ack(envelope.envelope_id, self.timeout)
        if ack is None:
            result = Response(0, b"", {}, self.timeout)
        elif ack.payload is None:
            result = Response(200, b"", {}, ack.elapsed)
        else:
            body = json.dumps(ack.payload).encode()
            result = Response(200, body, {"content-type": "application/json"}, ack.elapsed)
        self.last_response = result
        return result

    def wait_for_ack(self, envelope_id: str, timeout: float | None = None) -> Ack | None:
        return self.server.wait_for_ack(envelope_id, self.timeout if timeout is None else timeout)

    # SlackDriver builds every payload and hands it to one of these three; only the envelope
    # differs from HTTP.
    def _deliver(
        self, body: bytes, content_type: str, kind: str, headers: dict[str, str] | None = None
    ) -> Response:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("type") != "event_callback":
            raise ValueError(f"{kind}: Socket Mode carries no {data.get('type')!r} requests")
        retry = {k.lower(): v for k, v in (headers or {}).items()}
        return self.push(
            "events_api",
            data,
            kind,
            retry_attempt=int(retry.get("x-slack-retry-num", 0)),
            retry_reason=retry.get("x-slack-retry-reason", ""),
        )

    def _form(self, fields: dict[str, Any] | list[tuple[str, str]], kind: str) -> Response:
        # Only slash commands travel as form fields; over the socket they are a JSON object.
        return self.push("slash_commands", dict(fields), kind, accepts_response_payload=True)

    def _payload(self, payload: dict[str, Any], kind: str) -> Response:
        # Only these may be answered in the ack (response_action, options); Slack drops any
        # other ack payload.
        accepts = payload.get("type") in ("view_submission", "block_suggestion")
        return self.push("interactive", payload, kind, accepts_response_payload=accepts)

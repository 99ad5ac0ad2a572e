"""The envelopes the Socket Mode stand-in pushes and the acks it checks, Slack's way."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.demo.standin.server import FakeSlack
from bot.demo.standin.websocket import Connection


@dataclass
class Ack:
    """What the app sent back for one envelope."""

    envelope_id: str
    payload: dict[str, Any] | None
    elapsed: float
    connection: int


@dataclass
class Envelope:
    """One envelope pushed to the app, and its ack once it came."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    kind: str
    connection: int
    sent_at: float
    body: dict[str, Any]
    ack: Ack | None = None
    overdue: bool = False


class EnvelopeLedger:
    """Pushes envelopes to the app's connection and records each ack against its envelope."""

    fake: FakeSlack
    ack_deadline: float
    envelopes: dict[str, Envelope]
    acks: list[Ack]
    _cond: threading.Condition
    _stopping: threading.Event
    _timers: list[threading.Timer]
    _violate: Callable[[str], None]
    wait_connected: Callable[..., Connection]

    # ---- envelopes and acks ----------------------------------------------------------------
    def push(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        kind: str | None = None,
        accepts_response_payload: bool = False,
        connect_timeout: float = 10.0,
        **fields: Any,
    ) -> Envelope:
        """Send an envelope to the app (e.g. ``retry_attempt``/``retry_reason`` in ``fields``
        for events_api). Waits for a usable connection, as Slack queues while an app
        reconnects."""
        conn = self.wait_connected(timeout=connect_timeout)
        envelope_id = str(uuid.uuid4())
        body: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
            **fields,
        }
        envelope = Envelope(
            envelope_id,
            type,
            payload,
            accepts_response_payload,
            kind or type,
            conn.number,
            time.monotonic(),
            body,
        )
        timer = threading.Timer(self.ack_deadline, self._check_overdue, (envelope_id,))
        timer.daemon = True
        with self._cond:
            # Registered before sending: the ack may come back before send() returns.
            self.envelopes[envelope_id] = envelope
            self._timers.append(timer)
        timer.start()
        conn.send_json(body)
        return envelope

    def _check_overdue(self, envelope_id: str) -> None:
        with self._cond:
            envelope = self.envelopes[envelope_id]
            if envelope.ack is not None or self._stopping.is_set():
                return
            envelope.overdue = True
        self._violate(
            f"{envelope.kind}: no ack within {self.ack_deadline:g} s "
            f"(envelope {envelope_id}); Slack shows the user an error or retries"
        )

    def _on_text(self, conn: Connection, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            self._violate(f"connection {conn.number}: message is not JSON: {text[:200]!r}")
            return
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            self._violate(f"connection {conn.number}: not an ack: {text[:200]!r}")
            return
        self._record_ack(conn, message)

    def _record_ack(self, conn: Connection, message: dict[str, Any]) -> None:
        now = time.monotonic()
        envelope_id = message["envelope_id"]
        problems: list[str] = []
        with self._cond:
            envelope = self.envelopes.get(envelope_id)
            if envelope is None:
                problems.append(f"ack for unknown envelope_id {envelope_id!r}")
            elif envelope.ack is not None:
                problems.append(f"{envelope.kind}: acked twice (envelope {envelope_id})")
            else:
                extra = sorted(set(message) - {"envelope_id", "payload"})
                if extra:
                    problems.append(f"{envelope.kind}: ack has keys Slack does not know: {extra}")
                payload = message.get("payload")
                if payload is not None and not isinstance(payload, dict):
                    problems.append(f"{envelope.kind}: ack payload is not a JSON object")
                    payload = None
                if payload and not envelope.accepts_response_payload:
                    problems.append(
                        f"{envelope.kind}: ack carries a payload but the envelope has "
                        "accepts_response_payload false; Slack drops it"
                    )
                elapsed = now - envelope.sent_at
                if elapsed > self.ack_deadline and not envelope.overdue:
                    problems.append(
                        f"{envelope.kind}: ack took {elapsed:.2f}s (Slack times out after "
                        f"{self.ack_deadline:g} s)"
                    )
                envelope.ack = Ack(envelope_id, payload, elapsed, conn.number)
                self.acks.append(envelope.ack)
                self._cond.notify_all()
        for problem in problems:
            self._violate(problem)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack | None:
        """The ack of ``envelope_id``, or None when none came within ``timeout``."""
        with self._cond:
            if envelope_id not in self.envelopes:
                raise KeyError(f"no envelope {envelope_id!r} was pushed")
            self._cond.wait_for(lambda: self.envelopes[envelope_id].ack is not None, timeout)
            return self.envelopes[envelope_id].ack

    def unacked(self) -> list[Envelope]:
        with self._cond:
            return [e for e in self.envelopes.values() if e.ack is None]

"""Slack's Socket Mode side of the stand-in: ``apps.connections.open``, the WebSocket, envelopes.

``SocketModeServer(fake).start()`` makes ``fake`` answer ``apps.connections.open`` (app-level
token only) with a ``ws://127.0.0.1:PORT/socket?ticket=…`` URL and serves that URL with a small
RFC 6455 server on a plain socket. Each connection is greeted with ``hello``; ``push()`` sends an
envelope (``slash_commands``, ``events_api``, ``interactive``) with a unique ``envelope_id`` and
the app's acks are recorded and checked the way Slack treats them: within 3 s, for a known
envelope, once, a ``payload`` only where the envelope accepts one. Violations land in
``fake.violations``. ``disconnect()`` sends Slack's ``disconnect`` message, after which Slack
routes nothing more to that connection and the app is expected to open a new one.

``SocketModeDriver`` is ``SlackDriver`` with the transport swapped: the same user actions and
payload builders, delivered as envelopes, with the ack's payload standing in for the HTTP body
(so a slash command's ack payload is shown to the user as its ephemeral, as Slack does).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.standin.api_common import err, ok
from bot.standin.driver import Response, SlackDriver
from bot.standin.models import APP_ID
from bot.standin.server import FakeSlack

APP_TOKEN = "xapp-test-token"
ACK_DEADLINE = 3.0
SOCKET_PATH = "/socket"

_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
# Far above anything Slack sends or an ack needs; only guards against a garbled length field.
_MAX_MESSAGE = 16 * 1024 * 1024
_MAX_HANDSHAKE = 16 * 1024
_HOST_INFO = {"host": "applink-standin", "build_number": 1, "approximate_connection_time": 18060}


class WebSocketClosed(Exception):
    """The peer went away (EOF or a socket error)."""


class ProtocolError(Exception):
    """The app broke RFC 6455; the connection is failed with the given close code."""

    def __init__(self, message: str, code: int = 1002) -> None:
        super().__init__(message)
        self.code = code


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key`` (RFC 6455 §4.2.2)."""
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + _WS_GUID).digest()).decode()


def encode_frame(opcode: int, data: bytes) -> bytes:
    """One final frame, unmasked: servers must never mask (RFC 6455 §5.1)."""
    head = bytes([0x80 | opcode])
    n = len(data)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += struct.pack("!BH", 126, n)
    else:
        head += struct.pack("!BQ", 127, n)
    return head + data


def _unmask(data: bytes, key: bytes) -> bytes:
    if not data:
        return data
    # One big-int XOR instead of a Python loop: a 120 KB payload would otherwise take ~10 ms.
    mask = (key * (len(data) // 4 + 1))[: len(data)]
    value = int.from_bytes(data, "big") ^ int.from_bytes(mask, "big")
    return value.to_bytes(len(data), "big")


class _Reader:
    """Buffered reads: the handshake and the first frames may arrive in one segment."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def _fill(self) -> None:
        try:
            chunk = self.sock.recv(65536)
        except OSError as error:
            raise WebSocketClosed(str(error)) from None
        if not chunk:
            raise WebSocketClosed("EOF")
        self.buf += chunk

    def until(self, marker: bytes, limit: int) -> bytes:
        while (end := self.buf.find(marker)) < 0:
            if len(self.buf) > limit:
                raise ProtocolError("handshake too long")
            self._fill()
        end += len(marker)
        out = bytes(self.buf[:end])
        del self.buf[:end]
        return out

    def exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out


def read_frame(reader: _Reader) -> tuple[bool, int, bytes]:
    """(fin, opcode, unmasked payload) of the next frame from a client."""
    b1, b2 = reader.exact(2)
    if b1 & 0x70:
        raise ProtocolError("RSV bits set without a negotiated extension")
    fin, opcode = bool(b1 & 0x80), b1 & 0x0F
    masked, length = bool(b2 & 0x80), b2 & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", reader.exact(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", reader.exact(8))
    if opcode >= OP_CLOSE and (length > 125 or not fin):
        raise ProtocolError("control frames must be final and at most 125 bytes")
    if length > _MAX_MESSAGE:
        raise ProtocolError(f"frame of {length} bytes", code=1009)
    if not masked:
        raise ProtocolError("client frames must be masked (RFC 6455 §5.1)")
    key = reader.exact(4)
    return fin, opcode, _unmask(reader.exact(length), key)


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


@dataclass
class Connection:
    """One app WebSocket. ``retiring`` once Slack told it ``disconnect``: nothing more is
    routed to it."""

    number: int
    sock: socket.socket
    query: dict[str, str]
    opened_at: float
    open: bool = True
    retiring: bool = False
    pings: int = 0
    close_code: int | None = None
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    _close_sent: bool = False

    def send(self, opcode: int, data: bytes) -> None:
        with self.send_lock:
            if not self.open:
                raise WebSocketClosed(f"connection {self.number} is closed")
            try:
                self.sock.sendall(encode_frame(opcode, data))
            except OSError as error:
                raise WebSocketClosed(str(error)) from None

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(OP_TEXT, json.dumps(message).encode("utf-8"))

    def send_close(self, code: int = 1000, reason: str = "") -> None:
        with self.send_lock:
            if self._close_sent or not self.open:
                return
            self._close_sent = True
            # A close frame's reason must fit the 125-byte control frame with its code.
            text = reason.encode("utf-8")[:123].decode("utf-8", "ignore").encode("utf-8")
            with contextlib.suppress(OSError):
                self.sock.sendall(encode_frame(OP_CLOSE, struct.pack("!H", code) + text))

    def drop(self) -> None:
        self.open = False
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class SocketModeServer:
    """Slack's Socket Mode endpoint for one app, attached to a ``FakeSlack``."""

    def __init__(
        self,
        fake: FakeSlack,
        *,
        app_token: str = APP_TOKEN,
        ack_deadline: float = ACK_DEADLINE,
        host: str = "127.0.0.1",
    ) -> None:
        self.fake = fake
        self.app_token = app_token
        self.ack_deadline = ack_deadline
        self.host = host
        self.envelopes: dict[str, Envelope] = {}
        self.acks: list[Ack] = []
        self.connections: list[Connection] = []
        self.tickets: dict[str, int] = {}
        self._cond = threading.Condition()
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._timers: list[threading.Timer] = []

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> SocketModeServer:
        if self._listener is not None:
            return self
        self._stopping.clear()
        listener = socket.create_server((self.host, 0))
        # accept() is not woken by close() from another thread on every platform; poll instead.
        listener.settimeout(0.1)
        self._listener = listener
        self._spawn(self._accept_loop, "socket-mode-accept")
        self.fake.connections_open = self.connections_open
        return self

    def stop(self) -> None:
        if self._listener is None:
            return
        self._stopping.set()
        if self.fake.connections_open == self.connections_open:
            self.fake.connections_open = None
        with self._cond:
            timers, self._timers = self._timers, []
            connections = list(self.connections)
        for timer in timers:
            timer.cancel()
        for conn in connections:
            if conn.open:
                conn.send_close(1001, "stand-in stopping")
                conn.drop()
        for thread in self._threads:
            thread.join(timeout=2)
        self._listener.close()
        self._listener = None
        self._threads.clear()

    def __enter__(self) -> SocketModeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("SocketModeServer is not started")
        return int(self._listener.getsockname()[1])

    def _spawn(self, target: Any, name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _violate(self, message: str) -> None:
        self.fake.violate(f"socket mode: {message}")

    # ---- apps.connections.open -------------------------------------------------------------
    def connections_open(self, token: str | None) -> dict[str, Any]:
        """The Web API answer; errors as listed in methods/apps.connections.open.json, which
        names ``invalid_auth`` for any token that is not a valid app-level token."""
        if not token:
            return err("missing_args")
        if token != self.app_token:
            return err("invalid_auth")
        ticket = uuid.uuid4().hex
        with self._cond:
            self.tickets[ticket] = 0
        return ok(url=f"ws://{self.host}:{self.port}{SOCKET_PATH}?ticket={ticket}&app_id={APP_ID}")

    # ---- connections -----------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve, "socket-mode-conn", sock)

    def _reject(self, sock: socket.socket, status: str, why: str) -> None:
        self._violate(f"WebSocket handshake refused ({status}): {why}")
        body = why.encode()
        head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        try:
            sock.sendall(head.encode() + body)
        finally:
            sock.close()

    def _handshake(self, sock: socket.socket, reader: _Reader) -> Connection | None:
        try:
            raw = reader.until(b"\r\n\r\n", _MAX_HANDSHAKE).decode("latin-1")
        except (WebSocketClosed, ProtocolError):
            sock.close()
            return None
        request_line, *header_lines = raw.split("\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        parts = request_line.split(" ")
        if len(parts) != 3 or parts[0] != "GET" or parts[2] != "HTTP/1.1":
            self._reject(sock, "400 Bad Request", f"not a GET over HTTP/1.1: {request_line!r}")
            return None
        target = urlsplit(parts[1])
        query = {k: v[-1] for k, v in parse_qs(target.query).items()}
        ticket = query.get("ticket", "")
        if target.path != SOCKET_PATH or ticket not in self.tickets:
            # Only URLs issued by apps.connections.open are served, as on Slack.
            self._reject(sock, "401 Unauthorized", f"unknown URL {parts[1]!r}")
            return None
        problems = []
        if headers.get("upgrade", "").lower() != "websocket":
            problems.append("Upgrade: websocket missing")
        if "upgrade" not in headers.get("connection", "").lower():
            problems.append("Connection: Upgrade missing")
        if headers.get("sec-websocket-version") != "13":
            problems.append("Sec-WebSocket-Version is not 13")
        key = headers.get("sec-websocket-key", "")
        try:
            if len(base64.b64decode(key, validate=True)) != 16:
                problems.append("Sec-WebSocket-Key missing or not 16 bytes in base64")
        except ValueError:
            problems.append("Sec-WebSocket-Key is not base64")
        if not headers.get("host"):
            problems.append("Host missing")
        if problems:
            self._reject(sock, "400 Bad Request", "; ".join(problems))
            return None
        sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n"
            ).encode()
        )
        with self._cond:
            self.tickets[ticket] += 1
            conn = Connection(len(self.connections) + 1, sock, query, time.monotonic())
            self.connections.append(conn)
        return conn

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        reader = _Reader(sock)
        try:
            conn = self._handshake(sock, reader)
        except OSError:
            sock.close()
            return
        if conn is None:
            return
        sock.settimeout(None)
        try:
            conn.send_json(
                {
                    "type": "hello",
                    "num_connections": self.live_connections(),
                    "debug_info": _HOST_INFO,
                    "connection_info": {"app_id": APP_ID},
                }
            )
            with self._cond:
                self._cond.notify_all()
            self._read_loop(conn, reader)
        except ProtocolError as error:
            self._violate(f"connection {conn.number}: {error}")
            conn.send_close(error.code, str(error))
        except WebSocketClosed:
            pass
        finally:
            conn.drop()
            with self._cond:
                self._cond.notify_all()

    def _read_loop(self, conn: Connection, reader: _Reader) -> None:
        parts: list[bytes] = []
        message_opcode = 0
        while True:
            fin, opcode, data = read_frame(reader)
            if opcode == OP_PING:
                conn.pings += 1
                # slack_sdk matches the echoed "session:time" payload to its ping, and
                # reconnects when no pong came for four ping intervals.
                conn.send(OP_PONG, data)
            elif opcode == OP_PONG:
                continue
            elif opcode == OP_CLOSE:
                conn.close_code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                conn.send_close(1000 if conn.close_code == 1005 else conn.close_code)
                return
            elif opcode in (OP_TEXT, OP_BINARY) and not parts:
                message_opcode = opcode
                parts.append(data)
            elif opcode == OP_CONTINUATION and parts:
                parts.append(data)
            else:
                raise ProtocolError(f"unexpected frame opcode {opcode:#x}")
            if opcode in (OP_TEXT, OP_BINARY, OP_CONTINUATION) and fin:
                message, parts = b"".join(parts), []
                if message_opcode == OP_BINARY:
                    self._violate(f"connection {conn.number}: binary message; Slack expects JSON")
                    continue
                try:
                    text = message.decode("utf-8")
                except UnicodeDecodeError:
                    raise ProtocolError("text message is not UTF-8", code=1007) from None
                self._on_text(conn, text)

    def live_connections(self) -> int:
        with self._cond:
            return sum(1 for c in self.connections if c.open)

    def current(self) -> Connection | None:
        """The connection envelopes go to: the newest open one not told to disconnect."""
        with self._cond:
            usable = [c for c in self.connections if c.open and not c.retiring]
            return usable[-1] if usable else None

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> Connection:
        """Wait until the app has opened ``count`` connections in all and one is usable."""

        def ready() -> Connection | None:
            return self.current() if len(self.connections) >= count else None

        with self._cond:
            if not self._cond.wait_for(ready, timeout):
                raise TimeoutError(
                    f"the app opened {len(self.connections)} Socket Mode connection(s), "
                    f"expected {count} within {timeout}s; violations: {self.fake.violations}"
                )
            conn = ready()
            assert conn is not None
            return conn

    def wait_closed(self, conn: Connection, timeout: float = 10.0) -> None:
        """Wait until ``conn`` is gone (the app closed it, e.g. after reconnecting)."""
        with self._cond:
            if not self._cond.wait_for(lambda: not conn.open, timeout):
                raise TimeoutError(f"connection {conn.number} still open after {timeout}s")

    def disconnect(self, reason: str = "refresh_requested") -> Connection:
        """Send Slack's ``disconnect`` message on the current connection and route nothing more
        to it; the app should open a new connection (via apps.connections.open)."""
        conn = self.current()
        if conn is None:
            raise RuntimeError("no open Socket Mode connection")
        with self._cond:
            conn.retiring = True
        conn.send_json(
            {
                "type": "disconnect",
                "reason": reason,
                "num_connections": self.live_connections(),
                "debug_info": {"host": _HOST_INFO["host"]},
                "connection_info": {"app_id": APP_ID},
            }
        )
        return conn

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

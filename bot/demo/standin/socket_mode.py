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
import socket
import struct
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.demo.standin.api_common import err, ok
from bot.demo.standin.models import APP_ID
from bot.demo.standin.server import FakeSlack
from bot.demo.standin.socket_envelopes import Ack, Envelope, EnvelopeLedger
from bot.demo.standin.websocket import (
    MAX_HANDSHAKE,
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Connection,
    ProtocolError,
    Reader,
    WebSocketClosed,
    accept_key,
    read_frame,
)

APP_TOKEN = "xapp-test-token"
ACK_DEADLINE = 3.0
SOCKET_PATH = "/socket"

_HOST_INFO = {"host": "applink-standin", "build_number": 1, "approximate_connection_time": 18060}


class SocketModeServer(EnvelopeLedger):
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

    def _handshake(self, sock: socket.socket, reader: Reader) -> Connection | None:
        try:
            raw = reader.until(b"\r\n\r\n", MAX_HANDSHAKE).decode("latin-1")
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
        reader = Reader(sock)
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

    def _read_loop(self, conn: Connection, reader: Reader) -> None:
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

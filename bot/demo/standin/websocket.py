"""A small RFC 6455 WebSocket server side over a plain socket: handshake, frames, one connection.

Stdlib only; enough for the stand-in's Socket Mode (text frames, masking, ping/pong, close).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Any

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
# Far above anything Slack sends or an ack needs; only guards against a garbled length field.
MAX_MESSAGE = 16 * 1024 * 1024
MAX_HANDSHAKE = 16 * 1024


class WebSocketClosed(Exception):
    """The peer went away (EOF or a socket error)."""


class ProtocolError(Exception):
    """The app broke RFC 6455; the connection is failed with the given close code."""

    def __init__(self, message: str, code: int = 1002) -> None:
        super().__init__(message)
        self.code = code


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key`` (RFC 6455 §4.2.2)."""
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + WS_GUID).digest()).decode()


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


def unmask(data: bytes, key: bytes) -> bytes:
    if not data:
        return data
    # One big-int XOR instead of a Python loop: a 120 KB payload would otherwise take ~10 ms.
    mask = (key * (len(data) // 4 + 1))[: len(data)]
    value = int.from_bytes(data, "big") ^ int.from_bytes(mask, "big")
    return value.to_bytes(len(data), "big")


class Reader:
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


def read_frame(reader: Reader) -> tuple[bool, int, bytes]:
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
    if length > MAX_MESSAGE:
        raise ProtocolError(f"frame of {length} bytes", code=1009)
    if not masked:
        raise ProtocolError("client frames must be masked (RFC 6455 §5.1)")
    key = reader.exact(4)
    return fin, opcode, unmask(reader.exact(length), key)


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

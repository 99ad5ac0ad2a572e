"""The stand-in's HTTP transport: requests parsed as Slack parses them and routed to
``FakeSlack`` (bot/demo/standin/server.py), which answers them."""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from bot.demo.standin.api_oauth import basic_credentials


class Answers(Protocol):
    """What answers the requests (FakeSlack): the Web API, response_urls, file uploads."""

    def handle_api(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        is_json: bool,
        parse_error: str = "",
        charset: bool = True,
    ) -> tuple[int, dict[str, Any], dict[str, str]]: ...

    def handle_response_url(self, token: str, raw: bytes) -> tuple[int, str]: ...

    def handle_upload(self, file_id: str, data: bytes) -> tuple[int, str]: ...


def parse_body(content_type: str, body: bytes, query: str) -> tuple[dict[str, Any], bool, str]:
    """(args, body_was_json, error) from a request's query string and body."""
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    ctype = content_type.split(";")[0].strip().lower()
    if not body:
        return args, False, ""
    if ctype == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return args, True, "invalid_json"
        if not isinstance(data, dict):
            return args, True, "invalid_json"
        args.update(data)
        return args, True, ""
    if ctype == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        msg = BytesParser(policy=HTTP).parsebytes(head + body)
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if name:
                args[str(name)] = payload if part.get_filename() else payload.decode("utf-8")
        return args, False, ""
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return args, False, "invalid_form_data"
    args.update({k: v[-1] for k, v in form.items()})
    return args, False, ""


class RequestHandler(BaseHTTPRequestHandler):
    """One HTTP request to the stand-in, routed to its FakeSlack (the server's `fake`)."""

    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        return

    @property
    def fake(self) -> Answers:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _read(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self) -> None:
        self._route(b"")

    def do_POST(self) -> None:
        self._route(self._read())

    def _route(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith("/api/"):
            self._api(path[len("/api/") :], body, parts.query)
        elif path.startswith("/response/") and self.command == "POST":
            status, text = self.fake.handle_response_url(path[len("/response/") :], body)
            self._send(status, text.encode(), "text/plain; charset=utf-8", {})
        elif path.startswith("/upload/v1/") and self.command == "POST":
            status, text = self.fake.handle_upload(path[len("/upload/v1/") :], body)
            self._send(status, text.encode(), "text/plain; charset=utf-8", {})
        else:
            self._send(404, b"not found", "text/plain", {})

    def _api(self, method: str, body: bytes, query: str) -> None:
        ctype = self.headers.get("Content-Type", "")
        args, is_json, parse_error = parse_body(ctype, body, query)
        auth = self.headers.get("Authorization", "")
        token: str | None = None
        if auth.lower().startswith("basic "):  # oauth.v2.access's client id and secret
            args.update(basic_credentials(auth))
        elif auth.lower().startswith("bearer "):
            token = auth[7:].strip()
            args.pop("token", None)
        else:
            raw = args.pop("token", None)
            token = raw if isinstance(raw, str) else None
        status, resp, headers = self.fake.handle_api(
            method, args, token, is_json, parse_error, charset="charset" in ctype.lower()
        )
        payload = json.dumps(resp).encode()
        self._send(status, payload, "application/json; charset=utf-8", headers)

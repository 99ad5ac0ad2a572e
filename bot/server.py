"""HTTP front door: Slack's requests at POST /slack/events, GET /healthz, the on-call feeds,
and with OAuth GET /slack/install and /slack/oauth_redirect."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import wasyncore
from waitress.server import create_server

from bot import metrics
from bot.ack_first import AckFirst, Stopping

log = logging.getLogger(__name__)

Environ = dict[str, Any]
_FEED = re.compile(r"/oncall/[^/]+\.ics")
StartResponse = Callable[..., Any]


def _plain(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _calendar(start_response: StartResponse, body: bytes) -> list[bytes]:
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "max-age=300"),
        ],
    )
    return [body]


def make_wsgi_app(
    app: App | None,
    database_ok: Callable[[], bool],
    gate: AckFirst | None = None,
    *,
    calendar: Callable[[str], bytes | None] | None = None,
    last_slack_contact: Callable[[], datetime | None] = lambda: None,
) -> Callable[..., Iterable[bytes]]:
    """The bot's HTTP endpoints; without `app` (Socket Mode) there is no /slack/events.

    /healthz is 200 while the database answers, 503 when it does not; it also tells when
    Slack last answered a call (null before the first), for an operator to read.
    """
    slack = SlackRequestHandler(app) if app is not None else None
    # Installs into many workspaces: Bolt's "Add to Slack" page and OAuth redirect.
    flow = getattr(app, "oauth_flow", None)
    oauth_paths = (flow.install_path, flow.redirect_uri_path) if flow is not None else ()
    gate = gate or AckFirst()

    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method == "GET":
            healthy = database_ok()
            contact = last_slack_contact()
            report = {
                "ok": healthy,
                "database": "ok" if healthy else "unreachable",
                "slack_last_contact": contact.isoformat() if contact else None,
            }
            status = "200 OK" if healthy else "503 Service Unavailable"
            return _plain(start_response, status, report)
        if calendar is not None and method == "GET" and _FEED.fullmatch(path):
            body = calendar(path.removeprefix("/oncall/").removesuffix(".ics"))
            if body is not None:
                return _calendar(start_response, body)
            return _plain(start_response, "404 Not Found", {"error": "not found"})
        if path == "/metrics" and method == "GET":
            body, content_type = metrics.exposition()
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            )
            return [body]
        if slack is not None and path == "/slack/events" and method == "POST":
            try:
                with gate.answering(), metrics.ACK_SECONDS.time():
                    return slack(environ, start_response)
            except Stopping:
                # Not taken, so Slack sends it again (to this bot once it is back).
                return _plain(start_response, "503 Service Unavailable", {"error": "stopping"})
            except Exception:
                # A body Bolt cannot even parse: say so, never show a trace.
                log.warning("malformed request rejected", exc_info=True)
                return _plain(start_response, "400 Bad Request", {"error": "malformed request"})
        if slack is not None and method == "GET" and path in oauth_paths:
            return slack(environ, start_response)
        return _plain(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


class HttpServer:
    """waitress (a production WSGI server) on a port, in this thread or a background one."""

    def __init__(self, wsgi: Callable[..., Iterable[bytes]], host: str, port: int) -> None:
        self._server = create_server(wsgi, host=host, port=port, threads=16, ident="ceremony-bot")
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

    def serve_forever(self) -> None:
        self._server.run()

    def start_in_background(self) -> None:
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="http")
        self._thread.start()

    def stop_accepting(self) -> None:
        """Closes the listening socket only: requests already received are still answered."""
        listener = self._server

        def close_listener() -> None:
            wasyncore.dispatcher.close(listener)  # type: ignore[arg-type]

        with contextlib.suppress(OSError):  # the loop has already ended
            listener.trigger.pull_trigger(close_listener)  # type: ignore[union-attr]

    def stop(self) -> None:
        if self._thread is None:
            self._server.close()
            return
        # Closing from another thread races the event loop's select(); let the loop do it.
        try:
            self._server.trigger.pull_trigger(self._server.close)  # type: ignore[union-attr]
        except OSError:  # the loop has already ended and closed its trigger
            self._server.close()
        self._thread.join(timeout=5)
        # waitress stops its worker threads only on SystemExit; ours must not linger.
        self._server.task_dispatcher.shutdown()  # type: ignore[union-attr]

"""Fixtures for the Slack stand-in tests: a started FakeSlack, a WebClient on it, and a tiny
real Bolt app served over HTTP for the driver tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.demo.standin import BOT_TOKEN, FakeSlack, SlackDriver

SIGNING_SECRET = "test-signing-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        slack.add_user("U1", "alice", "Europe/Berlin", real_name="Alice A")
        slack.add_user("U2", "bob", "America/New_York")
        slack.add_user("U3", "carol")
        slack.add_channel("C1", "standup", ["U1", "U2"])
        slack.add_channel("C2", "random", ["U1", "U2", "U3"], bot_member=False)
        slack.add_channel("G1", "secret", ["U1"], is_private=True, bot_member=False)
        yield slack


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake.api_url, timeout=5)


@dataclass
class BoltServer:
    app: App
    url: str
    seen_headers: list[dict[str, Any]] = field(default_factory=list)


FORM_VIEW = {
    "type": "modal",
    "callback_id": "form",
    "notify_on_close": True,
    "title": {"type": "plain_text", "text": "Your name"},
    "submit": {"type": "plain_text", "text": "Save"},
    "close": {"type": "plain_text", "text": "Cancel"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "mood",
            "optional": True,
            "label": {"type": "plain_text", "text": "Mood"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": [
                    {"text": {"type": "plain_text", "text": "Good"}, "value": "good"},
                    {"text": {"type": "plain_text", "text": "Meh"}, "value": "meh"},
                ],
            },
        },
    ],
}


def _build_app(fake: FakeSlack, seen: list[dict[str, Any]]) -> App:
    web = WebClient(token=BOT_TOKEN, base_url=fake.api_url, timeout=5)
    app = App(client=web, signing_secret=SIGNING_SECRET)

    @app.middleware
    def record(req: BoltRequest, next: Any) -> Any:
        seen.append(dict(req.headers))
        return next()

    @app.command("/echo")
    def echo(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack(f"echo: {command['text']}")
        respond(
            text="follow-up",
            blocks=[
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "Again?"},
                    "accessory": {
                        "type": "button",
                        "action_id": "again",
                        "value": "1",
                        "text": {"type": "plain_text", "text": "Again"},
                    },
                }
            ],
        )

    @app.command("/announce")
    def announce(ack: Any, command: dict[str, Any]) -> None:
        ack(response_type="in_channel", text=f"announcing {command['text']}")

    @app.command("/form")
    def form(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=FORM_VIEW)

    @app.action("again")
    def again(ack: Any, respond: Any) -> None:
        ack()
        respond(replace_original=True, text="replaced")

    @app.action("choose")
    def choose(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        picked = body["actions"][0]["selected_option"]["value"]
        client.chat_update(
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            text=f"picked {picked}",
            blocks=[],
        )

    @app.view("form")
    def submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        name = view["state"]["values"]["name"]["value"]["value"]
        if name == "bad":
            ack(response_action="errors", errors={"name": "Bad name"})
            return
        ack()
        client.chat_postMessage(channel=body["user"]["id"], text=f"Thanks {name}")

    @app.view_closed("form")
    def closed(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel=body["user"]["id"], text="closed")

    @app.event("message")
    def on_message(event: dict[str, Any], say: Any) -> None:
        if event.get("subtype") == "message_changed":
            say(f"edited: {event['message']['text']}")
        elif event.get("thread_ts"):
            say(text=f"in thread: {event['text']}", thread_ts=event["thread_ts"])
        else:
            say(f"you said: {event['text']}")

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome home"}}],
            },
        )

    return app


def _serve(app: App) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            resp = app.dispatch(BoltRequest(body=body, headers=dict(self.headers.items())))
            payload = resp.body.encode("utf-8")
            self.send_response(resp.status)
            for key, values in resp.headers.items():
                for value in values:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server


@pytest.fixture
def bolt(fake: FakeSlack) -> Iterator[BoltServer]:
    seen: list[dict[str, Any]] = []
    app = _build_app(fake, seen)
    server = _serve(app)
    yield BoltServer(app, f"http://127.0.0.1:{server.server_address[1]}/slack/events", seen)
    server.shutdown()
    server.server_close()


@pytest.fixture
def driver(fake: FakeSlack, bolt: BoltServer) -> SlackDriver:
    return SlackDriver(fake, bolt.url, SIGNING_SECRET)

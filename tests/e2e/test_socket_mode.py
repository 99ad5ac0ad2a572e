"""Socket Mode end to end: `python app.py serve` with SLACK_APP_TOKEN against the stand-in.

The bot opens the WebSocket itself (apps.connections.open with the app-level token, then
slack_sdk's built-in client), and everything users do reaches it as envelopes it must ack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.demo.standin.models import BOT_TOKEN
from bot.demo.standin.processes import free_port
from bot.demo.standin.server import FakeSlack
from bot.demo.standin.socket_envelopes import Envelope
from bot.demo.standin.socket_mode import APP_TOKEN, SocketModeServer
from bot.demo.standin.socket_mode_driver import SocketModeDriver

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
# The test sets every setting the child reads, so none may leak in from the caller's shell.
# Socket Mode still listens on PORT for /healthz and the on-call feeds.
_PORT = free_port()
_DROPPED_ENV = ("SLACK_", "DATABASE_URL", "SCHEDULER_ENABLED", "LOG_LEVEL", "PORT")
# slack_sdk's Socket Mode client would tunnel the WebSocket to 127.0.0.1 through these.
_PROXIES = {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("UANNA", "anna", "Europe/Berlin")
        fake.add_user("UBEN", "ben", "America/New_York")
        fake.add_user("UCARL", "carl", "Europe/Berlin")
        fake.add_channel("CTEAM", "team", ["UANNA", "UBEN", "UCARL"])
        yield fake


@pytest.fixture
def socket_mode(slack: FakeSlack) -> Iterator[SocketModeServer]:
    with SocketModeServer(slack) as server:
        yield server


def bot_env(slack: FakeSlack, tmp_path: Path) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_ENV) and k not in _PROXIES
    }
    return {
        **clean,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "SCHEDULER_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        "PORT": str(_PORT),
    }


@pytest.fixture
def serve(slack: FakeSlack, socket_mode: SocketModeServer, tmp_path: Path) -> Iterator[Path]:
    """`python app.py serve` in Socket Mode; yields its log file. Never outlives the test."""
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "serve"],
            env=bot_env(slack, tmp_path),
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        socket_mode.wait_connected(timeout=15)
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        assert process.poll() is not None


def next_weekday_ten(zone: ZoneInfo, after: datetime) -> datetime:
    """The first Monday–Friday 10:00 in ``zone`` strictly after ``after``."""
    day = after.astimezone(zone).date()
    while True:
        candidate = datetime.combine(day, time(10), tzinfo=zone)
        if candidate > after and candidate.weekday() < 5:
            return candidate
        day += timedelta(days=1)


def bot_dms(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [m for m in slack.dm_messages(user) if m.get("bot_id")]


def published_answers(slack: FakeSlack, containing: str) -> str:
    """The day thread's reply (in the team channel) that holds ``containing``, or ""."""
    for message in slack.messages("CTEAM", include_replies=True):
        if message.get("thread_ts") not in (None, message["ts"]) and containing in str(message):
            return str(message)
    return ""


def tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])


def test_apps_connections_open_takes_only_the_app_level_token(
    socket_mode: SocketModeServer, slack: FakeSlack
) -> None:
    for token, error in ((BOT_TOKEN, "invalid_auth"), ("xapp-someone-else", "invalid_auth")):
        with pytest.raises(SlackApiError) as refused:
            WebClient(base_url=slack.api_url).apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    opened = WebClient(base_url=slack.api_url).apps_connections_open(app_token=APP_TOKEN)
    assert opened["url"].startswith(f"ws://127.0.0.1:{socket_mode.port}/socket?ticket=")
    assert slack.violations == []


def test_slack_sdk_client_pongs_acks_and_reconnects(slack: FakeSlack) -> None:
    """slack_sdk's own client (the one SocketModeHandler uses) against the stand-in, with an
    app that forgets one ack and answers an event with a payload."""
    client = SocketModeClient(app_token=APP_TOKEN, web_client=WebClient(base_url=slack.api_url))

    def ack(client: SocketModeClient, request: SocketModeRequest) -> None:
        if request.payload.get("text") == "forget me":
            return
        reply = {"text": f"got {request.payload['text']}"}
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, reply))

    client.socket_mode_request_listeners.append(ack)  # type: ignore[arg-type]
    # A short deadline keeps the forgotten ack cheap to wait for.
    with SocketModeServer(slack, ack_deadline=1.0) as socket_mode:

        def command(text: str) -> Envelope:
            return socket_mode.push("slash_commands", {"text": text}, accepts_response_payload=True)

        try:
            client.connect()
            first = socket_mode.wait_connected()
            got = socket_mode.wait_for_ack(command("a").envelope_id)
            assert got is not None and got.payload == {"text": "got a"}
            # The client pings as it connects and trusts the connection only while pongs come.
            slack.wait_for(lambda: client.current_session.last_ping_pong_time)  # type: ignore[union-attr]
            assert first.pings >= 1

            event = socket_mode.push("events_api", {"text": "b"}, kind="event b", retry_attempt=0)
            forgotten = socket_mode.push("events_api", {"text": "forget me"}, kind="event c")
            assert socket_mode.wait_for_ack(event.envelope_id) is not None
            assert socket_mode.wait_for_ack(forgotten.envelope_id, timeout=1.5) is None
            assert socket_mode.unacked() == [forgotten]
            assert len(slack.violations) == 2, slack.violations
            assert "event b: ack carries a payload" in slack.violations[0]
            assert "event c: no ack within 1 s" in slack.violations[1]
            slack.reset_records()

            socket_mode.disconnect()
            socket_mode.wait_connected(count=2)
            # slack_sdk reads the new socket only after the old one's receive (3 s timeout)
            # returns, so an envelope pushed sooner would sit unread past the ack deadline.
            socket_mode.wait_closed(first)
            got = socket_mode.wait_for_ack(command("d").envelope_id)
            assert got is not None and got.connection == 2
            assert len(slack.calls_to("apps.connections.open")) == 1  # since reset_records
        finally:
            client.close()
    assert slack.violations == []


def test_serve_in_socket_mode_runs_a_daily(
    slack: FakeSlack, socket_mode: SocketModeServer, serve: Path, tmp_path: Path
) -> None:
    driver = SocketModeDriver(slack, socket_mode)
    assert slack.calls_to("apps.connections.open")[0].response["ok"]

    health = urllib.request.urlopen(f"http://127.0.0.1:{_PORT}/healthz", timeout=5)
    assert health.status == 200
    report = json.loads(health.read())
    assert report["database"] == "ok"
    assert report["slack_last_contact"] is not None  # auth.test at start, at least
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"http://127.0.0.1:{_PORT}/oncall/not-a-secret-at-all.ics")
    assert unknown.value.code == 404

    helped = driver.command("UANNA", "CTEAM", "/daily", "help")
    assert helped.status == 200, tail(serve)
    assert "/daily start" in str(helped.json())
    assert "/daily start" in str(slack.ephemerals("UANNA")[-1])

    started = driver.command("UANNA", "CTEAM", "/daily", "start")
    assert started.status == 200, tail(serve)
    (summary,) = slack.wait_for(lambda: slack.messages("CTEAM"))
    assert "10:00" in str(summary) and "UANNA" in str(summary)

    prompt_at = next_weekday_ten(BERLIN, datetime.now(UTC))
    due = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "run-due", "--now", prompt_at.isoformat()],
        env=bot_env(slack, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert due.returncode == 0, due.stderr
    assert "prompts sent 2," in due.stdout, due.stdout
    (prompt,) = bot_dms(slack, "UANNA")
    assert "What did you do yesterday?" in str(prompt)

    # Carl answers in the form: a block_actions envelope, then a view_submission one.
    (carl_prompt,) = bot_dms(slack, "UCARL")
    clicked = driver.click("UCARL", carl_prompt, "daily_answer_form")
    assert clicked is not None and clicked.status == 200
    (view,) = slack.wait_for(lambda: slack.open_views("UCARL"))
    answers = {"q0": {"answer": "Reviews"}, "q1": {"answer": "Docs"}, "q2": {"answer": "no"}}
    submitted = driver.submit("UCARL", view["id"], answers)
    assert submitted.status == 200
    assert driver.last_envelope is not None and driver.last_envelope.accepts_response_payload
    slack.wait_for(lambda: not slack.open_views("UCARL"))

    # Anna answers in the DM, one question at a time: events_api envelopes.
    driver.dm("UANNA", "Wrote the importer")
    assert driver.last_response is not None and driver.last_response.status == 200
    slack.wait_for(lambda: len(bot_dms(slack, "UANNA")) == 2)
    assert "What will you do today?" in str(bot_dms(slack, "UANNA")[-1]), tail(serve)

    # Slack redelivers the same event_callback in a new envelope: acked, taken once (had it
    # been taken as an answer, "No blockers" below would come after the last question).
    retried = driver.retry(n=1, reason="timeout")
    assert retried.status == 200
    assert driver.last_envelope is not None
    assert driver.last_envelope.body["retry_attempt"] == 1
    driver.dm("UANNA", "Tests for it")
    slack.wait_for(lambda: len(bot_dms(slack, "UANNA")) == 3)
    assert "Any blockers?" in str(bot_dms(slack, "UANNA")[-1]), tail(serve)
    driver.dm("UANNA", "No blockers")
    slack.wait_for(lambda: "Thanks" in str(bot_dms(slack, "UANNA")[-1:]))
    published = slack.wait_for(lambda: published_answers(slack, "Wrote the importer"))
    assert "Tests for it" in published and "No blockers" in published
    assert published_answers(slack, "Reviews")

    # Slack refreshes the connection: the bot reconnects and keeps answering.
    old = socket_mode.disconnect()
    socket_mode.wait_connected(count=2)
    socket_mode.wait_closed(old)
    again = driver.command("UBEN", "CTEAM", "/daily", "help")
    assert again.status == 200 and "/daily start" in str(again.json())
    assert len(slack.calls_to("apps.connections.open")) == 2

    assert socket_mode.unacked() == []
    assert slack.violations == [], tail(serve)


def test_a_refused_app_token_is_one_line_and_exit_2(
    slack: FakeSlack, socket_mode: SocketModeServer, tmp_path: Path
) -> None:
    env = {**bot_env(slack, tmp_path), "SLACK_APP_TOKEN": "xapp-not-this-one"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]  # after serve's start-up log lines
    assert last.startswith("ceremony-bot: configuration error: SLACK_APP_TOKEN")
    assert "invalid_auth" in last and "Traceback" not in result.stderr
    slack.violations.clear()  # the refused connection attempt was ours, on purpose

"""`serve` killed (SIGKILL) in the middle of a burst of answers, then restarted.

Slack is told nothing for the answers in flight at the kill, so it sends them again (same
event id, X-Slack-Retry-Num: 1); the answers it was told about before the kill it never
sends again. Afterwards every one of them is in the database and in the day's thread, once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.demo.standin.driver import SlackDriver
from bot.demo.standin.harness import SIGNING_SECRET
from bot.demo.standin.payloads import event_callback
from bot.demo.standin.processes import bot_env, free_port, start_server
from bot.demo.standin.server import FakeSlack
from storage.db import make_session_factory
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.db import BACKENDS, fresh_engine
from tests.e2e.test_socket_mode import next_weekday_ten

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
PEOPLE = [f"UP{n:02d}" for n in range(24)]
QUESTION = "What did you do?"


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return start_server([sys.executable, str(ROOT / "app.py"), "serve"], env, port, stderr=out)


def run_due(env: dict[str, str], now: datetime) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "run-due", "--now", now.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        for user in PEOPLE:
            fake.add_user(user, user.lower(), "Europe/Berlin")
        fake.add_channel("CTEAM", "team", PEOPLE)
        yield fake


def answer_event(driver: SlackDriver, user: str, text: str) -> dict[str, Any]:
    """What Slack sends when `user` writes `text` in the bot's DM (the message is in Slack)."""
    channel = driver.ws.dm_channel(user)
    message = driver.ws.user_post(user, channel, text)
    return event_callback(
        driver._message_event(channel, user, text, message.ts, message.blocks, None)
    )


def deliver(driver: SlackDriver, envelope: dict[str, Any], retry: int = 0) -> int | None:
    """The HTTP status Slack got, or None when nobody answered (the process was gone)."""
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
    try:
        body = json.dumps(envelope).encode()
        return driver.send(body, "application/json", headers if retry else None).status
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def stored(url: str) -> dict[str, list[str]]:
    engine = make_engine_for(url)
    try:
        uow_factory = SqlUnitOfWorkFactory(make_session_factory(engine))
        answers: dict[str, list[str]] = {}
        with uow_factory() as uow:
            for user in PEOPLE:
                prompt = uow.dailies.latest_prompt_sent_to("T0001", user)
                answers[user] = [a.text for a in uow.dailies.answers(prompt.id)] if prompt else []
        return answers
    finally:
        engine.dispose()


def make_engine_for(url: str):  # type: ignore[no-untyped-def]
    from storage.db import make_engine

    return make_engine(url)


def settled(count: Callable[[], int], quiet: float = 1.5, limit: float = 60.0) -> None:
    """Waits until `count()` has not changed for `quiet` seconds."""
    deadline = time.monotonic() + limit
    last, since = count(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.25)
        now = count()
        if now != last:
            last, since = now, time.monotonic()


def prompt_everyone(driver: SlackDriver, slack: FakeSlack, env: dict[str, str]) -> None:
    """A daily with one question in #team, and the day's prompt sent to all 24 by run-due."""
    assert driver.command(PEOPLE[0], "CTEAM", "/daily", "start").status == 200
    slack.wait_for(lambda: slack.messages("CTEAM"), timeout=30)
    assert driver.command(PEOPLE[0], "CTEAM", "/daily", f"questions {QUESTION}").status == 200
    time.sleep(1.0)  # the change is made after its ack
    monday = next_weekday_ten(ZoneInfo("Europe/Berlin"), datetime.now(UTC))
    assert "prompts sent 24," in run_due(env, monday)


def start_burst(
    driver: SlackDriver, slack: FakeSlack, envelopes: dict[str, dict[str, Any]]
) -> tuple[dict[str, int | None], list[threading.Thread]]:
    """Four senders deliver everyone's answer; returns once 8 have their answer, with the
    statuses Slack got (filled in as they come) and the senders still sending."""
    statuses: dict[str, int | None] = {}

    def burst(users: list[str]) -> None:
        for user in users:
            statuses[user] = deliver(driver, envelopes[user])

    senders = [threading.Thread(target=burst, args=(PEOPLE[i::4],)) for i in range(4)]
    for sender in senders:
        sender.start()
    slack.wait_for(lambda: len(statuses) >= 8, timeout=30, interval=0.001)
    return statuses, senders


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_killed_serve_loses_no_acknowledged_or_retried_answer(
    backend: str, slack: FakeSlack, tmp_path: Path
) -> None:
    engine = fresh_engine(backend, tmp_path)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    port = free_port()
    env = bot_env(slack, url, port)
    log = tmp_path / "serve.log"
    driver = SlackDriver(slack, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
    process = serve(env, port, log)
    try:
        prompt_everyone(driver, slack, env)
        envelopes = {user: answer_event(driver, user, f"shipped for {user}!") for user in PEOPLE}
        statuses, senders = start_burst(driver, slack, envelopes)
        process.kill()  # SIGKILL: no clean shutdown, work after the acks cut short
        process.wait(timeout=10)
        for sender in senders:
            sender.join(timeout=60)
        acked = [u for u in PEOPLE if statuses.get(u) == 200]
        assert 0 < len(acked) < len(PEOPLE), statuses

        process = serve(env, port, log)
        for user in PEOPLE:  # Slack retries what got no answer, never what got a 200
            if user not in acked:
                assert deliver(driver, envelopes[user], retry=1) == 200

        def all_in() -> bool:
            return all(stored(url).values())

        # The retried ones are taken by the new process at once, except one whose row the
        # killed process had stored (its claim is fresh: the replay takes it). Only once the
        # new process is quiet does the clock jump past the lease (run-due's --now), as it
        # would when real minutes pass.
        settled(lambda: sum(bool(a) for a in stored(url).values()))
        # The tick after the lease replays what the kill cut short.
        assert "inbox: replayed" in run_due(env, datetime.now(UTC) + timedelta(minutes=3))

        slack.wait_for(all_in, timeout=60, interval=0.5)
        assert stored(url) == {user: [f"shipped for {user}!"] for user in PEOPLE}
        thread = [
            m
            for m in slack.messages("CTEAM", include_replies=True)
            if m.get("thread_ts") not in (None, m["ts"])
        ]
        for user in PEOPLE:
            posted = [m for m in thread if f"shipped for {user}!" in str(m)]
            assert len(posted) == 1, (user, "acknowledged" if user in acked else "retried")
            confirmations = [m for m in slack.dm_messages(user) if m.get("bot_id")]
            assert len(confirmations) == 2, (user, confirmations)  # the prompt and the thanks
        assert [v for v in slack.violations if "ack took" not in v] == []
    finally:
        process.kill()
        process.wait(timeout=10)

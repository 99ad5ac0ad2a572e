"""`serve` stopped with SIGTERM in the middle of a burst of answers: it stops taking requests,
finishes what it acknowledged, exits 0; what it never answered Slack sends again later."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.demo.standin.driver import SlackDriver
from bot.demo.standin.harness import SIGNING_SECRET
from bot.demo.standin.processes import bot_env, free_port
from bot.demo.standin.ratelimit import RateLimitConfig
from bot.demo.standin.server import FakeSlack
from bot.serve import STOP_WITHIN
from storage.daily.models import Participant
from storage.db import make_engine
from tests.db import BACKENDS, fresh_engine
from tests.e2e.daily.test_crash import (
    PEOPLE,
    ROOT,
    answer_event,
    deliver,
    prompt_everyone,
    run_due,
    serve,
    start_burst,
    stored,
)

# The fixture with its 24 people:
from tests.e2e.daily.test_crash import slack as slack

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigterm_finishes_what_was_acknowledged_and_exits_0(
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
        envelopes = {user: answer_event(driver, user, f"done for {user}") for user in PEOPLE}
        statuses, senders = start_burst(driver, slack, envelopes)
        asked_to_stop = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=STOP_WITHIN + 10) == 0
        took = time.monotonic() - asked_to_stop
        for sender in senders:
            sender.join(timeout=60)
        acked = [u for u in PEOPLE if statuses.get(u) == 200]
        assert acked and took < STOP_WITHIN + 5

        # Before any restart: every acknowledged answer is stored and in the day's thread.
        answers = stored(url)
        for user in acked:
            assert answers[user] == [f"done for {user}"], user
        thread = str(slack.messages("CTEAM", include_replies=True))
        assert all(f"done for {user}" in thread for user in acked)

        process = serve(env, port, log)  # Slack sends again what got no answer
        for user in PEOPLE:
            if user not in acked:
                assert deliver(driver, envelopes[user], retry=1) == 200
        # One stored but cut short at the stop would be taken by the tick after its lease
        # (a retry of it finds it claimed), as after a crash.
        run_due(env, datetime.now(UTC) + timedelta(minutes=3))
        slack.wait_for(lambda: all(stored(url).values()), timeout=60, interval=0.5)
        assert stored(url) == {user: [f"done for {user}"] for user in PEOPLE}
        assert "Traceback" not in log.read_text()
        assert [v for v in slack.violations if "ack took" not in v] == []
    finally:
        process.kill()
        process.wait(timeout=10)


FANOUT = [f"UF{n:02d}" for n in range(40)]


def test_sigterm_during_serve_s_fan_out_exits_0_and_no_one_is_prompted_twice(
    tmp_path: Path,
) -> None:
    # Slack lets a post a second through (the bot is not told; its pace finds out).
    limits = RateLimitConfig(post_workspace_per_minute=60)
    with FakeSlack(rate_limits=True, limits=limits) as fanout_slack:
        for user in FANOUT:
            fanout_slack.add_user(user, user.lower(), "Europe/Berlin")
        fanout_slack.add_channel("CFAN", "fan", FANOUT)
        url = f"sqlite:///{tmp_path / 'bot.db'}"
        port = free_port()
        # The clock ticks inside serve at second 0 of each minute.
        env = {**bot_env(fanout_slack, url, port), "SCHEDULER_ENABLED": "true"}
        driver = SlackDriver(fanout_slack, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        log = tmp_path / "serve.log"
        process = serve(env, port, log)
        try:
            assert driver.command(FANOUT[0], "CFAN", "/daily", "start").status == 200
            fanout_slack.wait_for(lambda: fanout_slack.messages("CFAN"), timeout=30)
            every_day = "mon,tue,wed,thu,fri,sat,sun"  # whatever today is, prompts are due
            assert driver.command(FANOUT[0], "CFAN", "/daily", f"days {every_day}").status == 200
            time.sleep(1.0)
            boundary = next_minute_boundary()
            move_due_to(url, participant_ids(url), boundary)

            def prompted() -> int:
                return sum(1 for user in FANOUT if bot_dms(fanout_slack, user))

            fanout_slack.wait_for(lambda: prompted() >= 12, timeout=90, interval=0.05)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=STOP_WITHIN + 10) == 0
            assert 0 < prompted() < len(FANOUT)  # stopped part-way through
        finally:
            process.kill()
            process.wait(timeout=10)
        # The next tick, once the stopped tick's claims have lapsed, prompts the others.
        run_due(env, boundary + timedelta(minutes=3))
        assert {user: len(bot_dms(fanout_slack, user)) for user in FANOUT} == dict.fromkeys(
            FANOUT, 1
        )
        assert "Traceback" not in log.read_text()
        assert fanout_slack.violations == []


def bot_dms(slack: FakeSlack, user: str) -> list[object]:
    return [m for m in slack.dm_messages(user) if m.get("bot_id")]


def participant_ids(url: str) -> list[int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Participant.id)))
    finally:
        engine.dispose()


def next_minute_boundary(at_least: float = 5.0) -> datetime:
    now = datetime.now(UTC)
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return (
        boundary + timedelta(minutes=1) if (boundary - now).total_seconds() < at_least else boundary
    )


def move_due_to(url: str, ids: list[int], instant: datetime) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(Participant).where(Participant.id.in_(ids)).values(next_prompt_at=instant)
            )
    finally:
        engine.dispose()


def test_sigterm_to_run_due_finishes_what_it_claimed_and_leaves_the_rest_due(
    tmp_path: Path,
) -> None:
    limits = RateLimitConfig(post_workspace_per_minute=60)  # a post a second
    with FakeSlack(rate_limits=True, limits=limits) as fanout_slack:
        for user in FANOUT:
            fanout_slack.add_user(user, user.lower(), "Europe/Berlin")
        fanout_slack.add_channel("CFAN", "fan", FANOUT)
        url = f"sqlite:///{tmp_path / 'bot.db'}"
        port = free_port()
        env = bot_env(fanout_slack, url, port)
        driver = SlackDriver(fanout_slack, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        process = serve(env, port, tmp_path / "serve.log")
        try:
            assert driver.command(FANOUT[0], "CFAN", "/daily", "start").status == 200
            fanout_slack.wait_for(lambda: fanout_slack.messages("CFAN"), timeout=30)
        finally:
            process.terminate()
            process.wait(timeout=STOP_WITHIN + 10)
        due = datetime.now(UTC)
        while due.weekday() >= 5:  # a daily asks on weekdays: a run on a weekend prompts no one
            due -= timedelta(days=1)
        move_due_to(url, participant_ids(url), due)

        def prompted() -> int:
            return sum(1 for user in FANOUT if bot_dms(fanout_slack, user))

        ticking = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "run-due", "--now", due.isoformat()],
            env={**env, "LOG_LEVEL": "INFO"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            fanout_slack.wait_for(lambda: prompted() >= 5, timeout=60, interval=0.05)
            asked_to_stop = time.monotonic()
            ticking.send_signal(signal.SIGTERM)
            _out, err = ticking.communicate(timeout=STOP_WITHIN + 10)
        finally:
            ticking.kill()
        assert ticking.returncode == 0, err
        assert time.monotonic() - asked_to_stop < STOP_WITHIN
        assert "Traceback" not in err and "SIGTERM: finishing the work already claimed" in err
        assert 0 < prompted() < len(FANOUT)
        # Nothing was left claimed: the very next tick, no lease to wait out, prompts the rest.
        run_due(env, due)
        assert {user: len(bot_dms(fanout_slack, user)) for user in FANOUT} == dict.fromkeys(
            FANOUT, 1
        )
        assert fanout_slack.violations == []

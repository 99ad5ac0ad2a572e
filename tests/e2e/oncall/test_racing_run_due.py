"""Three `run-due` processes at once, as three cron jobs or replicas would: each handoff once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.processes import ROOT, bot_env, free_port
from bot.demo.standin.server import FakeSlack
from tests.db import BACKENDS, fresh_engine
from tests.e2e.oncall.test_oncall import MONDAY_TEN_BERLIN, THURSDAY, start


@pytest.fixture(params=BACKENDS)
def racing_bot(
    request: pytest.FixtureRequest, slack: FakeSlack, tmp_path: Path
) -> Iterator[tuple[Bot, str]]:
    engine = fresh_engine(request.param, tmp_path)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    with running_bot(slack, tmp_path, THURSDAY, database_url=url) as bot:
        yield bot, url
    assert slack.violations == [], slack.violations


def test_three_run_dues_at_once_announce_the_handoff_once(
    racing_bot: tuple[Bot, str], tmp_path: Path
) -> None:
    bot, url = racing_bot
    slack = bot.slack
    group = slack.add_usergroup("oncall", "On-call").id
    start(bot)
    bot.driver.command("UANNA", "CTEAM", "/oncall", f"usergroup <!subteam^{group}|@oncall>")
    slack.wait_for(lambda: slack.usergroup_members(group) == ["UANNA"])
    env = bot_env(slack, url, free_port())
    now = MONDAY_TEN_BERLIN.isoformat()
    racers = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "run-due", "--now", now],
            env={**env, "PYTHONFAULTHANDLER": "1"},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [r.returncode for r in racers] == [0, 0, 0], [e.decode()[-2000:] for _, e in outputs]
    handoffs = [m for m in slack.messages("CTEAM") if "is on call until" in str(m.get("text"))]
    assert len(handoffs) == 1 and "<@UBEN>" in str(handoffs[0]["text"])
    assert len([m for m in slack.dm_messages("UBEN") if "You are on call now" in str(m)]) == 1
    assert slack.usergroup_members(group) == ["UBEN"]
    said = b"".join(out for out, _ in outputs).decode()
    assert said.count("oncall: handoffs 1") == 1, said

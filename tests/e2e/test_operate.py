"""What an operator reads: JSON logs with one line per tick, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path

from bot.demo.standin.harness import Bot
from bot.demo.standin.server import FakeSlack
from bot.logs import quiet_libraries
from tests.e2e.test_cli import run_app
from tests.fakes import utc


def test_json_logs_are_one_object_per_line_with_the_tick_s_figures(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        env = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "LOG_FORMAT": "json",
        }
        result = run_app("run-due", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    ticks = [r for r in records if r["message"].startswith("tick in ")]
    assert len(ticks) == 1
    assert ticks[0]["did"]["daily"]["failures"] == 0 and ticks[0]["tick_ms"] >= 0
    assert set(ticks[0]["did"]) == {"inbox", "daily", "retro", "oncall", "weekly"}


def test_apscheduler_chatter_is_quiet_at_info() -> None:
    scheduler_log = logging.getLogger("apscheduler")
    try:
        quiet_libraries("INFO")
        assert scheduler_log.getEffectiveLevel() == logging.WARNING
        quiet_libraries("DEBUG")
        assert scheduler_log.level == logging.NOTSET
    finally:
        scheduler_log.setLevel(logging.NOTSET)


def _metrics(bot: Bot) -> str:
    with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        return response.read().decode()


def _value(text: str, sample: str) -> float:
    found = [line for line in text.splitlines() if line.startswith(sample + " ")]
    return float(found[0].split()[-1]) if found else 0.0


def test_metrics_count_acks_slack_calls_ticks_and_messages(bot: Bot, slack: FakeSlack) -> None:
    before = _metrics(bot)
    bot.driver.command("UANNA", "CTEAM", "/daily", "start")
    slack.wait_for(lambda: slack.messages("CTEAM"), timeout=10)
    bot.tick(utc(2026, 11, 30, 12, 0))  # Monday: Anna (Berlin) and Chitra (Kolkata) are due
    after = _metrics(bot)
    for sample in (
        "ceremony_ack_seconds_count",
        'ceremony_ticks_total{outcome="ok"}',
        "ceremony_inbox_stored_total",
        "ceremony_inbox_wait_seconds_count",
        "ceremony_inbox_batch_seconds_count",
        "ceremony_inbox_batch_receipts_sum",
        'ceremony_slack_calls_total{method="chat.postMessage",status="ok"}',
        'ceremony_messages_sent_total{kind="daily/prompt"}',
        'ceremony_work_total{ceremony="daily",what="prompts sent"}',
    ):
        assert _value(after, sample) > _value(before, sample), sample
    assert "ceremony_tick_seconds_bucket" in after and "process_cpu_seconds_total" in after


def test_healthz_tells_the_database_and_when_slack_last_answered(
    bot: Bot, slack: FakeSlack
) -> None:
    bot.driver.command("UANNA", "CTEAM", "/daily", "start")
    slack.wait_for(lambda: slack.messages("CTEAM"), timeout=10)
    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
        report = json.loads(response.read())
    assert report["ok"] is True and report["database"] == "ok"
    assert report["slack_last_contact"] is not None
    assert "_created" not in _metrics(bot)  # no timestamp series beside every metric

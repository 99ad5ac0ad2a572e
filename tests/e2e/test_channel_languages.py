"""A channel's language and a person's, beyond the daily (issue 12): an on-call handoff and a
weekly report posted in a channel set to Russian, the DMs around them in each reader's
language, and the Home tab's language selector — through signed requests and the stand-in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.server import FakeSlack
from tests.e2e.conftest import SUNDAY_NOON
from tests.e2e.daily.test_daily import command as daily_command
from tests.fakes import utc

THURSDAY = utc(2026, 12, 3, 14, 0)  # 15:00 in Berlin
MONDAY_TEN_BERLIN = utc(2026, 12, 7, 9, 0)
FRIDAY_DELIVERY = utc(2026, 12, 4, 15, 0)  # 16:00 Berlin
TEAM = "<@UANNA|anna> <@UBEN|ben> <@UCHITRA|chitra>"


def shown(message: Any) -> str:
    return json.dumps(message, ensure_ascii=False)


def russian_channel(bot: Bot) -> None:
    """Anna (English in Slack) owns the channel's ceremonies; the channel speaks Russian."""
    told = daily_command(bot, "UANNA", "CTEAM", "language ru")
    assert "Готово" in shown(told)  # the confirmation is in the channel's new language


def test_an_oncall_handoff_in_a_russian_channel(slack: FakeSlack, tmp_path: Path) -> None:
    slack.set_user_locale("UBEN", "ja-JP")
    with running_bot(slack, tmp_path, SUNDAY_NOON) as bot:
        bot.clock.current = THURSDAY
        bot.driver.command("UANNA", "CTEAM", "/oncall", f"start {TEAM}")
        bot.slack.wait_for(lambda: bot.slack.messages("CTEAM"))
        # Set up by Anna, whose Slack language is English: the channel follows her.
        assert "Monday at 10:00 (Europe/Berlin)" in shown(slack.messages("CTEAM")[0])
        russian_channel(bot)
        bot.tick(MONDAY_TEN_BERLIN)
        handoff = slack.messages("CTEAM")[-1]  # after the start summary: the handoff
        assert "<@UBEN>" in shown(handoff) and "пн, 14 дек. 10:00" in shown(handoff)
        assert "дежурит до" in shown(handoff) and "is on call until" not in shown(handoff)
        # Ben, incoming, reads his DM in his own language (Japanese).
        (dm,) = [m for m in slack.dm_messages("UBEN") if "CTEAM" in shown(m)]
        assert "オンコール" in shown(dm) and "You are on call now" not in shown(dm)
    assert slack.violations == []


def test_a_weekly_report_in_a_russian_channel(slack: FakeSlack, tmp_path: Path) -> None:
    with running_bot(slack, tmp_path, SUNDAY_NOON) as bot:
        bot.clock.current = THURSDAY
        bot.driver.command("UANNA", "CTEAM", "/weekly", "start")
        slack.wait_for(lambda: slack.messages("CTEAM"))
        russian_channel(bot)
        bot.tick(FRIDAY_DELIVERY)
        (report,) = [
            m
            for m in slack.messages("CTEAM")
            if (m.get("metadata") or {}).get("event_type", "").startswith("ceremony_weekly")
        ]
        assert "Отчёт за неделю" in shown(report) and "Weekly report" not in shown(report)
    assert slack.violations == []


def test_the_home_selector_sets_ones_language_and_speaks_it(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.set_user_locale("UANNA", "ru-RU")
    with running_bot(slack, tmp_path, SUNDAY_NOON) as bot:
        bot.driver.command("UANNA", "CTEAM", "/daily", "start")  # reads Anna's locale
        slack.wait_for(lambda: slack.messages("CTEAM"))
        bot.driver.open_home("UANNA")
        home = slack.wait_for(lambda: slack.home("UANNA"))
        assert "Ваши церемонии" in shown(home)
        assert "Автоматически (ваш язык в Slack: Русский)" in shown(home)
        bot.driver.click("UANNA", home, "home_language", selected="ja")
        again = slack.wait_for(
            lambda: "あなたのセレモニー" in shown(slack.home("UANNA")) and slack.home("UANNA")
        )
        (select,) = [b["accessory"] for b in again["blocks"] if b.get("block_id") == "language"]
        assert select["initial_option"]["value"] == "ja"
        # Her next reply from a command is in Japanese too; "auto" brings Russian back.
        assert "日本語" in shown(daily_command(bot, "UANNA", None, "language"))
        bot.driver.click("UANNA", again, "home_language", selected="auto")
        slack.wait_for(lambda: "Ваши церемонии" in shown(slack.home("UANNA")))
    assert slack.violations == []

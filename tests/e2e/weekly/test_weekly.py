"""A weekly report through signed requests and run-due, on the stand-in."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.server import FakeSlack
from ceremonies.core.text import unescape
from tests.e2e.conftest import SUNDAY_NOON
from tests.fakes import utc

THURSDAY = utc(2026, 12, 3, 14, 0)  # after the week's start, before Friday 16:00 Berlin
FRIDAY_TWO_BEFORE = utc(2026, 12, 4, 13, 0)  # 14:00 Berlin: the status DM
FRIDAY_DELIVERY = utc(2026, 12, 4, 15, 0)  # 16:00 Berlin


def command(bot: Bot, user: str, text: str, channel: str = "CTEAM") -> dict[str, Any]:
    before = len(bot.slack.ephemerals(user)) + len(bot.slack.messages(channel))
    result = bot.driver.command(user, channel, "/weekly", text)
    assert result.status == 200
    bot.slack.wait_for(
        lambda: len(bot.slack.ephemerals(user)) + len(bot.slack.messages(channel)) > before
    )
    shown = bot.slack.ephemerals(user)
    return shown[-1] if shown else {}


def start(bot: Bot) -> None:
    bot.clock.current = THURSDAY
    bot.driver.command("UANNA", "CTEAM", "/weekly", "start")
    bot.slack.wait_for(lambda: bot.slack.messages("CTEAM"))


def test_start_says_friday_at_four(bot: Bot) -> None:
    start(bot)
    summary = json.dumps(bot.slack.messages("CTEAM")[0])
    assert "16:00" in summary and "Europe/Berlin" in summary


def test_bad_input_is_explained_and_changes_nothing(bot: Bot) -> None:
    bot.slack.add_channel("CAWAY", "away", ["UANNA"], bot_member=False)
    start(bot)
    command(bot, "UANNA", "risk add closed soon p=1 c=1")
    command(bot, "UANNA", "risk close 1")
    for text in (
        "risk close 1",
        "add <#CAWAY|away>",
        "risk add",
        "risk add vendor late p=4 c=2",
        "risk add vendor late p=2 c=0",
        "risk add vendor late p=x c=2",
        "risk update 9 p=2",
        "time funday 16:00",
        "recipients <@UROBOT|robot>",
        "frobnicate",
    ):
        shown = json.dumps(command(bot, "UANNA", text))
        assert "Traceback" not in shown and len(shown) > 30, text
    shown = json.dumps(command(bot, "UANNA", "risk list"))
    assert "vendor late" not in shown
    with bot.runtime.services.uow_factory() as uow:
        row = uow.weeklies.report_in_channel("T0001", "CTEAM")
        assert row is not None and uow.weeklies.sources(row.id) == ["CTEAM"]
    assert "CAWAY" in json.dumps(bot.slack.ephemerals("UANNA"))  # said which channel


def test_the_longest_highlights_slack_lets_through_are_kept_whole_and_never_ping(
    bot: Bot,
) -> None:
    """50,000 characters cannot be typed: the input's max_length (3000) makes Slack stop them,
    as the stand-in does; the most that can come is kept whole."""
    start(bot)
    bot.tick(FRIDAY_TWO_BEFORE)
    (status_dm,) = [m for m in bot.slack.dm_messages("UANNA") if "weekly" in json.dumps(m)]
    bot.driver.click("UANNA", status_dm, "weekly_add_status")
    view = bot.slack.wait_for(lambda: bot.slack.open_views("UANNA"))[-1]
    with pytest.raises(ValueError, match="max_length 3000"):
        bot.driver.submit("UANNA", view["id"], {"highlights": {"value": "x" * 50_000}})
    huge = ("<!channel> " + "word " * 600)[:3000]
    response = bot.driver.submit("UANNA", view["id"], {"highlights": {"value": huge}})
    assert response.status == 200

    def kept() -> Any:
        with bot.runtime.services.uow_factory() as uow:
            row = uow.weeklies.report_in_channel("T0001", "CTEAM")
            return row and uow.weeklies.status(row.id, "2026-W49")

    assert unescape(bot.slack.wait_for(kept).highlights) == huge  # nothing typed is cut
    bot.tick(FRIDAY_DELIVERY)
    posted = json.dumps(bot.slack.messages("CTEAM"))
    assert "word word" in posted and "<!channel>" not in posted


def test_a_risk_with_a_ping_never_pings(bot: Bot) -> None:
    start(bot)
    bot.driver.command("UANNA", "CTEAM", "/weekly", "risk add <!channel> outage p=3 c=3")
    bot.slack.wait_for(lambda: len(bot.slack.messages("CTEAM")) >= 2)
    posted = json.dumps(bot.slack.messages("CTEAM")[-1])
    assert "outage" in posted and "<!channel>" not in posted


def test_status_dm_then_the_report_once(bot: Bot) -> None:
    start(bot)
    command(bot, "UANNA", "recipients <@UBEN|ben>")
    bot.driver.command("UANNA", "CTEAM", "/weekly", "risk add vendor late p=2 c=3")
    bot.slack.wait_for(lambda: len(bot.slack.messages("CTEAM")) >= 2)
    bot.tick(FRIDAY_TWO_BEFORE)
    (status_dm,) = [m for m in bot.slack.dm_messages("UANNA") if "weekly" in json.dumps(m)]
    bot.driver.click("UANNA", status_dm, "weekly_add_status")
    view = bot.slack.wait_for(lambda: bot.slack.open_views("UANNA"))[-1]
    bot.clock.current = FRIDAY_TWO_BEFORE
    response = bot.driver.submit(
        "UANNA",
        view["id"],
        {
            "status": {"value": "at_risk"},
            "highlights": {"value": "Shipped the importer <!here>"},
            "decisions": {"value": "Hire a contractor\nMove the launch"},
        },
    )
    assert response.status == 200
    bot.tick(FRIDAY_DELIVERY)
    bot.tick(FRIDAY_DELIVERY)  # a second tick sends nothing more
    reports = [m for m in bot.slack.messages("CTEAM") if "Shipped the importer" in json.dumps(m)]
    assert len(reports) == 1
    text = json.dumps(reports[0])
    assert "<!here>" not in text and "Hire a contractor" in text
    assert [m for m in bot.slack.dm_messages("UBEN") if "Shipped the importer" in json.dumps(m)]
    bot.driver.click("UBEN", reports[0], "weekly_acknowledge")

    def acknowledged() -> bool:
        report = next(m for m in bot.slack.messages("CTEAM") if "Shipped" in json.dumps(m))
        return "ben" in json.dumps(report).lower().split("acknowledged")[-1]

    bot.slack.wait_for(acknowledged)


def test_a_broken_custom_template_falls_back_and_the_owner_hears_once(
    slack: FakeSlack, tmp_path: Path
) -> None:
    custom = tmp_path / "custom" / "weekly"
    custom.mkdir(parents=True)
    (custom / "report.json.j2").write_text('{"text": {{ report.nothing_here( }} }')
    with running_bot(slack, tmp_path, SUNDAY_NOON, custom_templates_dir=str(custom.parent)) as bot:
        start(bot)
        bot.tick(FRIDAY_TWO_BEFORE)
        bot.tick(FRIDAY_DELIVERY)
        reports = [m for m in slack.messages("CTEAM") if "Weekly report" in json.dumps(m)]
        assert reports  # the default template went out
        told = [m for m in slack.dm_messages("UANNA") if "could not be used" in json.dumps(m)]
        assert len(told) == 1 and "weekly/report.json.j2" in json.dumps(told[0])
        bot.tick(FRIDAY_DELIVERY + timedelta(weeks=1) - timedelta(hours=2))
        bot.tick(FRIDAY_DELIVERY + timedelta(weeks=1))
        told = [m for m in slack.dm_messages("UANNA") if "could not be used" in json.dumps(m)]
        assert len(told) == 1  # not again the next week
    assert slack.violations == []

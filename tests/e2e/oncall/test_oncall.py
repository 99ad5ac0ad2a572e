"""An on-call rotation through signed requests, run-due and the calendar feed, on the stand-in."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest
from icalendar import Calendar

from bot.demo.standin.harness import Bot
from bot.demo.standin.server import FakeSlack
from tests.fakes import utc

THURSDAY = utc(2026, 12, 3, 14, 0)  # 15:00 in Berlin
MONDAY_TEN_BERLIN = utc(2026, 12, 7, 9, 0)
TEAM = "<@UANNA|anna> <@UBEN|ben> <@UCHITRA|chitra>"


def command(bot: Bot, user: str, text: str, channel: str = "CTEAM") -> dict[str, Any]:
    before = len(bot.slack.ephemerals(user))
    result = bot.driver.command(user, channel, "/oncall", text)
    assert result.status == 200
    shown = bot.slack.wait_for(
        lambda: len(bot.slack.ephemerals(user)) > before and bot.slack.ephemerals(user)
    )
    return shown[-1]


def channel_text(slack: FakeSlack) -> list[str]:
    return [str(m.get("text", "")) for m in slack.messages("CTEAM")]


def start(bot: Bot) -> None:
    bot.clock.current = THURSDAY
    bot.driver.command("UANNA", "CTEAM", "/oncall", f"start {TEAM}")
    bot.slack.wait_for(lambda: bot.slack.messages("CTEAM"))


def test_help_lists_every_command(bot: Bot) -> None:
    shown = str(command(bot, "UANNA", "help"))
    for word in ("start", "who", "schedule", "override", "swap", "cover", "calendar", "history"):
        assert f"/oncall {word}" in shown


def test_start_who_and_the_monday_handoff(bot: Bot) -> None:
    start(bot)
    summary = str(bot.slack.messages("CTEAM")[0])
    assert "Monday at 10:00 (Europe/Berlin)" in summary
    who = str(command(bot, "UBEN", "who"))
    assert "<@UANNA>" in who and "<@UBEN>" in who
    assert "America/New_York" in who  # in the caller's zone
    command(bot, "UANNA", "note db-2 disk at 91% <!channel> &lt;b&gt;")
    bot.tick(MONDAY_TEN_BERLIN)
    bot.tick(MONDAY_TEN_BERLIN)  # a second tick posts nothing more
    handoffs = [t for t in channel_text(bot.slack) if "is on call until" in t]
    assert handoffs == [handoffs[0]] and "<@UBEN>" in handoffs[0]
    assert "Handed over by <@UANNA>" in handoffs[0]
    posted = str(bot.slack.messages("CTEAM")[-1])
    assert "db-2 disk at 91%" in posted and "<!channel>" not in posted
    assert any("You are on call now" in str(m) for m in bot.slack.dm_messages("UBEN"))


def test_override_of_the_rest_of_the_shift(bot: Bot) -> None:
    start(bot)
    bot.driver.command("UANNA", "CTEAM", "/oncall", "override <@UCHITRA|chitra>")
    # told in the channel, for everyone
    bot.slack.wait_for(lambda: any("Override" in t for t in channel_text(bot.slack)))
    bot.tick(THURSDAY.replace(minute=1))
    assert any("<@UCHITRA> is on call until" in t for t in channel_text(bot.slack))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("handoff mon 25:99", "is not a time of day"),
        ("handoff funday 10:00", "is not a day of the week"),
        ("timezone Mars/Base", "is not a time zone"),
        ("start", "Mention the people"),
        ("shift monthly", "is not a shift length"),
        ("usergroup oncall-team", "is not a user group"),
        ("override <@UBEN|ben> 2026-12-27 10:00..2026-12-24 18:00", "ends before it starts"),
        ("override <@UBEN|ben> 2026-12-04 10:00..2027-06-01 10:00", "at most 90 days"),
        ("note " + "x" * 50_000, "characters long"),
        ("note not mine", "Only the person on call"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    bot: Bot, text: str, expected: str
) -> None:
    start(bot)
    before = len(bot.slack.messages("CTEAM"))
    who_before = command(bot, "UBEN", "who")["blocks"][0]["text"]["text"]
    user = "UBEN" if text.startswith("note not") else "UANNA"
    shown = str(command(bot, user, text))
    assert expected in shown, shown
    assert len(bot.slack.messages("CTEAM")) == before
    assert command(bot, "UBEN", "who")["blocks"][0]["text"]["text"] == who_before


def test_start_with_a_bot_is_refused(bot: Bot) -> None:
    shown = str(command(bot, "UANNA", "start <@UANNA|anna> <@UROBOT|robot>"))
    assert "is a bot or a deactivated account" in shown
    assert "no on-call rotation" in str(command(bot, "UANNA", "who"))


def test_the_calendar_feed_has_one_event_per_shift_and_a_wrong_secret_is_404(bot: Bot) -> None:
    start(bot)
    shown = str(command(bot, "UANNA", "calendar"))
    url = shown.split("http://localhost:3000")[1].split(" ")[0]
    with urllib.request.urlopen(bot.url + url, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.read())
    events = calendar.walk("VEVENT")
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Berlin"
    assert len(events) >= 12 and len({str(e["UID"]) for e in events}) == len(events)
    assert str(events[0]["SUMMARY"]) == "On call: anna"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(bot.url + "/oncall/wrong-secret-0000000000.ics", timeout=5)
    assert missing.value.code == 404


def test_an_absence_entered_with_daily_away_replans_the_rotation_and_tells_once(bot: Bot) -> None:
    start(bot)
    before = len(bot.slack.ephemerals("UBEN"))
    bot.driver.command("UBEN", "CTEAM", "/daily", "away 2026-12-08..2026-12-09")
    bot.slack.wait_for(lambda: len(bot.slack.ephemerals("UBEN")) > before)
    for user in ("UBEN", "UCHITRA"):
        changed = bot.slack.wait_for(
            lambda u=user: [m for m in bot.slack.dm_messages(u) if "shifts in" in str(m)]
        )
        assert len(changed) == 1
    assert not [m for m in bot.slack.dm_messages("UANNA") if "shifts in" in str(m)]
    coming = command(bot, "UANNA", "schedule 3")["blocks"][0]["text"]["text"]
    assert coming.index("<@UCHITRA>") < coming.index("<@UBEN>")  # chitra covers ben's week

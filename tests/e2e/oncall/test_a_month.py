"""A whole month of a three-person rotation, end to end: an absence, an override, a swap, a
cover and the autumn DST change, with the user group following every handoff."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.demo.standin.harness import Bot
from tests.e2e.oncall.test_oncall import TEAM, command
from tests.fakes import utc

START = utc(2026, 10, 12, 8, 0)  # Monday 10:00 CEST in Berlin, anna's zone
END = utc(2026, 11, 10, 0, 0)
HOUR = timedelta(hours=1)


def at(bot: Bot, when: datetime) -> None:
    bot.clock.current = when


def test_a_month_of_handoffs_each_once_at_ten_berlin_time_across_dst(bot: Bot) -> None:
    group = bot.slack.add_usergroup("oncall", "On-call").id
    at(bot, START)
    bot.driver.command("UANNA", "CTEAM", "/oncall", f"start {TEAM}")
    bot.slack.wait_for(lambda: bot.slack.messages("CTEAM"))
    command(bot, "UANNA", f"usergroup <!subteam^{group}|@oncall>")
    assert bot.slack.usergroup_members(group) == ["UANNA"]
    script = {
        utc(2026, 10, 13, 9): [("UBEN", "away 2026-10-19..2026-10-21")],
        utc(2026, 10, 20, 9): [
            ("UCHITRA", "swap <@UANNA|anna>"),
        ],
        utc(2026, 10, 21, 9): [
            ("UANNA", "override <@UANNA|anna> 2026-10-22 18:00..2026-10-23 09:00"),
        ],
        utc(2026, 10, 27, 9): [("UBEN", "cover 2026-10-29..2026-10-30")],
    }
    swap_asked = utc(2026, 10, 20, 9)
    cover_asked = utc(2026, 10, 27, 9)
    seen: list[tuple[datetime, str, list[str]]] = []

    def answer(when: datetime) -> None:
        if when == swap_asked + HOUR:
            request = next(m for m in bot.slack.dm_messages("UANNA") if "asks to swap" in str(m))
            bot.driver.click("UANNA", request, "oncall_swap_accept")
            bot.slack.wait_for(lambda: any("Swap:" in str(m) for m in bot.slack.messages("CTEAM")))
        if when == cover_asked + HOUR:
            request = next(m for m in bot.slack.messages("CTEAM") if "Can someone cover" in str(m))
            bot.driver.click("UANNA", request, "oncall_cover_take")
            bot.slack.wait_for(
                lambda: any("covers your on-call" in str(m) for m in bot.slack.dm_messages("UBEN"))
            )

    tick = START
    while tick < END:
        for user, text in script.get(tick, []):
            at(bot, tick + timedelta(minutes=5))
            if text.startswith("cover"):
                bot.driver.command(user, "CTEAM", "/oncall", text)
                bot.slack.wait_for(
                    lambda: any("Can someone cover" in str(m) for m in bot.slack.messages("CTEAM"))
                )
            elif text.startswith("override"):
                bot.driver.command(user, "CTEAM", "/oncall", text)
                bot.slack.wait_for(
                    lambda: any("Override" in str(m) for m in bot.slack.messages("CTEAM"))
                )
            else:
                command(bot, user, text)
        answer(tick)
        before = len(bot.slack.messages("CTEAM"))
        bot.tick(tick + HOUR)
        for message in bot.slack.messages("CTEAM")[before:]:
            text = str(message.get("text", ""))
            if "is on call until" in text:
                who = text.split("<@")[1].split(">")[0]
                seen.append((tick + HOUR, who, bot.slack.usergroup_members(group)))
        tick += HOUR

    assert [(when, who) for when, who, _ in seen] == [
        (utc(2026, 10, 19, 8), "UCHITRA"),  # ben away: chitra takes his week (10:00 CEST)
        (utc(2026, 10, 22, 16), "UANNA"),  # the override, 18:00 CEST
        (utc(2026, 10, 23, 7), "UCHITRA"),  # and its end, 09:00 CEST
        (utc(2026, 10, 26, 9), "UBEN"),  # ben's owed turn; 10:00 CET after the DST change
        (utc(2026, 10, 28, 23), "UANNA"),  # the cover, from 00:00 CET on the 29th
        (utc(2026, 10, 30, 23), "UBEN"),  # back to ben when it ends
        (utc(2026, 11, 2, 9), "UCHITRA"),  # anna's turn, swapped with chitra
        (utc(2026, 11, 9, 9), "UBEN"),
    ]
    assert all(members == [who] for _, who, members in seen)
    heads_up = [
        m
        for u in ("UANNA", "UBEN", "UCHITRA")
        for m in bot.slack.dm_messages(u)
        if "Heads-up" in str(m)
    ]
    assert len(heads_up) == len({str(m["text"]) for m in heads_up})  # never twice
    assert bot.slack.violations == []

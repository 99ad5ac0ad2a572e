"""Swaps (Accept / Decline in a DM) and covers ("Take it" in the channel), end to end."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.demo.standin.harness import Bot
from tests.e2e.oncall.test_oncall import channel_text, command, start


def swap_dm(bot: Bot, user: str) -> dict[str, Any]:
    return bot.slack.wait_for(
        lambda: next(
            (m for m in bot.slack.dm_messages(user) if "asks to swap" in str(m.get("text"))), None
        )
    )


def schedule_people(bot: Bot, user: str = "UANNA") -> list[str]:
    text = command(bot, user, "schedule 4")["blocks"][0]["text"]["text"]
    return [line.split(">")[0].split("<@")[1] for line in text.splitlines()[1:]]


def test_a_swap_changes_nothing_until_accepted(
    bot: Bot,
) -> None:
    start(bot)
    assert schedule_people(bot) == ["UANNA", "UBEN", "UCHITRA", "UANNA"]
    command(bot, "UBEN", "swap <@UCHITRA|chitra>")
    request = swap_dm(bot, "UCHITRA")
    assert schedule_people(bot) == ["UANNA", "UBEN", "UCHITRA", "UANNA"]
    bot.driver.click("UCHITRA", request, "oncall_swap_accept")
    bot.slack.wait_for(lambda: any("Swap:" in t for t in channel_text(bot.slack)))
    assert schedule_people(bot) == ["UANNA", "UCHITRA", "UBEN", "UANNA"]
    # both told their shifts moved, once each
    for user in ("UBEN", "UCHITRA"):
        changed = [m for m in bot.slack.dm_messages(user) if "shifts in" in str(m.get("text"))]
        assert len(changed) == 1
    # the request now reads as answered, without its buttons
    answered = bot.slack.wait_for(
        lambda: next(
            (m for m in bot.slack.dm_messages("UCHITRA") if "You accepted" in str(m)), None
        )
    )
    assert "oncall_swap_accept" not in str(answered)


def test_a_declined_swap_tells_the_asker(bot: Bot) -> None:
    start(bot)
    command(bot, "UBEN", "swap <@UCHITRA|chitra>")
    bot.driver.click("UCHITRA", swap_dm(bot, "UCHITRA"), "oncall_swap_decline")
    bot.slack.wait_for(
        lambda: any("declined your swap" in str(m) for m in bot.slack.dm_messages("UBEN"))
    )
    assert schedule_people(bot) == ["UANNA", "UBEN", "UCHITRA", "UANNA"]


def test_swap_with_oneself_or_someone_outside_is_refused(bot: Bot) -> None:
    start(bot)
    assert "someone else" in str(command(bot, "UBEN", "swap <@UBEN|ben>"))
    assert "is not in this rotation" in str(command(bot, "UBEN", "swap <@UDAN|dan>"))


def test_two_people_taking_a_cover_at_once_one_gets_it(bot: Bot) -> None:
    start(bot)
    bot.driver.command("UBEN", "CTEAM", "/oncall", "cover")
    request = bot.slack.wait_for(
        lambda: next(
            (m for m in bot.slack.messages("CTEAM") if "Can someone cover" in str(m)), None
        )
    )
    with ThreadPoolExecutor(2) as pool:
        list(
            pool.map(
                lambda u: bot.driver.click(u, request, "oncall_cover_take"), ["UANNA", "UCHITRA"]
            )
        )
    bot.slack.wait_for(
        lambda: any("covers your on-call" in str(m) for m in bot.slack.dm_messages("UBEN"))
    )
    covered = [m for m in bot.slack.dm_messages("UBEN") if "covers your on-call" in str(m)]
    assert len(covered) == 1
    taker = "UANNA" if "UANNA" in str(covered[0]) else "UCHITRA"
    other = "UCHITRA" if taker == "UANNA" else "UANNA"
    bot.slack.wait_for(lambda: "already took this cover" in str(bot.slack.ephemerals(other)))
    # Ben's week is the taker's now (one shift with their own, if it follows theirs).
    text = command(bot, "UANNA", "schedule 3")["blocks"][0]["text"]["text"]
    covered_line = next(line for line in text.splitlines() if "(cover)" in line)
    assert f"<@{taker}>" in covered_line
    assert "<@UBEN>" not in text.splitlines()[1] + text.splitlines()[2]

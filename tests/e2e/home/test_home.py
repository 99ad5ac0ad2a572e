"""The Home tab through signed requests against the stand-in: published when its person
opens it and again when it would otherwise be wrong, its buttons working from there."""

from __future__ import annotations

import time
from typing import Any

from bot.demo.standin.harness import Bot
from bot.demo.standin.render import render_view
from bot.demo.standin.server import FakeSlack
from tests.fakes import utc

MONDAY_BERLIN = utc(2026, 11, 30, 9, 0)  # 10:00 in Berlin: prompts, and the handoff


def settled(bot: Bot) -> bool:
    """True once the bot has no work left and made no Slack call for a moment."""
    count = len(bot.slack.calls)
    time.sleep(0.05)
    return bot.runtime.idle() and len(bot.slack.calls) == count


def publishes(slack: FakeSlack, user: str) -> int:
    return len([c for c in slack.calls_to("views.publish") if c.args.get("user_id") == user])


def home_text(slack: FakeSlack, user: str) -> str:
    home = slack.home(user)
    assert home is not None
    return "\n".join(render_view(home))


def command(bot: Bot, user: str, channel: str, text: str) -> None:
    name, _, rest = text.partition(" ")
    assert bot.driver.command(user, channel, name, rest).status == 200
    bot.slack.wait_for(lambda: settled(bot))


def open_home(bot: Bot, user: str) -> str:
    before = publishes(bot.slack, user)
    assert bot.driver.open_home(user).status == 200
    bot.slack.wait_for(lambda: publishes(bot.slack, user) > before)
    bot.slack.wait_for(lambda: settled(bot))
    return home_text(bot.slack, user)


def team_with_two_dailies_and_a_rotation(bot: Bot) -> None:
    bot.slack.add_channel("COPS", "ops", ["UANNA", "UBEN"])
    command(bot, "UANNA", "CTEAM", "/daily start")
    command(bot, "UANNA", "COPS", "/daily start")
    command(bot, "UANNA", "COPS", "/oncall start <@UBEN|ben> <@UANNA|anna>")


def test_before_and_after_answering_and_after_a_handoff(bot: Bot) -> None:
    slack = bot.slack
    team_with_two_dailies_and_a_rotation(bot)

    # Sunday: no daily today, Ben on call until Monday's handoff, then Anna.
    shown = open_home(bot, "UANNA")
    assert "no daily today; next prompt Mon 30 Nov 10:00" in shown
    assert "on call now: <@UBEN> until Mon 30 Nov 10:00" in shown
    assert "Your next shift: Mon 30 Nov 10:00 → Mon 7 Dec 10:00" in shown
    assert "Europe/Berlin" in shown and "Answer in a form" not in shown
    assert publishes(slack, "UANNA") == 1

    # Monday 10:00 in Berlin: her prompts go out and the handoff makes her on call. One
    # publish for both changes, in the tick; Ben and Chitra never opened Home: none.
    bot.tick(MONDAY_BERLIN)
    slack.wait_for(lambda: settled(bot))
    assert publishes(slack, "UANNA") == 2
    shown = home_text(slack, "UANNA")
    assert shown.count("*waiting for your answers* today") == 2
    assert shown.count("[Answer in a form]") == 2
    assert "*you are on call* until Mon 7 Dec 10:00; then <@UBEN>" in shown
    bot.tick(utc(2026, 11, 30, 9, 1))  # nothing changed: nothing published
    assert publishes(slack, "UANNA") == 2
    assert publishes(slack, "UBEN") == publishes(slack, "UCHITRA") == 0

    # One daily answered by DM (replies go to the latest prompt), one question at a time:
    # one publish, after the last answer.
    for n, text in enumerate(["Reviews", "Deploy", "no"]):
        bot.driver.dm("UANNA", text)
        slack.wait_for(lambda: settled(bot))
        assert publishes(slack, "UANNA") == (2 if n < 2 else 3)
    shown = home_text(slack, "UANNA")
    assert shown.count(":white_check_mark: answered today") == 1
    assert shown.count("[Answer in a form]") == 1
    (waiting,) = [line for line in shown.splitlines() if "waiting for your answers" in line]
    channel = waiting.split(">")[0].removeprefix("<#")  # the other daily's channel

    # "Answer in a form" on Home opens the daily's own modal; submitting re-publishes Home.
    home = slack.home("UANNA")
    assert home is not None
    bot.driver.click("UANNA", home, "daily_answer_form")
    (modal,) = slack.wait_for(lambda: slack.open_views("UANNA"))
    assert f"<#{channel}>" in str(modal)
    bot.driver.submit(
        "UANNA",
        modal["id"],
        {f"q{n}": {"answer": text} for n, text in enumerate(["Importer", "Tests", "none"])},
    )
    slack.wait_for(lambda: publishes(slack, "UANNA") == 4)
    slack.wait_for(lambda: settled(bot))
    shown = home_text(slack, "UANNA")
    assert shown.count(":white_check_mark: answered today") == 2
    assert "Answer in a form" not in shown
    assert publishes(slack, "UBEN") == 0


def run_a_retro(bot: Bot, owner: str) -> None:
    """A short retro in CTEAM whose chosen actions all belong to `owner`."""
    slack = bot.slack
    command(bot, "UANNA", "CTEAM", "/retro start Sprint 48")
    parent = next(m for m in slack.messages("CTEAM") if "Sprint 48" in str(m))
    for text in ("Write the release steps down", "Pair on reviews", "Fix the flaky test"):
        bot.driver.post("UBEN", "CTEAM", text, thread_ts=parent["ts"])
    slack.wait_for(lambda: settled(bot))
    command(bot, "UANNA", "CTEAM", "/retro rate")
    rate = next(m for m in reversed(slack.messages("CTEAM")) if "Rate items" in str(m))
    bot.driver.click("UANNA", rate, "retro_rate")
    (view,) = slack.wait_for(lambda: slack.open_views("UANNA"))
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    values: dict[str, Any] = {b: {"value": str(1 + n % 5)} for n, b in enumerate(inputs)}
    bot.driver.submit("UANNA", view["id"], values)
    slack.wait_for(lambda: settled(bot))
    command(bot, "UANNA", "CTEAM", "/retro pick")
    with bot.runtime.services.uow_factory() as uow:
        positions = [a.position for a in uow.retros.actions(1)]
    for position in positions:
        command(bot, "UANNA", "CTEAM", f"/retro owner {position} <@{owner}|x>")
    command(bot, "UANNA", "CTEAM", "/retro close")


def test_the_retro_buttons_work_from_home(bot: Bot) -> None:
    slack = bot.slack
    assert "No open actions" in open_home(bot, "UANNA")
    # Closing the retro opens its actions: their owner's Home shows them, once.
    run_a_retro(bot, "UANNA")
    assert publishes(slack, "UANNA") == 2
    shown = home_text(slack, "UANNA")
    assert "from “Sprint 48” in <#CTEAM>" in shown
    count = shown.count("[Done] [Partly done] [Dropped]")
    assert count >= 2

    # Done from Home: no response_url there, so no reply but the Home tab, now without it.
    home = slack.home("UANNA")
    assert home is not None
    bot.driver.click("UANNA", home, "retro_status_done")
    slack.wait_for(lambda: publishes(slack, "UANNA") == 3)
    slack.wait_for(lambda: settled(bot))
    assert home_text(slack, "UANNA").count("[Done] [Partly done] [Dropped]") == count - 1
    # Partly done stays followed up, and says so.
    bot.driver.click("UANNA", slack.home("UANNA") or {}, "retro_status_partly")
    slack.wait_for(lambda: publishes(slack, "UANNA") == 4)
    slack.wait_for(lambda: settled(bot))
    shown = home_text(slack, "UANNA")
    assert shown.count("[Done] [Partly done] [Dropped]") == count - 1
    assert "partly done so far" in shown
    with bot.runtime.services.uow_factory() as uow:
        statuses = sorted(a.status for a in uow.retros.actions(1))
    assert statuses.count("done") == 1 and statuses.count("partly") == 1
    assert slack.ephemerals("UANNA") == [] or all(
        "is now" not in str(e) for e in slack.ephemerals("UANNA")
    )


def test_many_channels_stay_under_the_view_limit_and_prompts_refresh_it(bot: Bot) -> None:
    slack = bot.slack
    for n in range(40):
        slack.add_channel(f"CMANY{n:02}", f"many-{n}", ["UANNA", "UBEN"])
        command(bot, "UANNA", f"CMANY{n:02}", "/daily start")
    assert "next prompt Mon 30 Nov 10:00" in open_home(bot, "UANNA")
    # Forty prompts go out at once: one publish, after the tick's work.
    bot.tick(MONDAY_BERLIN)
    slack.wait_for(lambda: settled(bot))
    assert publishes(slack, "UANNA") == 2
    home = slack.home("UANNA")
    assert home is not None and len(home["blocks"]) < 100
    shown = home_text(slack, "UANNA")
    assert "…and 28 more." in shown and "*:sunrise: Your dailies* (40)" in shown
    assert shown.count("[Answer in a form]") == 12
    assert publishes(slack, "UBEN") == 0


def test_an_accepted_swap_is_on_the_rotations_home_tabs(bot: Bot) -> None:
    slack = bot.slack
    slack.add_channel("COPS", "ops", ["UANNA", "UBEN", "UCHITRA"])
    command(bot, "UANNA", "COPS", "/oncall start <@UANNA|anna> <@UBEN|ben> <@UCHITRA|chitra>")
    shown = open_home(bot, "UANNA")
    assert "*you are on call* until Mon 30 Nov 10:00; then <@UBEN>" in shown
    # Ben asks Chitra to swap their next shifts: nothing changes until she accepts.
    command(bot, "UBEN", "COPS", "/oncall swap <@UCHITRA|chitra>")
    request = slack.wait_for(
        lambda: next(
            (m for m in slack.dm_messages("UCHITRA") if "asks to swap" in str(m.get("text"))),
            None,
        )
    )
    assert publishes(slack, "UANNA") == 1
    bot.driver.click("UCHITRA", request, "oncall_swap_accept")
    # Anna hands over to Chitra now: her Home says so, once; the two never opened theirs.
    slack.wait_for(lambda: publishes(slack, "UANNA") == 2)
    slack.wait_for(lambda: settled(bot))
    assert "then <@UCHITRA>" in home_text(slack, "UANNA")
    assert publishes(slack, "UANNA") == 2
    assert publishes(slack, "UBEN") == publishes(slack, "UCHITRA") == 0

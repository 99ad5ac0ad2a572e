"""Bad input gets a clear answer, changes nothing it should not, and never breaks the bot."""

from __future__ import annotations

import json
import time

import pytest

from bot.demo.standin.harness import Bot
from tests.e2e.daily.test_daily import (
    MONDAY_BERLIN,
    bot_dms,
    command,
    day_parent,
    start,
)


def settings_now(bot: Bot) -> str:
    return str(command(bot, "UANNA", "CTEAM", "status"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dance", "`dance` is not a `/daily` command"),
        ("time 25:99", "`25:99` is not a time of day"),
        ("days mon,fun", "fun"),
        ("country XX", "XX"),
        ("away 2027-01-03..2026-12-21", "2026-12-21"),
        ("add maria", "Mention exactly one person"),
        ("history 500 days", "500"),
        ("questions  |  | ", "Question 1 of 3 is empty"),
    ],
)
def test_mistakes_are_explained_and_change_nothing(bot: Bot, text: str, expected: str) -> None:
    start(bot)
    before = bot.runtime.services.uow_factory
    with before() as uow:
        daily = uow.dailies.daily_in_channel("T0001", "CTEAM")
        snapshot = (daily.prompt_time, daily.weekdays, daily.questions, daily.country)
    shown = command(bot, "UANNA", "CTEAM", text)
    assert expected in shown["text"], shown["text"]
    assert "Traceback" not in shown["text"]
    with before() as uow:
        daily = uow.dailies.daily_in_channel("T0001", "CTEAM")
        assert (daily.prompt_time, daily.weekdays, daily.questions, daily.country) == snapshot


def test_adding_someone_outside_the_channel_is_refused(bot: Bot) -> None:
    start(bot)
    shown = command(bot, "UANNA", "CTEAM", "add <@UDAN|dan>")
    assert "not a member of this channel" in shown["text"]
    assert "UDAN" not in str(command(bot, "UANNA", "CTEAM", "status"))


def test_channel_commands_in_a_dm_are_refused(bot: Bot) -> None:
    shown = command(bot, "UANNA", None, "start")
    assert "not in a direct message" in shown["text"]
    with bot.runtime.services.uow_factory() as uow:
        assert uow.dailies.daily_in_channel("T0001", bot.slack.dm_channel_id("UANNA")) is None


def test_a_second_start_says_the_daily_exists(bot: Bot) -> None:
    start(bot)
    shown = command(bot, "UBEN", "CTEAM", "start")
    assert "already has a daily" in shown["text"]


def test_commands_before_start_say_how_to_start(bot: Bot) -> None:
    shown = command(bot, "UANNA", "CTEAM", "status")
    assert "/daily start" in shown["text"]


def test_away_for_someone_else_needs_a_manager(bot: Bot) -> None:
    start(bot)  # UANNA owns the daily
    shown = command(bot, "UBEN", "CTEAM", "away 2026-12-21..2027-01-03 <@UCHITRA|chitra>")
    assert "Only the daily's owner" in shown["text"]
    shown = command(bot, "UANNA", "CTEAM", "away 2026-12-21..2027-01-03 <@UCHITRA|chitra>")
    assert "away from Mon 21 Dec 2026 to Sun 3 Jan 2027" in shown["text"]


def test_a_huge_answer_and_a_broadcast_are_kept_but_cannot_break_or_ping(bot: Bot) -> None:
    slack = bot.slack
    start(bot)
    bot.tick(MONDAY_BERLIN)
    huge = "x" * 50_000
    bot.driver.dm("UANNA", huge)
    bot.driver.dm("UANNA", "<!channel> <!here> <!subteam^S1|@devs> look")
    bot.driver.dm("UANNA", "no")
    slack.wait_for(lambda: len(bot_dms(slack, "UANNA")) == 4)
    parent = day_parent(slack)
    (answers,) = slack.wait_for(lambda: slack.thread("CTEAM", parent["ts"])[1:])
    shown = json.dumps(answers)
    assert shown.count("x" * 1000) >= 40  # split over several blocks, most of it shown
    assert "<!" not in shown
    with bot.runtime.services.uow_factory() as uow:
        prompt = uow.dailies.latest_prompt_sent_to("T0001", "UANNA")
        texts = [a.text for a in uow.dailies.answers(prompt.id)]
    assert texts[0] == huge and texts[1].startswith("<!channel>")  # nothing lost


def test_forged_stale_and_malformed_requests(bot: Bot) -> None:
    body = b"command=%2Fdaily&text=help&team_id=T0001&user_id=UANNA&channel_id=CTEAM"
    form = "application/x-www-form-urlencoded"
    forged = bot.driver.send(body, form, {"X-Slack-Signature": "v0=" + "0" * 64})
    assert forged.status == 401
    stale = bot.driver.send(body, form, timestamp=int(time.time()) - 60 * 10)
    assert stale.status == 401
    unsigned = bot.driver.send(body, form, sign_request=False)
    assert unsigned.status == 401
    garbage = bot.driver.send(b"payload=%7Bnot-json", form)
    assert garbage.status == 400
    not_json = bot.driver.send(b"{nope", "application/json")
    assert not_json.status == 400
    missing = bot.driver.send(b"command=%2Fdaily&text=status", form)
    assert missing.status in (200, 400)
    assert bot.driver.command("UANNA", "CTEAM", "/daily", "help").status == 200  # still alive
    bot.slack.violations.clear()  # the bad requests above were ours, on purpose


def test_a_retried_event_is_processed_once(bot: Bot) -> None:
    slack = bot.slack
    start(bot)
    bot.tick(MONDAY_BERLIN)
    bot.driver.dm("UANNA", "first")
    for attempt in (1, 2, 3):
        assert bot.driver.retry(n=attempt).status == 200
    slack.wait_for(lambda: len(bot_dms(slack, "UANNA")) == 2)
    time.sleep(0.2)
    assert len(bot_dms(slack, "UANNA")) == 2
    with bot.runtime.services.uow_factory() as uow:
        prompt = uow.dailies.latest_prompt_sent_to("T0001", "UANNA")
        assert [a.text for a in uow.dailies.answers(prompt.id)] == ["first"]


def test_settings_form_validates_and_saves(bot: Bot) -> None:
    slack = bot.slack
    start(bot)
    bot.driver.command("UANNA", "CTEAM", "/daily", "settings")
    (view,) = slack.wait_for(lambda: slack.open_views("UANNA"))
    values = {
        "time": {"value": "08:45"},
        "days": {"value": ["0", "2", "4"]},
        "questions": {"value": "Done?\nNext?\nBlocked?"},
        "country": {"value": "Narnia"},
        "paused": {"value": []},
    }
    bot.driver.submit("UANNA", view["id"], values)
    assert "country" in slack.view_errors(view["id"])
    values["country"] = {"value": "de"}
    bot.driver.submit("UANNA", view["id"], values)
    slack.wait_for(lambda: not slack.open_views("UANNA"))
    shown = str(command(bot, "UANNA", "CTEAM", "help"))
    assert shown

    def saved() -> bool:  # stored right after the modal's ack, once requests pause
        with bot.runtime.services.uow_factory() as uow:
            daily = uow.dailies.daily_in_channel("T0001", "CTEAM")
            return daily is not None and f"{daily.prompt_time:%H:%M}" == "08:45"

    slack.wait_for(saved)
    with bot.runtime.services.uow_factory() as uow:
        daily = uow.dailies.daily_in_channel("T0001", "CTEAM")
        assert daily.weekdays == frozenset({0, 2, 4})
        assert daily.questions == ["Done?", "Next?", "Blocked?"]
        assert daily.country == "DE"


def test_a_request_arriving_as_the_bot_stops_is_refused_for_slack_to_send_again(bot: Bot) -> None:
    start(bot)
    bot.tick(MONDAY_BERLIN)
    assert bot.runtime.gate.close(timeout=5)
    bot.driver.dm("UANNA", "late answer")
    refused = bot.driver.retry(n=1)  # the first delivery met the same closed gate
    assert refused.status == 503
    with bot.runtime.services.uow_factory() as uow:
        prompt = uow.dailies.latest_prompt_sent_to("T0001", "UANNA")
        assert list(uow.dailies.answers(prompt.id)) == []  # not taken, so not half-done
    assert len(bot.slack.violations) == 2  # the stand-in notes each 503 Slack would retry
    bot.slack.violations.clear()

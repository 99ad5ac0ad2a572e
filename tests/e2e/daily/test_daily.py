"""A daily from /daily start to the closing summary, through signed requests and the fake Slack."""

from __future__ import annotations

from typing import Any

from bot.demo.standin.harness import Bot
from bot.demo.standin.server import FakeSlack
from tests.fakes import utc

MONDAY_BERLIN = utc(2026, 11, 30, 9, 0)
MONDAY_NEW_YORK = utc(2026, 11, 30, 15, 0)


def ephemeral_after(slack: FakeSlack, user: str, count: int) -> dict[str, Any]:
    """Waits for the user's next ephemeral reply (acks and response_url posts arrive async)."""
    shown = slack.wait_for(lambda: len(slack.ephemerals(user)) > count and slack.ephemerals(user))
    return shown[-1]


def command(bot: Bot, user: str, channel: str | None, text: str) -> dict[str, Any]:
    before = len(bot.slack.ephemerals(user))
    result = bot.driver.command(user, channel, "/daily", text)
    assert result.status == 200
    return ephemeral_after(bot.slack, user, before)


def bot_dms(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [m for m in slack.dm_messages(user) if m.get("bot_id")]


def day_parent(slack: FakeSlack) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        for message in slack.messages("CTEAM"):
            if (message.get("metadata") or {}).get("event_type") == "ceremony_daily_run":
                return message
        return None

    return slack.wait_for(find)


def start(bot: Bot) -> None:
    bot.driver.command("UANNA", "CTEAM", "/daily", "start")
    bot.slack.wait_for(lambda: bot.slack.messages("CTEAM"))


def test_help_and_empty_text_show_usage(bot: Bot) -> None:
    for text in ("help", ""):
        shown = command(bot, "UANNA", "CTEAM", text)
        assert "/daily start" in str(shown)


def test_start_posts_the_settings_and_takes_only_people(bot: Bot) -> None:
    start(bot)
    (summary,) = bot.slack.messages("CTEAM")
    text = str(summary)
    assert "10:00" in text and "Mon–Fri" in text
    assert "UANNA" in text and "UBEN" in text and "UCHITRA" in text
    assert "UROBOT" not in text and "UGONE" not in text


def test_a_whole_day(bot: Bot) -> None:
    slack = bot.slack
    start(bot)
    bot.tick(MONDAY_BERLIN)
    (prompt,) = bot_dms(slack, "UANNA")
    assert "What did you do yesterday?" in str(prompt)
    assert "Answer in a form" in str(prompt)
    assert bot_dms(slack, "UBEN") == []  # 04:00 in New York

    bot.driver.dm("UANNA", "Wrote the importer")
    slack.wait_for(lambda: len(bot_dms(slack, "UANNA")) == 2)
    assert "What will you do today?" in str(bot_dms(slack, "UANNA")[-1])
    bot.driver.retry()  # Slack redelivers the same event: still one answer
    bot.driver.dm("UANNA", "Tests for it")
    slack.wait_for(lambda: len(bot_dms(slack, "UANNA")) == 3)
    assert "Any blockers?" in str(bot_dms(slack, "UANNA")[-1])
    last = bot.driver.dm("UANNA", "Waiting for <!channel> to review, see <@UBEN>")
    slack.wait_for(lambda: len(bot_dms(slack, "UANNA")) == 4)
    assert "Thanks" in str(bot_dms(slack, "UANNA")[-1])

    parent = day_parent(slack)
    replies = slack.wait_for(lambda: slack.thread("CTEAM", parent["ts"])[1:])
    (answers,) = replies
    shown = str(answers)
    assert "Wrote the importer" in shown and "Tests for it" in shown
    assert "has a blocker" in shown
    assert "<!channel>" not in shown and "<@UBEN>" in shown

    bot.driver.edit("UANNA", "UANNA", last, "None")
    slack.wait_for(lambda: "has a blocker" not in str(slack.thread("CTEAM", parent["ts"])[1]))

    bot.tick(MONDAY_NEW_YORK)
    assert len(bot_dms(slack, "UBEN")) == 1
    bot.tick(utc(2026, 11, 30, 17, 5))  # two hours after New York's prompt
    assert "reminder" in str(bot_dms(slack, "UBEN")[-1]).lower()
    assert len(bot_dms(slack, "UANNA")) == 4  # answered: no reminder
    bot.tick(utc(2026, 11, 30, 17, 10))
    assert len(bot_dms(slack, "UBEN")) == 2  # one reminder only

    bot.tick(utc(2026, 11, 30, 23, 0))  # eight hours after the last prompt time
    closed = str(slack.thread("CTEAM", parent["ts"])[0])
    assert "Answered (1)" in closed and "Did not answer (2)" in closed


def test_answer_in_a_form(bot: Bot) -> None:
    slack = bot.slack
    start(bot)
    bot.tick(MONDAY_BERLIN)
    (prompt,) = bot_dms(slack, "UANNA")
    bot.driver.click("UANNA", prompt, "daily_answer_form")
    (view,) = slack.wait_for(lambda: slack.open_views("UANNA"))
    response = bot.driver.submit(
        "UANNA",
        view["id"],
        {"q0": {"answer": "Form work & <b>"}, "q1": {"answer": "More"}, "q2": {"answer": "no"}},
    )
    assert response.status == 200
    parent = day_parent(slack)
    replies = slack.wait_for(lambda: slack.thread("CTEAM", parent["ts"])[1:])
    assert "Form work &amp; &lt;b&gt;" in str(replies[0])


def test_an_empty_form_answer_is_refused_in_the_form(bot: Bot) -> None:
    slack = bot.slack
    start(bot)
    bot.tick(MONDAY_BERLIN)
    (prompt,) = bot_dms(slack, "UANNA")
    bot.driver.click("UANNA", prompt, "daily_answer_form")
    (view,) = slack.wait_for(lambda: slack.open_views("UANNA"))
    bot.driver.submit(
        "UANNA", view["id"], {"q0": {"answer": " "}, "q1": {"answer": "x"}, "q2": {"answer": "no"}}
    )
    assert "q0" in slack.view_errors(view["id"])


def test_status_and_history(bot: Bot) -> None:
    slack = bot.slack
    start(bot)
    bot.tick(MONDAY_BERLIN)
    for text in ("a", "b", "c"):
        bot.driver.dm("UANNA", text)
    slack.wait_for(lambda: len(bot_dms(slack, "UANNA")) == 4)
    status = str(command(bot, "UBEN", "CTEAM", "status"))
    assert "Answered (1)" in status
    history = str(command(bot, "UBEN", "CTEAM", "history <@UANNA|anna> 3 days"))
    assert "*What did you do yesterday?*" in history and "a" in history

"""A daily in Russian (DEFAULT_LOCALE=ru) through signed requests and the stand-in: every
message in the catalog's words, within Slack's limits, nothing English left in what the
team reads but what they wrote themselves."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.server import FakeSlack
from tests.e2e.conftest import SUNDAY_NOON
from tests.e2e.daily.test_daily import MONDAY_BERLIN, bot_dms, command, day_parent


def test_a_whole_day_in_russian(slack: FakeSlack, tmp_path: Path) -> None:
    # Anna's Slack language has no catalog (German): she reads DEFAULT_LOCALE; the others
    # have Russian in Slack.
    slack.set_user_locale("UANNA", "de-DE")
    for user in ("UBEN", "UCHITRA"):
        slack.set_user_locale(user, "ru-RU")
    with running_bot(slack, tmp_path, SUNDAY_NOON, default_locale="ru") as bot:
        bot.driver.command("UANNA", "CTEAM", "/daily", "start")
        settings = json.dumps(slack.wait_for(lambda: slack.messages("CTEAM")), ensure_ascii=False)
        assert "Стендап" in settings or "стендап" in settings
        assert "What did you do yesterday?" not in settings  # the default questions, in Russian
        # Weekday names in Russian, as the team types them.
        days = bot.driver.command("UANNA", "CTEAM", "/daily", "days пн,ср,пт")
        assert days.status == 200
        changed = slack.wait_for(lambda: slack.ephemerals("UANNA"))
        assert "пн, ср, пт" in json.dumps(changed, ensure_ascii=False)
        bot.tick(MONDAY_BERLIN)
        (prompt,) = bot_dms(slack, "UANNA")
        shown = json.dumps(prompt, ensure_ascii=False)
        assert "Ответить в форме" in shown and "Answer in a form" not in shown
        assert "пн, 30 нояб. 2026" in shown and "Mon 30 Nov" not in shown
        for answer in ("Написала импортёр", "Тесты к нему", "Жду ревью"):
            before = len(bot_dms(slack, "UANNA"))
            bot.driver.dm("UANNA", answer)
            slack.wait_for(lambda b=before: len(bot_dms(slack, "UANNA")) > b)
        thanks = json.dumps(bot_dms(slack, "UANNA")[-1], ensure_ascii=False)
        assert "Спасибо" in thanks
        parent = day_parent(slack)

        def thread() -> str:
            return json.dumps(slack.thread("CTEAM", parent["ts"]), ensure_ascii=False)

        slack.wait_for(lambda: "Жду ревью" in thread())  # the blocker, in her own words
        assert "Answers" not in thread() and "Blocker" not in thread()
        # Chitra (Kolkata, also due) says "нет": no blocker.
        for answer in ("Модель", "Эксперименты", "нет"):
            before = len(bot_dms(slack, "UCHITRA"))
            bot.driver.dm("UCHITRA", answer)
            slack.wait_for(lambda b=before: len(bot_dms(slack, "UCHITRA")) > b)
        posts = slack.wait_for(
            lambda: [
                m
                for m in slack.thread("CTEAM", parent["ts"])
                if "Эксперименты" in json.dumps(m, ensure_ascii=False)
            ]
        )
        assert ":rotating_light:" not in json.dumps(posts, ensure_ascii=False)
        assert ":rotating_light:" in thread()  # Anna's blocker stands out
    assert slack.violations == []


WEDNESDAY_BERLIN = MONDAY_BERLIN + timedelta(days=2)
# What each language calls the prompt's form button, and the day's parent in the channel.
FORM_BUTTON = {"en": "Answer in a form", "ru": "Ответить в форме", "ja": "フォームで回答"}
PARENT = {"en": "Daily standup", "ru": "Стендап", "ja": "デイリー"}


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def speaks(message: dict[str, Any], words: dict[str, str]) -> str:
    """The one language of `words` the message is in (it must be in exactly one)."""
    (language,) = [code for code, word in words.items() if word in shown(message)]
    return language


def answer_all(bot: Bot, user: str, answers: tuple[str, ...]) -> None:
    for answer in answers:
        before = len(bot_dms(bot.slack, user))
        bot.driver.dm(user, answer)
        bot.slack.wait_for(lambda b=before: len(bot_dms(bot.slack, user)) > b)


def parent_of(slack: FakeSlack, day: str) -> dict[str, Any]:
    """The daily's parent message of one day, found by its metadata and its date."""

    def find() -> dict[str, Any] | None:
        for message in slack.messages("CTEAM"):
            meta = message.get("metadata") or {}
            if meta.get("event_type") == "ceremony_daily_run" and day in shown(message):
                return message
        return None

    return slack.wait_for(find)


def test_each_person_reads_their_own_language_and_the_thread_the_channels(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """One person per language (Slack locales en-US, ru-RU, ja-JP): each prompt in its
    reader's language, the day's thread in the channel's (its owner's, Anna's English);
    `/daily language` changes a person's next prompt and the channel's next thread."""
    slack.set_user_locale("UANNA", "en-US")
    slack.set_user_locale("UBEN", "ru-RU")
    slack.set_user_locale("UCHITRA", "ja-JP")
    with running_bot(slack, tmp_path, SUNDAY_NOON) as bot:
        bot.driver.command("UANNA", "CTEAM", "/daily", "start")
        started = slack.wait_for(lambda: slack.messages("CTEAM"))
        assert "Daily standup" in shown(started[0]) or "10:00" in shown(started[0])
        # Ben (Russian) sets the days in Russian; the reply is his language's.
        before = len(slack.ephemerals("UBEN"))
        bot.driver.command("UBEN", "CTEAM", "/daily", "days пн,ср,пт")
        changed = slack.wait_for(lambda: slack.ephemerals("UBEN")[before:])
        assert "пн, ср, пт" in shown(changed[-1]) and "Рабочие дни" in shown(changed[-1])
        bot.tick(MONDAY_BERLIN)  # Anna (Berlin) and Chitra (Kolkata) are due
        assert speaks(bot_dms(slack, "UANNA")[0], FORM_BUTTON) == "en"
        assert speaks(bot_dms(slack, "UCHITRA")[0], FORM_BUTTON) == "ja"
        assert "11月30日(月)" in shown(bot_dms(slack, "UCHITRA")[0])  # dates as Japanese does
        parent = day_parent(slack)
        assert speaks(parent, PARENT) == "en"
        bot.tick(MONDAY_BERLIN + timedelta(hours=6))  # Ben, New York 10:00
        (ben_prompt,) = bot_dms(slack, "UBEN")
        assert speaks(ben_prompt, FORM_BUTTON) == "ru" and "пн, 30 нояб." in shown(ben_prompt)
        # Ben's "нет" is no blocker; his thanks are in Russian, his post in the English thread.
        answer_all(bot, "UBEN", ("Импортёр", "Тесты", "нет"))
        assert "Спасибо" in shown(bot_dms(slack, "UBEN")[-1])
        posted = slack.wait_for(
            lambda: [m for m in slack.thread("CTEAM", parent["ts"]) if "Импортёр" in shown(m)]
        )
        assert ":rotating_light:" not in shown(posted)
        assert "What did you do yesterday?" in shown(posted)  # the questions, in English
        # Anna chooses Japanese in her DM with the bot: told so in Japanese.
        before = len(slack.ephemerals("UANNA"))
        bot.driver.command("UANNA", None, "/daily", "language ja")
        told = slack.wait_for(lambda: slack.ephemerals("UANNA")[before:])
        assert "日本語" in shown(told[-1]) and "Done" not in shown(told[-1])
        # Someone sets the channel's language to Russian.
        before = len(slack.ephemerals("UCHITRA"))
        bot.driver.command("UCHITRA", "CTEAM", "/daily", "language ru")
        slack.wait_for(lambda: slack.ephemerals("UCHITRA")[before:])
        bot.tick(WEDNESDAY_BERLIN)
        wednesday = bot_dms(slack, "UANNA")[-1]
        assert (wednesday.get("metadata") or {}).get("event_type") == "ceremony_daily_prompt"
        assert speaks(wednesday, FORM_BUTTON) == "ja" and "12月2日(水)" in shown(wednesday)
        assert speaks(bot_dms(slack, "UCHITRA")[-1], FORM_BUTTON) == "ja"
        assert speaks(parent_of(slack, "2 дек."), PARENT) == "ru"
    assert slack.violations == []


def test_language_shows_where_it_comes_from_and_refuses_what_it_cannot_speak(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.set_user_locale("UBEN", "ru-RU")
    slack.set_user_locale("UANNA", "de-DE")
    with running_bot(slack, tmp_path, SUNDAY_NOON) as bot:
        bot.driver.command("UANNA", "CTEAM", "/daily", "start")
        slack.wait_for(lambda: slack.messages("CTEAM"))
        ben = command(bot, "UBEN", "CTEAM", "language")
        assert "Русский" in shown(ben) and "ru-RU" in shown(ben)  # his Slack language
        anna = command(bot, "UANNA", "CTEAM", "language")
        assert "de-DE" in shown(anna) and "English" in shown(anna)  # no German: the default
        refused = command(bot, "UANNA", "CTEAM", "language klingon")
        assert "klingon" in shown(refused) and "`ru`" in shown(refused) and "`ja`" in shown(refused)
        mine = command(bot, "UANNA", "CTEAM", "language me ru")
        assert "Готово" in shown(mine)
        cleared = command(bot, "UANNA", None, "language auto")
        assert "Done" in shown(cleared)  # back to the default, English
        assert "English" in shown(command(bot, "UANNA", "CTEAM", "language"))
        helped = command(bot, "UBEN", "CTEAM", "help")
        assert "/daily language" in shown(helped)
    assert slack.violations == []

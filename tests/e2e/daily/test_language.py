"""A daily in Russian (DEFAULT_LOCALE=ru) through signed requests and the stand-in: every
message in the catalog's words, within Slack's limits, nothing English left in what the
team reads but what they wrote themselves."""

from __future__ import annotations

import json
from pathlib import Path

from bot.demo.standin.harness import running_bot
from bot.demo.standin.server import FakeSlack
from tests.e2e.conftest import SUNDAY_NOON
from tests.e2e.daily.test_daily import MONDAY_BERLIN, bot_dms, day_parent


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
        assert "Mon, Wed, Fri" in json.dumps(changed, ensure_ascii=False)
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

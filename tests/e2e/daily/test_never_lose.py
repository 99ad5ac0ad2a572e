"""Acknowledged means stored: Slack errors, failing work and retried events lose no answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.demo.standin.harness import Bot
from ceremonies.daily import answers as daily_answers
from tests.e2e.daily.test_daily import MONDAY_BERLIN, bot_dms, start

FIRST_QUESTION = "What did you do yesterday?"


def prompts_seen(bot: Bot, user: str) -> int:
    return sum(FIRST_QUESTION in str(m) for m in bot_dms(bot.slack, user))


def stored_answers(bot: Bot, user: str) -> list[str]:
    with bot.runtime.services.uow_factory() as uow:
        prompt = uow.dailies.latest_prompt_sent_to("T0001", user)
        return [a.text for a in uow.dailies.answers(prompt.id)] if prompt else []


def settle(bot: Bot) -> None:
    bot.slack.wait_for(bot.runtime.idle, timeout=10)


def count_dm_replies(monkeypatch: pytest.MonkeyPatch, failing: int = 0) -> list[int]:
    """Wraps the daily's DM-reply service: one entry per call; the first `failing` calls
    fail as if the database went away."""
    real = daily_answers.take_dm_reply
    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) <= failing:
            raise ConnectionError("the database went away")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(daily_answers, "take_dm_reply", counted)
    return calls


def test_a_prompt_slack_posted_then_answered_500_is_seen_once_and_answered(bot: Bot) -> None:
    start(bot)
    bot.slack.fail_after_posting["UANNA"] = 1  # posts, then HTTP 500
    bot.tick(MONDAY_BERLIN)
    assert prompts_seen(bot, "UANNA") == 1
    bot.driver.dm("UANNA", "Wrote the importer")
    bot.slack.wait_for(lambda: "What will you do today?" in str(bot_dms(bot.slack, "UANNA")))
    for minutes in (3, 10, 30):  # later ticks, past every lease: nothing is sent again
        bot.tick(MONDAY_BERLIN + timedelta(minutes=minutes))
    settle(bot)
    assert prompts_seen(bot, "UANNA") == 1
    assert stored_answers(bot, "UANNA") == ["Wrote the importer"]


def test_work_that_fails_after_the_ack_is_replayed_by_the_next_tick(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(bot)
    bot.tick(MONDAY_BERLIN)
    calls = count_dm_replies(monkeypatch, failing=1)
    bot.driver.dm("UANNA", "Wrote the importer")
    settle(bot)
    assert stored_answers(bot, "UANNA") == []  # acknowledged, not yet stored: in the inbox
    bot.tick(MONDAY_BERLIN + timedelta(minutes=1))  # the claim is still fresh
    settle(bot)
    assert stored_answers(bot, "UANNA") == []
    bot.tick(MONDAY_BERLIN + timedelta(minutes=3))  # past the lease: replayed
    settle(bot)
    assert stored_answers(bot, "UANNA") == ["Wrote the importer"]
    assert "What will you do today?" in str(bot_dms(bot.slack, "UANNA"))
    bot.tick(MONDAY_BERLIN + timedelta(minutes=10))
    settle(bot)
    assert stored_answers(bot, "UANNA") == ["Wrote the importer"]
    assert len(calls) == 2


def test_slack_retrying_an_event_whose_work_failed_gets_it_stored_once(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(bot)
    bot.tick(MONDAY_BERLIN)
    count_dm_replies(monkeypatch, failing=1)
    bot.driver.dm("UANNA", "Wrote the importer")
    settle(bot)
    for n in (1, 2, 3):  # Slack's retries: the first is taken, the others are known
        assert bot.driver.retry(n=n).status == 200
        settle(bot)
    assert stored_answers(bot, "UANNA") == ["Wrote the importer"]
    assert sum("What will you do today?" in str(m) for m in bot_dms(bot.slack, "UANNA")) == 1


def test_work_that_ended_is_not_taken_again_by_a_tick_right_after_it(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The ends of finished requests are recorded in batches, a moment later; a tick whose
    # clock is already past the lease (as a demo's jumps) must not take them again.
    start(bot)
    bot.tick(MONDAY_BERLIN)
    calls = count_dm_replies(monkeypatch)
    bot.driver.dm("UANNA", "Wrote the importer")
    settle(bot)
    bot.tick(MONDAY_BERLIN + timedelta(hours=1))
    settle(bot)
    assert stored_answers(bot, "UANNA") == ["Wrote the importer"]
    assert len(calls) == 1

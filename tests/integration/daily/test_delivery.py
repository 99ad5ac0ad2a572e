"""run-due on a real database: exactly one prompt per person and day, whatever happens."""

from __future__ import annotations

import threading
from datetime import date, datetime

from ceremonies.core.request import Actor, Request, Written
from ceremonies.daily import answers as daily_answers
from ceremonies.daily import setup as daily_setup
from ceremonies.daily.delivery import claim_prompt, run_due
from ceremonies.daily.rules import LEASE
from ceremonies.daily.tick_report import TickReport
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FakeChat, utc

SUNDAY = utc(2026, 11, 29, 12, 0)
MONDAY_KOLKATA = utc(2026, 11, 30, 4, 30)  # 10:00 in Kolkata
MONDAY_BERLIN = utc(2026, 11, 30, 9, 0)  # 10:00 in Berlin
MONDAY_NEW_YORK = utc(2026, 11, 30, 15, 0)  # 10:00 in New York


def by(user: str, now: datetime, channel: str = "CTEAM") -> Request:
    return Request("T1", channel, Actor(user), now)


def start(uow_factory: SqlUnitOfWorkFactory, chat: FakeChat) -> daily_setup.DailySettings:
    return daily_setup.start_daily(uow_factory, chat, by("UBERLIN", SUNDAY))


def prompts_to(chat: FakeChat, user: str) -> int:
    return len(chat.to("D" + user, "daily/prompt"))


def test_start_takes_humans_only(uow_factory, chat):
    settings = start(uow_factory, chat)
    assert sorted(settings.participants) == ["UBERLIN", "UKOLKATA", "UNEWYORK"]
    assert settings.next_prompts["UBERLIN"] == MONDAY_BERLIN
    assert settings.next_prompts["UNEWYORK"] == MONDAY_NEW_YORK
    assert settings.next_prompts["UKOLKATA"] == MONDAY_KOLKATA


def test_each_person_is_prompted_at_their_local_time_once(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_KOLKATA)
    assert [prompts_to(chat, u) for u in ("UKOLKATA", "UBERLIN", "UNEWYORK")] == [1, 0, 0]
    assert len(chat.to("CTEAM", "daily/parent")) == 1
    run_due(uow_factory, chat, MONDAY_KOLKATA)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    run_due(uow_factory, chat, MONDAY_NEW_YORK)
    assert [prompts_to(chat, u) for u in ("UKOLKATA", "UBERLIN", "UNEWYORK")] == [1, 1, 1]
    assert len(chat.to("CTEAM", "daily/parent")) == 1  # one thread per daily and day


def test_concurrent_ticks_never_double_prompt(uow_factory, chat):
    start(uow_factory, chat)
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            run_due(uow_factory, chat, MONDAY_NEW_YORK)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [prompts_to(chat, u) for u in ("UKOLKATA", "UBERLIN", "UNEWYORK")] == [1, 1, 1]
    assert len(chat.to("CTEAM", "daily/parent")) == 1


def test_a_claim_that_died_before_sending_is_sent_by_the_next_run(uow_factory, chat):
    start(uow_factory, chat)
    claim = claim_prompt(
        uow_factory, _participant_id(uow_factory, "UBERLIN"), MONDAY_BERLIN, TickReport()
    )
    assert claim is not None and prompts_to(chat, "UBERLIN") == 0  # the worker "died" here
    run_due(uow_factory, chat, MONDAY_BERLIN)  # within the lease: left alone
    assert prompts_to(chat, "UBERLIN") == 0
    report = run_due(uow_factory, chat, MONDAY_BERLIN + LEASE * 2)
    assert prompts_to(chat, "UBERLIN") == 1
    assert report.prompts_recovered == 1


def test_a_prompt_sent_but_not_recorded_is_found_not_repeated(uow_factory, chat):
    start(uow_factory, chat)
    chat.fail_posts_to.add("CTEAM")  # the parent fails: this worker stops after its claim
    pid = _participant_id(uow_factory, "UBERLIN")
    claim = claim_prompt(uow_factory, pid, MONDAY_BERLIN, TickReport())
    assert claim is not None
    # The DM went out, then the process died before writing that down.
    from ceremonies.daily.delivery import prompt_message

    with uow_factory() as uow:
        prompt = uow.dailies.prompt(claim.prompt_id)
        chat.post("T1", "UBERLIN", prompt_message(prompt, "CTEAM", False))
    chat.fail_posts_to.clear()
    run_due(uow_factory, chat, MONDAY_BERLIN + LEASE * 2)
    assert prompts_to(chat, "UBERLIN") == 1
    with uow_factory() as uow:
        assert uow.dailies.prompt(claim.prompt_id).status == "sent"
        run = uow.dailies.run(claim.run_id)
        assert run.parent_ts is not None  # the parent was recovered as well
    assert len(chat.to("CTEAM", "daily/parent")) == 1


def test_after_downtime_today_is_sent_late_and_yesterday_is_not(uow_factory, chat):
    start(uow_factory, chat)
    # Down all Monday and until Tuesday 11:00 in Berlin.
    report = run_due(uow_factory, chat, utc(2026, 12, 1, 10, 0))
    assert prompts_to(chat, "UBERLIN") == 1
    assert prompts_to(chat, "UKOLKATA") == 1
    assert prompts_to(chat, "UNEWYORK") == 0  # still Tuesday 05:00 in New York
    assert report.prompts_missed == 3
    (sent,) = chat.to("DUBERLIN", "daily/prompt")
    assert sent.message.context["local_date"] == date(2026, 12, 1)
    assert sent.message.context["late"] is True


def test_no_prompt_on_weekend_skip_or_absence(uow_factory, chat):
    start(uow_factory, chat)
    daily_setup.skip_today(uow_factory, by("UBERLIN", utc(2026, 11, 30, 7, 0)))
    range_ = daily_setup.DateRange(date(2026, 11, 30), date(2026, 12, 1))
    daily_setup.add_absence(uow_factory, chat, by("UNEWYORK", SUNDAY), "UNEWYORK", range_)
    for day in range(28, 31):  # Sat, Sun, Mon every hour
        for hour in range(24):
            run_due(uow_factory, chat, utc(2026, 11, day, hour, 30))
    assert [prompts_to(chat, u) for u in ("UKOLKATA", "UBERLIN", "UNEWYORK")] == [1, 0, 0]


def test_reminder_once_and_closing_summary(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_NEW_YORK)
    answer_all(uow_factory, chat, "UBERLIN", ["shipped", "review", "none"], MONDAY_NEW_YORK)
    (thread_post,) = chat.to("CTEAM", "daily/answers")
    assert thread_post.message.thread_ts == chat.to("CTEAM", "daily/parent")[0].ts
    assert thread_post.message.context["has_blocker"] is False
    two_hours_later = utc(2026, 11, 30, 17, 1)
    run_due(uow_factory, chat, two_hours_later)
    run_due(uow_factory, chat, two_hours_later)
    assert len(chat.to("DUNEWYORK", "daily/reminder")) == 1
    assert len(chat.to("DUKOLKATA", "daily/reminder")) == 1
    assert chat.to("DUBERLIN", "daily/reminder") == []
    report = run_due(uow_factory, chat, utc(2026, 11, 30, 23, 0))  # 8 h after New York's prompt
    assert report.days_closed == 1
    parent = chat.to("CTEAM", "daily/parent")[0].current
    assert parent.context["closed"] is True
    assert parent.context["answered"] == ["UBERLIN"]
    assert sorted(parent.context["waiting"]) == ["UKOLKATA", "UNEWYORK"]
    # A late answer is still posted and the summary follows.
    answer_all(
        uow_factory,
        chat,
        "UNEWYORK",
        ["a", "b", "waiting on the API team"],
        utc(2026, 11, 30, 23, 30),
    )
    late = chat.to("CTEAM", "daily/answers")[-1].message.context
    assert late["late"] is True and late["has_blocker"] is True
    parent = chat.to("CTEAM", "daily/parent")[0].current
    assert parent.context["answered"] == ["UBERLIN", "UNEWYORK"]
    assert parent.context["blocked"] == ["UNEWYORK"]


def test_edit_changes_the_stored_answer_and_the_thread(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    answer_all(uow_factory, chat, "UBERLIN", ["x", "y", "no"], MONDAY_BERLIN)
    assert daily_answers.take_edit(
        uow_factory,
        chat,
        by("UBERLIN", MONDAY_BERLIN, "DUBERLIN"),
        Written("m-UBERLIN-1", "fixed <!channel> bug"),
    )
    (post,) = chat.to("CTEAM", "daily/answers")
    assert post.current.context["items"][1]["answer"] == "fixed <!channel> bug"


def test_fifty_thousand_characters_are_kept_whole(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    long = "word " * 10_000
    answer_all(uow_factory, chat, "UBERLIN", [long, "y", "no"], MONDAY_BERLIN)
    with uow_factory() as uow:
        prompt = uow.dailies.latest_prompt_sent_to("T1", "UBERLIN")
        assert uow.dailies.answers(prompt.id)[0].text == long


def test_time_zone_change_moves_the_next_prompt(uow_factory, chat):
    start(uow_factory, chat)
    daily_setup.refresh_time_zone(uow_factory, "T1", "UBERLIN", "Asia/Kolkata", SUNDAY)
    settings = daily_setup.show_settings(uow_factory, by("UBERLIN", SUNDAY))
    assert settings.next_prompts["UBERLIN"] == MONDAY_KOLKATA


def answer_all(uow_factory, chat, user, texts, now):
    for index, text in enumerate(texts):
        daily_answers.take_dm_reply(
            uow_factory, chat, by(user, now, "D" + user), Written(f"m-{user}-{index}", text)
        )


def _participant_id(uow_factory, user):
    with uow_factory() as uow:
        daily = uow.dailies.daily_in_channel("T1", "CTEAM")
        return uow.dailies.participant(daily.id, user).id


def test_replies_processed_out_of_order_answer_in_the_order_written(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    for ts, text in (
        ("1764493300.000300", "third"),
        ("1764493100.000100", "first"),
        ("1764493200.000200", "second"),
    ):
        daily_answers.take_dm_reply(
            uow_factory, chat, by("UBERLIN", MONDAY_BERLIN, "DUBERLIN"), Written(ts, text)
        )
    with uow_factory() as uow:
        prompt = uow.dailies.latest_prompt_sent_to("T1", "UBERLIN")
        assert [a.text for a in uow.dailies.answers(prompt.id)] == ["first", "second", "third"]
        assert prompt.status == "answered"
    (post,) = chat.to("CTEAM", "daily/answers")
    assert [i["answer"] for i in post.message.context["items"]] == ["first", "second", "third"]


def test_a_reply_to_a_prompt_not_yet_recorded_as_sent_is_its_answer(uow_factory, chat):
    start(uow_factory, chat)
    pid = _participant_id(uow_factory, "UBERLIN")
    claim = claim_prompt(uow_factory, pid, MONDAY_BERLIN, TickReport())
    assert claim is not None
    # Slack posted the prompt, but the bot never learned it did (a 500 after posting).
    daily_answers.take_dm_reply(
        uow_factory, chat, by("UBERLIN", MONDAY_BERLIN, "DUBERLIN"), Written("m-1", "shipped")
    )
    with uow_factory() as uow:
        prompt = uow.dailies.prompt(claim.prompt_id)
        assert prompt.status == "sent" and prompt.dm_channel_id == "DUBERLIN"
        assert [a.text for a in uow.dailies.answers(prompt.id)] == ["shipped"]
    run_due(uow_factory, chat, MONDAY_BERLIN + LEASE * 2)  # recovery: nothing to re-send
    assert prompts_to(chat, "UBERLIN") == 0
    assert len(chat.to("DUBERLIN", "daily/question")) == 1  # the conversation goes on

"""The daily's services against the in-memory unit of work: no database, same promises."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request, Written
from ceremonies.core.stopping import clear_stop, request_stop
from ceremonies.core.time_model import DateRange
from ceremonies.daily import answers as daily_answers
from ceremonies.daily import reports as daily_reports
from ceremonies.daily import setup as daily_setup
from ceremonies.daily.delivery import claim_prompt, run_due
from ceremonies.daily.rules import LEASE
from ceremonies.daily.tick_report import TickReport
from tests.fake_uow import Answer, DailyRun, FakeUnitOfWorkFactory, Participant, Prompt
from tests.fakes import FakeChat, team_chat, utc

SUNDAY = utc(2026, 11, 29, 12, 0)
MONDAY = date(2026, 11, 30)
MONDAY_KOLKATA = utc(2026, 11, 30, 4, 30)  # 10:00 in Kolkata
MONDAY_BERLIN = utc(2026, 11, 30, 9, 0)  # 10:00 in Berlin
MONDAY_NEW_YORK = utc(2026, 11, 30, 15, 0)  # 10:00 in New York
PEOPLE = ("UKOLKATA", "UBERLIN", "UNEWYORK")


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    chat = team_chat()
    chat.members["CTEAM"].append("USLACKBOT")  # Slackbot is a member of every channel
    return chat


def by(user: str, now: datetime, channel: str = "CTEAM") -> Request:
    return Request("T1", channel, Actor(user), now)


def start(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat) -> daily_setup.DailySettings:
    return daily_setup.start_daily(uow_factory, chat, by("UBERLIN", SUNDAY))


def prompts_to(chat: FakeChat, user: str) -> int:
    return len(chat.to("D" + user, "daily/prompt"))


def reply(uow_factory, chat, user: str, ts: str, text: str, now: datetime) -> None:
    daily_answers.take_dm_reply(uow_factory, chat, by(user, now, "D" + user), Written(ts, text))


def answer_all(uow_factory, chat, user: str, texts: list[str], now: datetime) -> None:
    base = 1_764_490_000 + 100 * PEOPLE.index(user)  # ts are unique per channel only
    for index, text in enumerate(texts):
        reply(uow_factory, chat, user, f"{base + index}.000100", text, now)


def prompt_of(uow_factory: FakeUnitOfWorkFactory, user: str) -> Prompt:
    (prompt,) = [p for p in uow_factory.rows(Prompt) if p.user_id == user]
    return prompt


def texts_of(uow_factory: FakeUnitOfWorkFactory, prompt_id: int) -> list[str]:
    answers = [a for a in uow_factory.rows(Answer) if a.prompt_id == prompt_id]
    return [a.text for a in sorted(answers, key=lambda a: a.position)]


def test_start_takes_humans_only_and_only_once(uow_factory, chat):
    settings = start(uow_factory, chat)
    assert sorted(settings.participants) == ["UBERLIN", "UKOLKATA", "UNEWYORK"]
    assert settings.next_prompts == {
        "UBERLIN": MONDAY_BERLIN,
        "UNEWYORK": MONDAY_NEW_YORK,
        "UKOLKATA": MONDAY_KOLKATA,
    }
    assert sorted(p.user_id for p in uow_factory.rows(Participant)) == sorted(PEOPLE)
    with pytest.raises(Refusal) as refused:
        start(uow_factory, chat)
    assert refused.value.code == "daily_exists"
    assert len(uow_factory.rows(Participant)) == 3  # the refused start kept nothing


def test_settings_changes_move_the_next_prompts(uow_factory, chat):
    start(uow_factory, chat)
    moved = daily_setup.change_daily(
        uow_factory, by("UBERLIN", SUNDAY), lambda d: setattr(d, "prompt_time", time(9, 0))
    )
    assert moved.prompt_time == time(9, 0)
    assert moved.next_prompts["UBERLIN"] == utc(2026, 11, 30, 8, 0)
    assert moved.next_prompts["UNEWYORK"] == utc(2026, 11, 30, 14, 0)
    paused = daily_setup.change_daily(
        uow_factory, by("UBERLIN", SUNDAY), lambda d: setattr(d, "paused", True)
    )
    assert paused.paused and paused.next_prompts == {}
    assert all(p.next_prompt_at is None for p in uow_factory.rows(Participant))
    assert run_due(uow_factory, chat, MONDAY_NEW_YORK).prompts_sent == 0
    resumed = daily_setup.change_daily(
        uow_factory, by("UBERLIN", SUNDAY), lambda d: setattr(d, "paused", False)
    )
    assert resumed.next_prompts["UKOLKATA"] == utc(2026, 11, 30, 3, 30)  # 09:00 Kolkata
    with pytest.raises(Refusal) as refused:
        daily_setup.change_daily(uow_factory, by("UBERLIN", SUNDAY, "COTHER"), lambda d: None)
    assert refused.value.code == "no_daily"


def test_time_zone_change_and_removal_move_the_next_prompt(uow_factory, chat):
    start(uow_factory, chat)
    assert daily_setup.refresh_time_zone(uow_factory, "T1", "UBERLIN", "Asia/Kolkata", SUNDAY)
    settings = daily_setup.show_settings(uow_factory, by("UBERLIN", SUNDAY))
    assert settings.next_prompts["UBERLIN"] == MONDAY_KOLKATA
    settings = daily_setup.remove_participant(uow_factory, by("UBERLIN", SUNDAY), "UNEWYORK")
    assert "UNEWYORK" not in settings.participants
    (gone,) = [p for p in uow_factory.rows(Participant) if p.user_id == "UNEWYORK"]
    assert gone.active is False and gone.next_prompt_at is None  # kept, not deleted


def test_no_prompt_after_skip_or_absence(uow_factory, chat):
    start(uow_factory, chat)
    assert daily_setup.skip_today(uow_factory, by("UBERLIN", utc(2026, 11, 30, 7, 0))) == MONDAY
    assert prompt_of(uow_factory, "UBERLIN").status == "skipped"
    days = DateRange(MONDAY, date(2026, 12, 1))
    with pytest.raises(Refusal) as refused:
        daily_setup.add_absence(uow_factory, chat, by("UKOLKATA", SUNDAY), "UNEWYORK", days)
    assert refused.value.code == "not_manager"
    daily_setup.add_absence(uow_factory, chat, by("UNEWYORK", SUNDAY), "UNEWYORK", days)
    for hour in range(24):
        run_due(uow_factory, chat, utc(2026, 11, 30, hour, 30))
    assert [prompts_to(chat, u) for u in PEOPLE] == [1, 0, 0]
    (ny,) = [p for p in uow_factory.rows(Participant) if p.user_id == "UNEWYORK"]
    assert ny.next_prompt_at == utc(2026, 12, 2, 15, 0)  # back on Wednesday


def test_after_a_stop_is_asked_for_nothing_new_is_claimed_and_it_stays_due(uow_factory, chat):
    start(uow_factory, chat)
    request_stop()
    try:
        assert run_due(uow_factory, chat, MONDAY_BERLIN).prompts_sent == 0
    finally:
        clear_stop()
    assert [prompts_to(chat, u) for u in PEOPLE] == [0, 0, 0]
    assert uow_factory.rows(Prompt) == []  # not claimed: no lease to wait out
    assert run_due(uow_factory, chat, MONDAY_BERLIN).prompts_sent == 2  # the next tick's


def test_run_due_sends_each_due_prompt_once(uow_factory, chat):
    start(uow_factory, chat)
    first = run_due(uow_factory, chat, MONDAY_BERLIN)
    assert first.prompts_sent == 2 and not first.failures  # Kolkata and Berlin are due
    assert [prompts_to(chat, u) for u in PEOPLE] == [1, 1, 0]
    second = run_due(uow_factory, chat, MONDAY_BERLIN)
    assert second.prompts_sent == 0
    assert [prompts_to(chat, u) for u in PEOPLE] == [1, 1, 0]
    run_due(uow_factory, chat, MONDAY_NEW_YORK)
    assert [prompts_to(chat, u) for u in PEOPLE] == [1, 1, 1]
    assert len(chat.to("CTEAM", "daily/parent")) == 1  # one thread per daily and day
    (run,) = uow_factory.rows(DailyRun)
    assert run.parent_ts == chat.to("CTEAM", "daily/parent")[0].ts
    sent = prompt_of(uow_factory, "UBERLIN")
    assert (sent.status, sent.dm_channel_id, sent.run_id) == ("sent", "DUBERLIN", run.id)


def test_a_claim_that_died_before_sending_is_recovered_after_the_lease(uow_factory, chat):
    start(uow_factory, chat)
    (berlin,) = [p for p in uow_factory.rows(Participant) if p.user_id == "UBERLIN"]
    assert claim_prompt(uow_factory, berlin.id, MONDAY_BERLIN, TickReport()) is not None
    run_due(uow_factory, chat, MONDAY_BERLIN)  # within the lease: left alone
    assert prompts_to(chat, "UBERLIN") == 0
    report = run_due(uow_factory, chat, MONDAY_BERLIN + LEASE * 2)
    assert prompts_to(chat, "UBERLIN") == 1 and report.prompts_recovered == 1
    assert len(chat.to("CTEAM", "daily/parent")) == 1  # the missing parent was posted too


def test_a_dm_reply_answers_the_questions_in_order_and_publishes_them(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    for ts, text in (("1764493300.000300", "none"), ("1764493100.000100", "shipped")):
        reply(uow_factory, chat, "UBERLIN", ts, text, MONDAY_BERLIN)
    assert chat.templates("DUBERLIN")[-2:] == ["daily/question", "daily/question"]
    assert chat.to("CTEAM", "daily/answers") == []  # not complete yet
    reply(uow_factory, chat, "UBERLIN", "1764493200.000200", "review", MONDAY_BERLIN)
    reply(uow_factory, chat, "UBERLIN", "1764493200.000200", "review", MONDAY_BERLIN)  # again
    assert chat.templates("DUBERLIN")[-1] == "daily/confirmation"
    prompt = prompt_of(uow_factory, "UBERLIN")
    assert prompt.status == "answered" and prompt.answered_at == MONDAY_BERLIN
    assert texts_of(uow_factory, prompt.id) == ["shipped", "review", "none"]
    (post,) = chat.to("CTEAM", "daily/answers")
    assert post.message.thread_ts == chat.to("CTEAM", "daily/parent")[0].ts
    assert [i["answer"] for i in post.message.context["items"]] == ["shipped", "review", "none"]
    assert post.message.context["has_blocker"] is False
    assert prompt.thread_ts == post.ts
    reply(uow_factory, chat, "UBERLIN", "1764493400.000400", "more", MONDAY_BERLIN)
    assert chat.templates("DUBERLIN")[-1] == "daily/already_answered"
    reply(uow_factory, chat, "UNEWYORK", "1764493500.000500", "hello?", MONDAY_BERLIN)
    assert chat.templates("DUNEWYORK") == ["daily/no_prompt"]


def test_the_form_shows_and_stores_every_answer(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    prompt_id = prompt_of(uow_factory, "UBERLIN").id
    reply(uow_factory, chat, "UBERLIN", "1764493100.000100", "half", MONDAY_BERLIN)
    form = daily_answers.form_for(uow_factory, "T1", "UBERLIN", prompt_id)
    assert form.channel_id == "CTEAM" and form.answers == ["half", "", ""]
    with pytest.raises(Refusal) as refused:
        daily_answers.form_for(uow_factory, "T1", "UNEWYORK", prompt_id)
    assert refused.value.code == "not_your_prompt"
    asked = by("UBERLIN", MONDAY_BERLIN, "DUBERLIN")
    with pytest.raises(Refusal) as refused:
        daily_answers.submit_form(uow_factory, chat, asked, prompt_id, ["only one"])
    assert refused.value.code == "form_outdated"
    daily_answers.submit_form(
        uow_factory, chat, asked, prompt_id, ["all done", "more", "waiting on ops"]
    )
    assert texts_of(uow_factory, prompt_id) == ["all done", "more", "waiting on ops"]
    assert chat.templates("DUBERLIN")[-1] == "daily/confirmation"
    (post,) = chat.to("CTEAM", "daily/answers")
    assert post.message.context["has_blocker"] is True
    daily_answers.submit_form(uow_factory, chat, asked, prompt_id, ["all done", "more", "no"])
    assert len(chat.to("CTEAM", "daily/answers")) == 1  # the same post, updated
    assert post.current.context["has_blocker"] is False
    assert chat.templates("DUBERLIN").count("daily/confirmation") == 1


def test_an_edit_changes_the_stored_answer_and_the_thread(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    answer_all(uow_factory, chat, "UBERLIN", ["x", "y", "no"], MONDAY_BERLIN)
    edited = Written("1764490101.000100", "fixed <!channel> bug")
    dm = by("UBERLIN", MONDAY_BERLIN, "DUBERLIN")
    assert daily_answers.take_edit(uow_factory, chat, dm, edited)
    assert texts_of(uow_factory, prompt_of(uow_factory, "UBERLIN").id)[1] == edited.text
    (post,) = chat.to("CTEAM", "daily/answers")
    assert post.current.context["items"][1]["answer"] == "fixed <!channel> bug"
    someone_else = by("UNEWYORK", MONDAY_BERLIN, "DUNEWYORK")
    assert not daily_answers.take_edit(uow_factory, chat, someone_else, edited)
    assert not daily_answers.take_edit(uow_factory, chat, dm, Written("1.000000", "unknown"))


def test_status_and_history(uow_factory, chat):
    start(uow_factory, chat)
    with pytest.raises(Refusal):
        daily_reports.status(uow_factory, "T1", "COTHER")
    before = daily_reports.status(uow_factory, "T1", "CTEAM")
    assert before.summary is None and sorted(before.not_prompted) == sorted(PEOPLE)
    run_due(uow_factory, chat, MONDAY_BERLIN)
    answer_all(uow_factory, chat, "UBERLIN", ["x", "y", "stuck on CI"], MONDAY_BERLIN)
    now = daily_reports.status(uow_factory, "T1", "CTEAM")
    assert now.summary is not None
    assert now.summary["answered"] == ["UBERLIN"] and now.summary["waiting"] == ["UKOLKATA"]
    assert now.summary["blocked"] == ["UBERLIN"]
    assert now.later_today == ["UNEWYORK"] and now.not_prompted == []
    days = daily_reports.history(uow_factory, by("UBERLIN", MONDAY_NEW_YORK), None, 7, "UTC")
    (day,) = days
    assert day.local_date == MONDAY and day.missing == ["UKOLKATA"]
    assert [c["user_id"] for c in day.cards] == ["UBERLIN"]
    assert day.cards[0]["items"][2]["answer"] == "stuck on CI"
    mine = daily_reports.history(uow_factory, by("UBERLIN", MONDAY_NEW_YORK), "UKOLKATA", 7, "UTC")
    assert [d.cards for d in mine] == [[]]


def test_a_reminder_goes_out_once_and_the_day_closes_once(uow_factory, chat):
    start(uow_factory, chat)
    run_due(uow_factory, chat, MONDAY_NEW_YORK)
    answer_all(uow_factory, chat, "UBERLIN", ["shipped", "review", "none"], MONDAY_NEW_YORK)
    two_hours_later = utc(2026, 11, 30, 17, 1)
    assert run_due(uow_factory, chat, two_hours_later).reminders_sent == 2
    assert run_due(uow_factory, chat, two_hours_later).reminders_sent == 0
    assert len(chat.to("DUNEWYORK", "daily/reminder")) == 1
    assert len(chat.to("DUKOLKATA", "daily/reminder")) == 1
    assert chat.to("DUBERLIN", "daily/reminder") == []
    report = run_due(uow_factory, chat, utc(2026, 11, 30, 23, 0))  # 8 h after New York's
    assert report.days_closed == 1
    assert run_due(uow_factory, chat, utc(2026, 11, 30, 23, 5)).days_closed == 0
    (run,) = uow_factory.rows(DailyRun)
    assert run.closed_at == utc(2026, 11, 30, 23, 0)
    parent = chat.to("CTEAM", "daily/parent")[0].current
    assert parent.context["closed"] is True and parent.context["answered"] == ["UBERLIN"]
    assert sorted(parent.context["waiting"]) == ["UKOLKATA", "UNEWYORK"]
    late = utc(2026, 11, 30, 23, 30)
    answer_all(uow_factory, chat, "UNEWYORK", ["a", "b", "waiting on the API team"], late)
    card = chat.to("CTEAM", "daily/answers")[-1].message.context
    assert card["late"] is True and card["has_blocker"] is True
    parent = chat.to("CTEAM", "daily/parent")[0].current
    assert parent.context["answered"] == ["UBERLIN", "UNEWYORK"]
    assert parent.context["blocked"] == ["UNEWYORK"]

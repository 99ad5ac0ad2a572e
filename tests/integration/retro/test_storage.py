"""Retros on a real database: what is kept, what never is, and each follow-up once."""

from __future__ import annotations

import csv
import io
import threading

import pytest

from bot.export import as_csv, as_markdown
from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request
from ceremonies.retro import actions as retro_actions
from ceremonies.retro import choice as retro_choice
from ceremonies.retro import flow as retro_flow
from ceremonies.retro import rating as retro_rating
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FakeChat, utc

NOW = utc(2026, 11, 27, 14, 0)
BOSS = Actor("UBERLIN")


def by(user: str | Actor, now=NOW) -> Request:
    """A request of `user` (or the facilitator BOSS) in the team channel."""
    actor = user if isinstance(user, Actor) else Actor(user)
    return Request("T1", "CTEAM", actor, now)


def run_retro(
    uow_factory: SqlUnitOfWorkFactory, chat: FakeChat, title: str, texts: list[str]
) -> int:
    retro_id = retro_flow.start_retro(uow_factory, chat, by("UBERLIN"), title)
    for text in texts:
        retro_flow.add_item(uow_factory, chat, by("UNEWYORK"), retro_id, text, "improve")
    retro_flow.add_item(
        uow_factory,
        chat,
        by("UNEWYORK"),
        retro_id,
        "Secret worry",
        "improve",
        anonymous=True,
        announce=True,
    )
    retro_flow.add_item(uow_factory, chat, by("UKOLKATA"), retro_id, "Nice demo", "well")
    retro_rating.start_rating(uow_factory, chat, by(BOSS))
    with uow_factory() as uow:
        items = uow.retros.items(retro_id, "improve")
    for rater, base in (("UBERLIN", 1), ("UNEWYORK", 2), ("UKOLKATA", 3)):
        ratings = [(i.id, str((i.number + base) % 5 + 1), str(i.number % 5 + 1)) for i in items]
        retro_rating.submit_ratings(uow_factory, chat, by(rater), retro_id, ratings)
    retro_choice.pick(uow_factory, chat, by(BOSS))
    with uow_factory() as uow:
        count = len(uow.retros.actions(retro_id))
    for position in range(1, count + 1):
        retro_choice.set_owner(uow_factory, chat, by(BOSS), position, "UKOLKATA")
    retro_choice.close(uow_factory, chat, by(BOSS))
    return retro_id


def test_anonymous_items_keep_no_author_and_ratings_are_replaced(uow_factory, chat):
    retro_id = retro_flow.start_retro(uow_factory, chat, by("UBERLIN"), "R")
    outcome = retro_flow.add_item(
        uow_factory, chat, by("UNEWYORK"), retro_id, "Psst", "improve", anonymous=True
    )
    retro_rating.start_rating(uow_factory, chat, by(BOSS))
    item_id = outcome.item.id
    retro_rating.submit_ratings(uow_factory, chat, by("UNEWYORK"), retro_id, [(item_id, "5", "1")])
    retro_rating.submit_ratings(uow_factory, chat, by("UNEWYORK"), retro_id, [(item_id, "2", "4")])
    with uow_factory() as uow:
        (item,) = uow.retros.items(retro_id)
        assert item.author_id is None
        (rating,) = uow.retros.ratings(retro_id)
        assert (rating.importance, rating.complexity) == (2, 4)


def test_a_whole_retro_is_kept_and_exported_without_authors(uow_factory, chat):
    retro_id = run_retro(uow_factory, chat, "Sprint 1", [f"Improve thing {n}" for n in range(5)])
    record = retro_actions.latest_record(uow_factory, None, "CTEAM")
    assert record.title == "Sprint 1" and len(record.actions) == 3
    assert all(a["owner_id"] == "UKOLKATA" and a["status"] == "open" for a in record.actions)
    markdown = as_markdown(record)
    assert "# Sprint 1" in markdown and "Secret worry" in markdown and "Quick win" in markdown
    rows = list(csv.DictReader(io.StringIO(as_csv(record))))
    assert len(rows) == 1 + 6  # one went well, six to improve
    assert sum(1 for r in rows if r["action"]) == 3
    assert "UNEWYORK" not in markdown + as_csv(record)  # authors are not part of the record
    assert chat.charts and chat.charts[0][2] == "retro_matrix"
    assert retro_id == record_id(uow_factory)


def record_id(uow_factory) -> int:
    with uow_factory() as uow:
        return uow.retros.retros_in_channel(None, "CTEAM")[0].id


def test_close_is_refused_while_an_action_has_no_owner(uow_factory, chat):
    retro_flow.start_retro(uow_factory, chat, by("UBERLIN"), "R")
    with uow_factory() as uow:
        retro_id = uow.retros.open_retro("T1", "CTEAM").id
    retro_flow.add_item(uow_factory, chat, by("UBERLIN"), retro_id, "A", "improve")
    retro_rating.start_rating(uow_factory, chat, by(BOSS))
    with uow_factory() as uow:
        item_id = uow.retros.items(retro_id)[0].id
    retro_rating.submit_ratings(uow_factory, chat, by("UBERLIN"), retro_id, [(item_id, "4", "2")])
    retro_choice.pick(uow_factory, chat, by(BOSS))
    with pytest.raises(Refusal) as refused:
        retro_choice.close(uow_factory, chat, by(BOSS))
    assert refused.value.code == "retro_owner_missing"
    with pytest.raises(Refusal):
        retro_choice.pick(uow_factory, chat, by(Actor("UNEWYORK")))
    with uow_factory() as uow:
        assert uow.retros.retro(retro_id).phase == "choosing"


def test_backlog_carries_over_and_similar_items_are_pointed_out(uow_factory, chat):
    run_retro(
        uow_factory,
        chat,
        "Sprint 1",
        ["Flaky CI tests", "Too many meetings", "Unclear tickets", "Slow code review"],
    )
    second = retro_flow.start_retro(uow_factory, chat, by("UBERLIN"), "Sprint 2")
    review = chat.to("CTEAM", "retro/review")[-1].message.context
    assert review["previous_title"] == "Sprint 1" and len(review["actions"]) == 3
    assert review["backlog"], "unchosen items wait in the backlog"
    assert all(b["importance"] is not None for b in review["backlog"]), "with their scores"
    carried = retro_flow.carry_backlog(uow_factory, chat, by(BOSS), second)
    assert carried == len(review["backlog"])
    assert retro_flow.carry_backlog(uow_factory, chat, by(BOSS), second) == 0
    retro_flow.add_item(uow_factory, chat, by("UBERLIN"), second, "CI tests are flaky", "improve")
    (similar,) = chat.to("CTEAM", "retro/similar")
    assert similar.message.context["earlier_text"] == "Flaky CI tests"


def test_late_items_are_kept_for_the_backlog(uow_factory, chat):
    retro_id = run_retro(uow_factory, chat, "Sprint 1", ["One", "Two"])
    outcome = retro_flow.add_item(
        uow_factory, chat, by("UBERLIN"), retro_id, "Afterthought", "well"
    )
    assert outcome.kept_for_later
    with uow_factory() as uow:
        backlog = uow.retros.backlog("T1", "CTEAM", before_retro=0)
        assert "Afterthought" in [i.text for i in backlog]


def test_revisit_dms_go_out_once_even_from_concurrent_ticks(uow_factory, chat):
    run_retro(uow_factory, chat, "Sprint 1", ["One", "Two", "Three"])
    two_weeks_later = utc(2026, 12, 11, 9, 0)
    threads = [
        threading.Thread(
            target=retro_actions.send_revisits, args=(uow_factory, chat, two_weeks_later)
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(chat.to("DUKOLKATA", "retro/revisit")) == 3  # one per action, no repeats
    action_id = chat.to("DUKOLKATA", "retro/revisit")[0].message.context["id"]
    with pytest.raises(Refusal):
        retro_actions.report(uow_factory, by("UBERLIN"), action_id, status="done")
    done = retro_actions.report(uow_factory, by("UKOLKATA"), action_id, status="done", helped="yes")
    assert (done["status"], done["helped"]) == ("done", "yes")


def test_controls_of_an_earlier_retro_change_nothing_now(uow_factory, chat):
    old = run_retro(uow_factory, chat, "Old", ["One", "Two", "Three"])
    new = run_retro_until_pick(uow_factory, chat, "New", ["Four", "Five", "Six"])
    with pytest.raises(Refusal) as refused:
        retro_choice.drop_action(uow_factory, chat, by(BOSS), 1, retro_id=old)
    assert refused.value.code == "retro_stale"
    with uow_factory() as uow:
        assert len(uow.retros.actions(new)) == 3
    choice = chat.to("CTEAM", "retro/choice")[0]
    assert choice.current.context["phase"] == "closed"  # its controls went away at close


def test_revisits_wait_for_ten_in_the_owners_time_zone(uow_factory, chat):
    run_retro(uow_factory, chat, "Sprint 1", ["One"])  # two actions of UKOLKATA, 11 Dec
    retro_actions.send_revisits(uow_factory, chat, utc(2026, 12, 11, 4, 0))  # 09:30 Kolkata
    assert chat.to("DUKOLKATA", "retro/revisit") == []
    retro_actions.send_revisits(uow_factory, chat, utc(2026, 12, 11, 4, 30))  # 10:00 Kolkata
    assert len(chat.to("DUKOLKATA", "retro/revisit")) == 2


def run_retro_until_pick(uow_factory, chat, title, texts) -> int:
    retro_id = retro_flow.start_retro(uow_factory, chat, by("UBERLIN"), title)
    for text in texts:
        retro_flow.add_item(uow_factory, chat, by("UBERLIN"), retro_id, text, "improve")
    retro_rating.start_rating(uow_factory, chat, by(BOSS))
    with uow_factory() as uow:
        items = uow.retros.items(retro_id)
    retro_rating.submit_ratings(
        uow_factory, chat, by("UBERLIN"), retro_id, [(i.id, str(i.number), "2") for i in items]
    )
    retro_choice.pick(uow_factory, chat, by(BOSS))
    return retro_id

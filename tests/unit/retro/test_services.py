"""The retro's services against the in-memory unit of work: no database, same promises."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request, Written
from ceremonies.retro import actions as retro_actions
from ceremonies.retro import choice as retro_choice
from ceremonies.retro import flow as retro_flow
from ceremonies.retro import rating as retro_rating
from tests.fake_uow import FakeUnitOfWorkFactory, Retro, RetroAction, RetroItem, RetroRating
from tests.fakes import FakeChat, team_chat, utc

NOW = utc(2026, 11, 27, 14, 0)
BOSS = "UBERLIN"  # whoever starts a retro facilitates it


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    return team_chat()


def by(user: str, now: datetime = NOW, *, admin: bool = False) -> Request:
    return Request("T1", "CTEAM", Actor(user, is_admin=admin), now)


def items_of(uow_factory: FakeUnitOfWorkFactory, retro_id: int) -> list[RetroItem]:
    return [i for i in uow_factory.rows(RetroItem) if i.retro_id == retro_id]


def retro_row(uow_factory: FakeUnitOfWorkFactory, retro_id: int) -> Retro:
    (retro,) = [r for r in uow_factory.rows(Retro) if r.id == retro_id]
    return retro


def actions_of(uow_factory: FakeUnitOfWorkFactory, retro_id: int) -> list[RetroAction]:
    found = [a for a in uow_factory.rows(RetroAction) if a.retro_id == retro_id]
    return sorted(found, key=lambda a: a.position)


def collect(uow_factory, chat, title: str, texts: list[str]) -> int:
    retro_id = retro_flow.start_retro(uow_factory, chat, by(BOSS), title)
    for text in texts:
        retro_flow.add_item(uow_factory, chat, by("UNEWYORK"), retro_id, text, "improve")
    return retro_id


def rate_all(uow_factory, chat, retro_id: int) -> None:
    """Everyone rates; item n gets importance n (capped at 5) and complexity 6 - n."""
    retro_rating.start_rating(uow_factory, chat, by(BOSS))
    items = items_of(uow_factory, retro_id)
    for rater in ("UBERLIN", "UNEWYORK", "UKOLKATA"):
        ratings = [(i.id, str(min(i.number, 5)), str(max(6 - i.number, 1))) for i in items]
        retro_rating.submit_ratings(uow_factory, chat, by(rater), retro_id, ratings)


def run_retro(uow_factory, chat, title: str, texts: list[str]) -> int:
    retro_id = collect(uow_factory, chat, title, texts)
    rate_all(uow_factory, chat, retro_id)
    retro_choice.pick(uow_factory, chat, by(BOSS))
    for position in range(1, len(actions_of(uow_factory, retro_id)) + 1):
        retro_choice.set_owner(uow_factory, chat, by(BOSS), position, "UKOLKATA")
    retro_choice.close(uow_factory, chat, by(BOSS))
    return retro_id


def test_start_posts_the_parent_and_the_review_once(uow_factory, chat):
    retro_id = retro_flow.start_retro(uow_factory, chat, by(BOSS), "  Sprint   1 ")
    retro = retro_row(uow_factory, retro_id)
    assert (retro.title, retro.phase, retro.facilitator_id) == ("Sprint 1", "collecting", BOSS)
    (parent,) = chat.to("CTEAM", "retro/parent")
    assert retro.parent_ts == parent.ts
    (review,) = chat.to("CTEAM", "retro/review")
    assert review.message.thread_ts == parent.ts
    assert review.message.context["previous_title"] is None
    with pytest.raises(Refusal) as refused:
        retro_flow.start_retro(uow_factory, chat, by("UNEWYORK"), "Another")
    assert refused.value.code == "retro_already_open"
    assert len(uow_factory.rows(Retro)) == 1


def test_thread_replies_are_items_and_a_plus_means_it_went_well(uow_factory, chat):
    retro_id = retro_flow.start_retro(uow_factory, chat, by(BOSS), "R")
    parent_ts = retro_row(uow_factory, retro_id).parent_ts
    assert parent_ts is not None
    asked = by("UNEWYORK")
    well = retro_flow.item_in_thread(
        uow_factory, chat, asked, parent_ts, Written("1.1", "+ Nice demo")
    )
    improve = retro_flow.item_in_thread(
        uow_factory, chat, asked, parent_ts, Written("1.2", "  Flaky CI ")
    )
    again = retro_flow.item_in_thread(
        uow_factory, chat, asked, parent_ts, Written("1.2", "Flaky CI")
    )
    elsewhere = retro_flow.item_in_thread(uow_factory, chat, asked, "9.9", Written("1.3", "x"))
    assert well is not None and improve is not None
    assert again is None and elsewhere is None
    stored = [
        (i.number, i.kind, i.text, i.source, i.author_id) for i in items_of(uow_factory, retro_id)
    ]
    assert stored == [
        (1, "well", "Nice demo", "thread", "UNEWYORK"),
        (2, "improve", "Flaky CI", "thread", "UNEWYORK"),
    ]
    assert chat.to("CTEAM", "retro/parent")[0].current.context["to_improve"] == 1
    assert retro_flow.edit_item(uow_factory, asked, Written("1.2", "Flaky CI tests"))
    assert not retro_flow.edit_item(uow_factory, by(BOSS), Written("1.2", "hijacked"))
    assert items_of(uow_factory, retro_id)[1].text == "Flaky CI tests"
    with pytest.raises(Refusal) as refused:
        retro_flow.add_item(uow_factory, chat, asked, retro_id, "   ", "improve")
    assert refused.value.code == "retro_item_empty"


def test_an_anonymous_item_keeps_no_author_anywhere(uow_factory, chat):
    retro_id = retro_flow.start_retro(uow_factory, chat, by(BOSS), "R")
    outcome = retro_flow.add_item(
        uow_factory,
        chat,
        by("UNEWYORK"),
        retro_id,
        "Psst",
        "improve",
        anonymous=True,
        announce=True,
    )
    assert outcome.item is not None and outcome.item.author_id is None
    (item,) = items_of(uow_factory, retro_id)
    assert (item.text, item.author_id, item.source) == ("Psst", None, "form")
    (announced,) = chat.to("CTEAM", "retro/form_item")
    assert announced.message.context["author_id"] is None
    assert "UNEWYORK" not in repr([s.current.context for s in chat.sent])


def test_a_new_rating_replaces_the_persons_earlier_one(uow_factory, chat):
    retro_id = collect(uow_factory, chat, "R", ["A", "B"])
    with pytest.raises(Refusal) as refused:
        retro_rating.submit_ratings(uow_factory, chat, by("UNEWYORK"), retro_id, [])
    assert refused.value.code == "retro_not_rating"
    assert retro_rating.start_rating(uow_factory, chat, by(BOSS)) == 2
    first, second = items_of(uow_factory, retro_id)
    rate = retro_rating.submit_ratings
    rate(uow_factory, chat, by("UNEWYORK"), retro_id, [(first.id, "5", "1"), (second.id, "3", "3")])
    rate(uow_factory, chat, by("UNEWYORK"), retro_id, [(first.id, "2", "4")])
    rate(uow_factory, chat, by("UKOLKATA"), retro_id, [(first.id, "1", "1")])
    mine = {
        r.item_id: (r.importance, r.complexity)
        for r in uow_factory.rows(RetroRating)
        if r.rater_id == "UNEWYORK"
    }
    assert mine == {first.id: (2, 4), second.id: (3, 3)}
    assert len(uow_factory.rows(RetroRating)) == 3
    page = retro_rating.rating_page(uow_factory, "T1", retro_id, "UNEWYORK", 1)
    assert [(i["importance"], i["complexity"]) for i in page.items] == [(2, 4), (3, 3)]


def test_pick_proposes_at_most_three_distinct_items(uow_factory, chat):
    retro_id = collect(uow_factory, chat, "R", [f"Improve {n}" for n in range(1, 7)])
    rate_all(uow_factory, chat, retro_id)
    retro_choice.pick(uow_factory, chat, by(BOSS))
    actions = actions_of(uow_factory, retro_id)
    assert 1 <= len(actions) <= 3
    assert len({a.item_id for a in actions}) == len(actions)
    assert len({a.slot for a in actions}) == len(actions)
    assert [a.position for a in actions] == list(range(1, len(actions) + 1))
    assert all(a.status == "proposed" and a.owner_id is None for a in actions)
    assert retro_row(uow_factory, retro_id).phase == "choosing"
    (choice,) = chat.to("CTEAM", "retro/choice")
    assert retro_row(uow_factory, retro_id).choice_ts == choice.ts
    assert len(choice.message.context["actions"]) == len(actions)
    assert chat.charts and chat.charts[0][2] == "retro_matrix"
    retro_choice.pick(uow_factory, chat, by(BOSS))  # a second pick re-shows, never re-proposes
    assert [a.id for a in actions_of(uow_factory, retro_id)] == [a.id for a in actions]
    assert len(chat.to("CTEAM", "retro/choice")) == 1


def test_only_the_facilitator_moves_the_phases(uow_factory, chat):
    retro_id = collect(uow_factory, chat, "R", ["A"])
    with pytest.raises(Refusal) as refused:
        retro_rating.start_rating(uow_factory, chat, by("UNEWYORK"))
    assert refused.value.code == "retro_not_facilitator"
    assert refused.value.params == {"facilitator_id": BOSS}
    with pytest.raises(Refusal) as refused:
        retro_choice.pick(uow_factory, chat, by(BOSS))
    assert refused.value.code == "retro_rate_first"
    retro_rating.start_rating(uow_factory, chat, by("UKOLKATA", admin=True))  # admins may
    assert retro_row(uow_factory, retro_id).phase == "rating"
    for attempt in (retro_choice.pick, retro_choice.close):
        with pytest.raises(Refusal) as refused:
            attempt(uow_factory, chat, by("UNEWYORK"))
        assert refused.value.code == "retro_not_facilitator"
    assert retro_row(uow_factory, retro_id).phase == "rating"
    retro_flow.hand_over(uow_factory, chat, by(BOSS), "UNEWYORK")
    retro_choice.pick(uow_factory, chat, by("UNEWYORK"))
    assert retro_row(uow_factory, retro_id).phase == "choosing"


def test_close_is_refused_while_an_action_has_no_owner(uow_factory, chat):
    retro_id = collect(uow_factory, chat, "R", ["A", "B", "C"])
    rate_all(uow_factory, chat, retro_id)
    retro_choice.pick(uow_factory, chat, by(BOSS))
    retro_choice.set_owner(uow_factory, chat, by(BOSS), 1, "UKOLKATA")
    with pytest.raises(Refusal) as refused:
        retro_choice.set_owner(uow_factory, chat, by(BOSS), 2, "UBOT")
    assert refused.value.code == "not_a_person"
    with pytest.raises(Refusal) as refused:
        retro_choice.close(uow_factory, chat, by(BOSS))
    assert refused.value.code == "retro_owner_missing"
    assert refused.value.params["positions"] == list(
        range(2, len(actions_of(uow_factory, retro_id)) + 1)
    )
    assert retro_row(uow_factory, retro_id).phase == "choosing"
    assert chat.to("CTEAM", "retro/summary") == []
    for position in range(2, len(actions_of(uow_factory, retro_id)) + 1):
        retro_choice.set_owner(uow_factory, chat, by(BOSS), position, "UNEWYORK")
    retro_choice.close(uow_factory, chat, by(BOSS))
    retro = retro_row(uow_factory, retro_id)
    assert (retro.phase, retro.closed_at) == ("closed", NOW)
    assert all(
        a.status == "open" and a.revisit_on == date(2026, 12, 11)
        for a in actions_of(uow_factory, retro_id)
    )
    assert len(chat.to("CTEAM", "retro/summary")) == 1


def test_revisits_go_out_once_and_only_the_owner_reports(uow_factory, chat):
    retro_id = run_retro(uow_factory, chat, "Sprint 1", ["One", "Two", "Three"])
    count = len(actions_of(uow_factory, retro_id))
    retro_actions.send_revisits(uow_factory, chat, utc(2026, 12, 11, 4, 0))  # 09:30 Kolkata
    assert chat.to("DUKOLKATA", "retro/revisit") == []
    ten_in_kolkata = utc(2026, 12, 11, 4, 30)
    assert retro_actions.send_revisits(uow_factory, chat, ten_in_kolkata).revisits_sent == count
    assert retro_actions.send_revisits(uow_factory, chat, ten_in_kolkata).revisits_sent == 0
    assert len(chat.to("DUKOLKATA", "retro/revisit")) == count
    action_id = chat.to("DUKOLKATA", "retro/revisit")[0].message.context["id"]
    with pytest.raises(Refusal) as refused:
        retro_actions.report(uow_factory, by("UBERLIN"), action_id, status="done")
    assert refused.value.code == "retro_not_owner"
    done = retro_actions.report(uow_factory, by("UKOLKATA"), action_id, status="done", helped="yes")
    assert (done["status"], done["helped"]) == ("done", "yes")
    assert len(retro_actions.open_actions(uow_factory, "T1", "CTEAM")) == count - 1


def test_the_backlog_is_carried_into_the_next_retro_once(uow_factory, chat):
    texts = ["Flaky CI tests", "Too many meetings", "Unclear tickets", "Slow code review"]
    first = run_retro(uow_factory, chat, "Sprint 1", texts)
    chosen = {a.item_id for a in actions_of(uow_factory, first)}
    unchosen = [i.text for i in items_of(uow_factory, first) if i.id not in chosen]
    assert unchosen, "four items, at most three actions"
    late = retro_flow.add_item(uow_factory, chat, by("UBERLIN"), first, "Afterthought", "well")
    assert late.kept_for_later and late.item is not None and late.item.kind == "improve"
    second = retro_flow.start_retro(uow_factory, chat, by(BOSS), "Sprint 2")
    review = chat.to("CTEAM", "retro/review")[-1].message.context
    assert review["previous_title"] == "Sprint 1" and len(review["actions"]) == len(chosen)
    assert [b["text"] for b in review["backlog"]] == [*unchosen, "Afterthought"]
    assert all(b["importance"] is not None for b in review["backlog"][:-1])
    with pytest.raises(Refusal):
        retro_flow.carry_backlog(uow_factory, chat, by("UNEWYORK"), second)
    assert retro_flow.carry_backlog(uow_factory, chat, by(BOSS), second) == len(unchosen) + 1
    assert retro_flow.carry_backlog(uow_factory, chat, by(BOSS), second) == 0
    carried = items_of(uow_factory, second)
    assert [i.text for i in carried] == [*unchosen, "Afterthought"]
    assert all(i.source == "carried" and i.carried_from_id for i in carried)
    assert all(i.backlog == "carried" for i in items_of(uow_factory, first) if i.id not in chosen)
    retro_flow.add_item(uow_factory, chat, by(BOSS), second, "CI tests are flaky", "improve")
    (similar,) = chat.to("CTEAM", "retro/similar")
    assert similar.message.context["earlier_text"] == "Flaky CI tests"


def test_swap_and_drop_redo_the_proposals_and_keep_owners(uow_factory, chat):
    retro_id = collect(uow_factory, chat, "R", [f"Improve {n}" for n in range(1, 6)])
    rate_all(uow_factory, chat, retro_id)
    retro_choice.pick(uow_factory, chat, by(BOSS))
    before = actions_of(uow_factory, retro_id)
    assert len(before) >= 2
    retro_choice.set_owner(uow_factory, chat, by(BOSS), 1, "UKOLKATA")
    proposed = {a.item_id for a in before}
    spare = next(i for i in items_of(uow_factory, retro_id) if i.id not in proposed)
    retro_choice.swap_action(uow_factory, chat, by(BOSS), 2, spare.number)
    swapped = actions_of(uow_factory, retro_id)
    assert [a.slot for a in swapped] == [a.slot for a in before]
    assert swapped[1].item_id == spare.id and swapped[0].owner_id == "UKOLKATA"
    retro_choice.drop_action(uow_factory, chat, by(BOSS), 2)
    kept = actions_of(uow_factory, retro_id)
    assert spare.id not in {a.item_id for a in kept} and len(kept) == len(before) - 1
    assert kept[0].owner_id == "UKOLKATA"
    with pytest.raises(Refusal) as refused:
        retro_choice.swap_action(uow_factory, chat, by(BOSS), 9, spare.number)
    assert refused.value.code == "retro_no_such_action"
    assert len(chat.to("CTEAM", "retro/choice")) == 1  # one message, updated each time


def test_a_parent_refresh_that_lands_late_is_put_right(uow_factory, chat):
    """Two items at once: the refresh that read one count may update after the one that read
    two. It reads again after its update, so the parent ends with the latest counts."""
    retro_id = retro_flow.start_retro(uow_factory, chat, by(BOSS), "R")
    retro_flow.add_item(uow_factory, chat, by("UNEWYORK"), retro_id, "Flaky CI", "improve")
    real_update = chat.update
    arrived = []

    def update_while_another_item_arrives(team_id, channel, ts, message):
        if not arrived:  # the second item is stored and shown before this (older) update lands
            arrived.append(True)
            retro_flow.add_item(uow_factory, chat, by("UKOLKATA"), retro_id, "Slow PRs", "improve")
        real_update(team_id, channel, ts, message)

    chat.update = update_while_another_item_arrives
    retro_flow.refresh_parent(uow_factory, chat, retro_id)
    (parent,) = chat.to("CTEAM", "retro/parent")
    assert parent.current.context["to_improve"] == 2

"""A whole retro in a thread: 12 people, 25 items, ratings over two modal pages, follow-up."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.server import FakeSlack
from tests.fakes import utc

PEOPLE = [f"UP{n:02d}" for n in range(1, 13)]
FACILITATOR = PEOPLE[0]
FRIDAY = utc(2026, 11, 27, 14, 0)


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Bot]:
    with FakeSlack() as slack:
        for user in PEOPLE:
            slack.add_user(user, user.lower(), "Europe/Berlin")
        slack.add_user("UADMIN", "admin", is_admin=True)
        slack.add_user("ULATE", "late", "Europe/Berlin")
        slack.add_channel("CRETRO", "retro", [*PEOPLE, "UADMIN"])
        with running_bot(slack, tmp_path, FRIDAY) as bot:
            yield bot
        assert slack.violations == [], slack.violations


def retro_command(bot: Bot, user: str, text: str) -> str:
    before = len(bot.slack.ephemerals(user))
    assert bot.driver.command(user, "CRETRO", "/retro", text).status == 200
    bot.slack.wait_for(lambda: _calls_settled(bot))
    shown = bot.slack.ephemerals(user)[before:]
    return " ".join(str(e.get("text", "")) + str(e.get("blocks", "")) for e in shown)


def _calls_settled(bot: Bot) -> bool:
    """True once the bot has no work left and made no Slack call for a moment."""
    count = len(bot.slack.calls)
    time.sleep(0.05)
    return bot.runtime.idle() and len(bot.slack.calls) == count


def parent_of(slack: FakeSlack) -> dict[str, Any]:
    return slack.wait_for(
        lambda: next(
            (m for m in reversed(slack.messages("CRETRO")) if "Retrospective" in m.get("text", "")),
            None,
        )
    )


def thread(slack: FakeSlack) -> list[dict[str, Any]]:
    return slack.thread("CRETRO", parent_of(slack)["ts"])


def test_a_whole_retro_and_the_next_ones_review(team: Bot) -> None:
    bot, slack = team, team.slack
    retro_command(bot, FACILITATOR, "start Sprint 42")
    parent = parent_of(slack)
    assert "Sprint 42" in str(parent)
    review = slack.wait_for(lambda: thread(slack)[1:])
    assert "first retro" in str(review[0])

    # Reflect: 24 items in the thread (some went well), one anonymous through the form.
    for n in range(24):
        author = PEOPLE[n % 12]
        text = f"+ Pairing on topic {n}" if n % 6 == 0 else f"Improve area {n} by doing {n}"
        bot.driver.post(author, "CRETRO", text, thread_ts=parent["ts"])
    bot.driver.click(PEOPLE[3], parent, "retro_add_item")
    (modal,) = slack.wait_for(lambda: slack.open_views(PEOPLE[3]))
    bot.driver.submit(
        PEOPLE[3],
        modal["id"],
        {
            "text": {"value": "Our estimates are guesses <!here>"},
            "kind": {"value": "improve"},
            "anonymous": {"value": ["anonymous"]},
        },
    )
    anonymous_post = slack.wait_for(
        lambda: next((m for m in thread(slack) if "estimates are guesses" in str(m)), None)
    )
    assert "Anonymous" in str(anonymous_post) and PEOPLE[3] not in str(anonymous_post)
    assert "<!here>" not in str(anonymous_post)

    def stored_items() -> list[Any]:
        with bot.runtime.services.uow_factory() as uow:
            return uow.retros.items(1)

    # Events are acknowledged first and stored just after: wait for the last ones.
    items = slack.wait_for(lambda: len(stored_items()) == 25 and stored_items())
    anonymous = next(i for i in items if "estimates" in i.text)
    assert anonymous.author_id is None
    assert len([i for i in items if i.kind == "improve"]) == 21

    # Only the facilitator moves phases.
    refused = retro_command(bot, PEOPLE[5], "rate")
    assert "Only the facilitator" in refused
    retro_command(bot, FACILITATOR, "rate")
    parent = parent_of(slack)
    assert "Rate items" in str(parent)

    # Rate: every participant, both pages (21 items → pages of 10, 10, 1).
    rng = random.Random(7)
    for user in PEOPLE:
        bot.driver.click(user, parent_of(slack), "retro_rate")
        (view,) = slack.wait_for(lambda u=user: slack.open_views(u))
        pages = 0
        while True:
            blocks = [b for b in view["blocks"] if b["type"] == "input"]
            values = {b["block_id"]: {"value": str(rng.randint(1, 5))} for b in blocks}
            bot.driver.submit(user, view["id"], values)
            pages += 1
            current = slack.open_views(user)
            if not current:
                break
            view = current[-1]
            assert "Rate items" in view["title"]["text"]
        assert pages == 3

    # A late joiner may still rate; a rating after the phase is refused.
    retro_command(bot, FACILITATOR, "pick")
    choice = slack.wait_for(lambda: next((m for m in thread(slack) if "Scores" in str(m)), None))
    text = str(choice)
    assert "Quick win" in text and "Most important" in text and "Simplest" in text
    assert "Importance × complexity" in text
    # The matrix chart follows as a PNG in the thread (drawing it takes a moment).
    slack.wait_for(lambda: slack.calls_to("files.completeUploadExternal"), timeout=30)

    # Swap action 2 for another item, then owners for each action.
    with bot.runtime.services.uow_factory() as uow:
        chosen = {a.item_id for a in uow.retros.actions(1)}
        other = next(i for i in uow.retros.items(1, "improve") if i.id not in chosen)
    retro_command(bot, FACILITATOR, f"swap 2 {other.number}")
    with bot.runtime.services.uow_factory() as uow:
        assert uow.retros.actions(1)[1].item_id == other.id
    refused = retro_command(bot, FACILITATOR, "close")
    assert "needs an owner" in refused
    refused = retro_command(bot, FACILITATOR, "owner 7 <@UP02|up02>")
    assert "no action 7" in refused
    refused = retro_command(bot, FACILITATOR, "owner 1 <@ULATE|late>")
    assert "not a member of this channel" in refused
    for position, owner in ((1, "UP02"), (2, "UP03"), (3, "UP04")):
        retro_command(bot, FACILITATOR, f"owner {position} <@{owner}|x>")
    retro_command(bot, FACILITATOR, "close")
    summary = slack.wait_for(lambda: next((m for m in thread(slack) if "Summary" in str(m)), None))
    assert "<@UP02>" in str(summary)

    # A reply after close is kept for the backlog, and the author is told.
    before = len(slack.ephemerals("UP05"))
    bot.driver.post("UP05", "CRETRO", "Too many meetings", thread_ts=parent_of(slack)["ts"])
    told = slack.wait_for(lambda: slack.ephemerals("UP05")[before:])
    assert "backlog" in str(told)

    assert "Improve area" in retro_command(bot, "UP09", "actions")

    # Two weeks later the owners are asked how it went, once.
    bot.tick(utc(2026, 12, 11, 9, 0))
    bot.tick(utc(2026, 12, 11, 9, 1))
    revisit = [m for m in slack.dm_messages("UP02") if m.get("bot_id")]
    assert len(revisit) == 1 and "How did it go" in str(revisit[0])
    bot.driver.click("UP02", revisit[0], "retro_status_done")
    bot.driver.click("UP02", revisit[0], "retro_helped_yes")
    slack.wait_for(lambda: "helped: yes" in str(slack.ephemerals("UP02")))

    # The next retro starts by reviewing those actions, and offers the backlog.
    bot.clock.current = utc(2026, 12, 11, 14, 0)
    retro_command(bot, FACILITATOR, "start Sprint 43")
    review = slack.wait_for(lambda: thread(slack)[1:] and thread(slack)[1])
    shown = str(review)
    assert "Sprint 42" in shown and "<@UP02>" in shown and "done" in shown
    assert "Carry over backlog" in shown
    history = retro_command(bot, "UP07", "history")
    assert "Sprint 42" in history and "helped: yes" in history


def test_bad_retro_input(team: Bot) -> None:
    bot, slack = team, team.slack
    assert "is not a `/retro` command" in retro_command(bot, FACILITATOR, "dance")
    assert "/retro start" in retro_command(bot, FACILITATOR, "help")
    retro_command(bot, FACILITATOR, "start")
    again = retro_command(bot, PEOPLE[1], "start Another")
    assert "already running" in again and "open it" in again
    parent = parent_of(slack)
    before = len(slack.ephemerals("UP02"))
    bot.driver.post("UP02", "CRETRO", "x" * 50_000, thread_ts=parent["ts"])
    assert "50000 characters" in str(slack.wait_for(lambda: slack.ephemerals("UP02")[before:]))
    bot.driver.click("UP02", parent, "retro_add_item")
    (modal,) = slack.wait_for(lambda: slack.open_views("UP02"))
    bot.driver.submit(
        "UP02",
        modal["id"],
        {"text": {"value": "   "}, "kind": {"value": "well"}, "anonymous": {"value": []}},
    )
    assert "text" in slack.view_errors(modal["id"])
    with bot.runtime.services.uow_factory() as uow:
        assert uow.retros.items(1) == []
    assert "nothing to rate" in retro_command(bot, FACILITATOR, "rate")
    # An admin may act for the facilitator.
    bot.driver.post("UP02", "CRETRO", "Fix flaky tests", thread_ts=parent["ts"])
    slack.wait_for(lambda: "To improve: 1" in str(parent_of(slack)))
    retro_command(bot, "UADMIN", "rate")
    assert "Rate items" in str(parent_of(slack))
    bot.driver.click("UP03", parent_of(slack), "retro_rate")
    (view,) = slack.wait_for(lambda: slack.open_views("UP03"))
    retro_command(bot, FACILITATOR, "pick")
    values = {b["block_id"]: {"value": "3"} for b in view["blocks"] if b["type"] == "input"}
    bot.driver.submit("UP03", view["id"], values)
    assert "Rating is over" in str(slack.view_errors(view["id"]))


def test_handover_a_late_joiner_the_backlog_and_a_familiar_item(team: Bot) -> None:
    bot, slack = team, team.slack
    retro_command(bot, FACILITATOR, "start First")
    parent = parent_of(slack)
    for text in ("Flaky CI tests", "Too many meetings", "Unclear tickets", "Slow reviews"):
        bot.driver.post("UP02", "CRETRO", text, thread_ts=parent["ts"])
    slack.wait_for(lambda: "To improve: 4" in str(parent_of(slack)))
    assert "not a member" in retro_command(bot, FACILITATOR, "facilitator <@ULATE|late>")
    retro_command(bot, FACILITATOR, "facilitator <@UP05|up05>")
    assert "<@UP05>" in str(parent_of(slack))
    assert "Only the facilitator" in retro_command(bot, FACILITATOR, "rate")
    retro_command(bot, "UP05", "rate")

    bot.driver.join("ULATE", "CRETRO")  # joins mid-retro and takes part
    bot.driver.click("ULATE", parent_of(slack), "retro_rate")
    (view,) = slack.wait_for(lambda: slack.open_views("ULATE"))
    bot.driver.submit(
        "ULATE",
        view["id"],
        {
            b["block_id"]: {"value": "4" if b["block_id"].startswith("importance") else "2"}
            for b in view["blocks"]
            if b["type"] == "input"
        },
    )
    slack.wait_for(lambda: "Rated by 1" in str(parent_of(slack)))
    retro_command(bot, "UP05", "pick")
    retro_command(bot, "UP05", "drop 3")
    with bot.runtime.services.uow_factory() as uow:
        assert len(uow.retros.actions(1)) == 2
    for position in (1, 2):
        retro_command(bot, "UP05", f"owner {position} <@ULATE|late>")
    retro_command(bot, "UP05", "close")
    slack.wait_for(lambda: "Closed" in str(parent_of(slack)))

    retro_command(bot, FACILITATOR, "start Second")
    review = slack.wait_for(lambda: thread(slack)[1:] and thread(slack)[1])
    bot.driver.click(FACILITATOR, review, "retro_carry")
    slack.wait_for(lambda: "Carried over" in str(thread(slack)))
    bot.driver.post("UP03", "CRETRO", "CI tests are flaky again", thread_ts=parent_of(slack)["ts"])
    familiar = slack.wait_for(
        lambda: next((m for m in thread(slack) if "looks like an earlier item" in str(m)), None)
    )
    assert "Flaky CI tests" in str(familiar) and "First" in str(familiar)


def test_the_longest_anonymous_item_slack_lets_through_is_kept_though_escaping_lengthens_it(
    team: Bot,
) -> None:
    bot, slack = team, team.slack
    retro_command(bot, FACILITATOR, "start Sprint 9")
    bot.driver.click(PEOPLE[2], parent_of(slack), "retro_add_item")
    (modal,) = slack.wait_for(lambda: slack.open_views(PEOPLE[2]))
    typed = ("a < b & c > d " * 300)[:3000]  # Slack's max_length; each <, & and > is escaped
    values = {"text": {"value": typed}, "kind": {"value": "improve"}}
    assert bot.driver.submit(PEOPLE[2], modal["id"], values).status == 200

    def stored() -> list[Any]:
        with bot.runtime.services.uow_factory() as uow:
            return uow.retros.items(1)

    (item,) = slack.wait_for(stored)
    assert item.text.startswith("a &lt; b &amp; c &gt; d")

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremonies.core.text import escape, neutralise, unescape, unmention
from ceremonies.daily.rules import DEFAULT_QUESTIONS, blocker_position, is_blocker


@pytest.mark.parametrize(
    "answer", ["no", "None", "nope", "-", "n/a", "N/A", "nothing", "Nothing.", "no blockers", "  "]
)
def test_saying_no_is_not_a_blocker(answer: str) -> None:
    assert not is_blocker(answer)


@pytest.mark.parametrize(
    "answer", ["waiting on the API team", "no access to prod", "Need a review", "nobody replied"]
)
def test_anything_else_is_a_blocker(answer: str) -> None:
    assert is_blocker(answer)


SAYING_NO = ["нет", "Нет.", "ничего", "Всё ок!", "блокеров нет", "なし", "特になし。", "ありません"]
BLOCKED = ["нет доступа к базе", "жду ревью", "レビュー待ち", "なしではない"]


@pytest.mark.parametrize("answer", SAYING_NO)
def test_saying_no_in_russian_or_japanese_is_not_a_blocker(answer: str) -> None:
    assert not is_blocker(answer)


@pytest.mark.parametrize("answer", BLOCKED)
def test_a_russian_or_japanese_blocker_is_one(answer: str) -> None:
    assert is_blocker(answer)


def test_the_blockers_question_is_found_by_its_words_or_is_the_last() -> None:
    assert blocker_position(DEFAULT_QUESTIONS) == 2
    assert blocker_position(["Anything blocking you?", "Plans?"]) == 0
    assert blocker_position(["Yesterday?", "Today?"]) == 1


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<!channel> look", "@\u2060channel look"),
        ("<!here|here> now", "@\u2060here now"),
        ("<!everyone>", "@\u2060everyone"),
        ("<!subteam^S123|@devs> please", "@\u2060devs please"),
        ("<!subteam^S123>", "@\u2060group"),
        ("ping @channel and @Here", "ping @\u2060channel and @\u2060Here"),
        ("mail me at bob@channel.io", "mail me at bob@channel.io"),
        ("<@U123> helped", "<@U123> helped"),
    ],
)
def test_broadcast_mentions_are_neutralised_and_the_rest_kept(raw: str, shown: str) -> None:
    assert neutralise(raw) == shown


@given(st.text())
def test_no_text_can_ping_after_escaping_and_neutralising(text: str) -> None:
    safe = neutralise(escape(text))
    assert "<!" not in safe
    assert unescape(escape(text)) == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("ask <@U1> first", "ask @Anna first"),
        ("<@U1|anna> and <@W2>", "@Anna and @W2"),
        ("<@U9|old label>", "@old label"),
        ("<@U3>", "@Chris &lt;b&gt;"),
        ("no mention, <#C1> stays", "no mention, <#C1> stays"),
    ],
)
def test_a_digest_names_the_people_a_text_mentions(raw: str, shown: str) -> None:
    names = {"U1": "Anna", "U3": "Chris <b>"}
    assert unmention(raw, names) == shown


# Text as Slack delivers it: what was typed is escaped, mentions are markup among it.
SLACK_TEXT = st.lists(
    st.one_of(st.text().map(escape), st.sampled_from(["<@U1>", "<@U2|x>", "<@W3>", "<!here>"]))
).map("".join)


@given(SLACK_TEXT)
def test_no_text_mentions_anyone_after_unmentioning(text: str) -> None:
    shown = unmention(neutralise(text), {"U1": "<@U2>", "U2": "<!channel>"})
    assert "<@" not in shown and "<!" not in shown

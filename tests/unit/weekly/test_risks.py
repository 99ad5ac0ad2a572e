from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremonies.core.parsing import InvalidInput
from ceremonies.weekly.risks import (
    ACCEPT,
    CLOSED,
    LOWERED,
    MITIGATE,
    NEW,
    RAISED,
    RED_LINE,
    RiskRequest,
    parse_risk_args,
    rank,
    ranked,
    risk_class,
    risk_marks,
)
from tests.unit.weekly.factories import WED, WEEK, risk, utc

LEVEL = st.integers(1, 3)


@given(p=LEVEL, c=LEVEL)
def test_a_rank_is_p_times_c_within_1_to_9(p: int, c: int) -> None:
    assert rank(p, c) == p * c
    assert 1 <= rank(p, c) <= 9


@pytest.mark.parametrize(("p", "c"), [(0, 1), (4, 1), (1, 4), (2, -1)])
def test_levels_outside_1_to_3_have_no_rank(p: int, c: int) -> None:
    with pytest.raises(ValueError):
        rank(p, c)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, ACCEPT), (3, ACCEPT), (4, MITIGATE), (6, MITIGATE), (7, RED_LINE), (9, RED_LINE)],
)
def test_classes_change_at_3_4_and_6_7(value: int, expected: str) -> None:
    assert risk_class(value) == expected


@pytest.mark.parametrize("value", [0, 10])
def test_no_class_outside_1_to_9(value: int) -> None:
    with pytest.raises(ValueError):
        risk_class(value)


def test_add_reads_text_levels_and_owner_in_any_order() -> None:
    assert parse_risk_args("add p=2 Vendor may ship late <@U12|bob> c=3") == RiskRequest(
        "add", None, "Vendor may ship late", 2, 3, "U12"
    )
    assert parse_risk_args("risk add map=3 is wrong P = 1 C=1").text == "map=3 is wrong"


def test_update_close_and_list() -> None:
    assert parse_risk_args("update 3 c=1") == RiskRequest("update", 3, "", None, 1, None)
    assert parse_risk_args("update #4 <@U9>").owner_id == "U9"
    assert parse_risk_args("close 7") == RiskRequest("close", 7)
    assert parse_risk_args("list") == RiskRequest("list")


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("add late p=4 c=1", "weekly_risk_level", {"key": "p", "input": "4", "low": 1, "high": 3}),
        (
            "add late p=two c=1",
            "weekly_risk_level",
            {"key": "p", "input": "two", "low": 1, "high": 3},
        ),
        ("add late p=1 c=", "weekly_risk_level", {"key": "c", "input": "", "low": 1, "high": 3}),
        ("add late p=1", "weekly_risk_level_missing", {"key": "c", "example": "p=2 c=3"}),
        ("add late p=1 p=2 c=1", "weekly_risk_level_twice", {"key": "p"}),
        (
            "add p=1 c=1 <@U1>",
            "weekly_risk_text_empty",
            {"example": "risk add vendor late p=2 c=3"},
        ),
        ("add late p=1 c=1 <@U1> <@U2>", "weekly_risk_owner_one", {"count": 2}),
        ("update x p=1", "weekly_risk_number", {"action": "update", "input": "x"}),
        ("update 0 p=1", "weekly_risk_number", {"action": "update", "input": "0"}),
        ("update 2", "weekly_risk_update_nothing", {"number": 2}),
        ("update 2 p=1 new words", "weekly_risk_update_text", {"input": "new words", "number": 2}),
        ("close", "weekly_risk_number", {"action": "close", "input": ""}),
        ("close 2 now", "weekly_risk_takes_nothing", {"action": "close", "input": "now"}),
    ],
)
def test_what_cannot_be_read_is_refused_with_a_code_and_params(
    text: str, code: str, params: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_risk_args(text)
    assert (caught.value.code, caught.value.params) == (code, params)


def test_an_unknown_action_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_risk_args("delete 3")
    assert caught.value.code == "weekly_risk_usage"
    assert caught.value.params["actions"] == ("add", "list", "update", "close")


def test_a_too_long_text_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_risk_args("add " + "x" * 301 + " p=1 c=1")
    assert caught.value.params == {"length": 301, "limit": 300}


def test_marks_compare_with_the_previous_delivery() -> None:
    after_last_report = WEEK.previous().delivery + timedelta(hours=1)
    assert risk_marks(risk(1, 2, 2, opened=after_last_report, before=None), WEEK) == NEW
    assert risk_marks(risk(2, 3, 2, before=(2, 2)), WEEK) == RAISED
    assert risk_marks(risk(3, 1, 2, before=(2, 2)), WEEK) == LOWERED
    assert risk_marks(risk(4, 1, 2, before=(2, 1)), WEEK) is None  # same rank
    assert risk_marks(risk(5, 2, 2, closed=utc(WED)), WEEK) == CLOSED
    assert risk_marks(risk(6, 2, 2, closed=WEEK.previous().delivery), WEEK) is None
    # Opened and closed within the week: closed wins.
    assert (
        risk_marks(risk(7, 3, 3, opened=utc(WED, 9), closed=utc(WED), before=None), WEEK) == CLOSED
    )


def test_ranked_lists_open_risks_by_rank_then_number() -> None:
    risks = [
        risk(1, 1, 1),
        risk(2, 3, 3),
        risk(3, 2, 3),
        risk(4, 3, 2),
        risk(5, 3, 3, closed=utc(WED)),
    ]
    assert [r.number for r in ranked(risks)] == [2, 3, 4, 1]
    before_closing = utc(WED) - timedelta(hours=1)
    assert [r.number for r in ranked(risks, at=before_closing)] == [2, 5, 3, 4, 1]

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremonies.daily.queries import DailyDay
from ceremonies.weekly.participation import Participation, participation
from tests.unit.weekly.factories import FRI, MON, THU, TUE, WED, answered, silent, skipped

WEEKDAYS = (MON, TUE, WED, THU, FRI)


def test_per_person_answered_out_of_prompted_and_a_pooled_percentage() -> None:
    days = [
        *(answered("UANA", d) for d in WEEKDAYS),
        *(silent("UBEN", d) for d in WEEKDAYS),  # never answers
        answered("UCAT", MON),
        skipped("UCAT", TUE),  # /daily skip: counted in neither
        answered("UCAT", WED),
        silent("UCAT", THU),
    ]
    summary = participation(days, participants=("UBEN", "UANA", "UCAT", "UDAN"))
    assert summary.people == (
        Participation("UBEN", 0, 5),
        Participation("UANA", 5, 5),
        Participation("UCAT", 2, 3),
    )
    assert summary.people[0].pct == 0.0
    assert summary.people[2].pct == pytest.approx(200 / 3)
    assert (summary.answered, summary.prompted) == (7, 13)
    assert summary.pct == pytest.approx(700 / 13)


def test_people_never_prompted_are_left_out_and_nobody_means_no_figure() -> None:
    summary = participation([skipped("UANA", MON)], participants=("UANA",))
    assert summary.people == ()
    assert summary.pct is None


def test_an_answered_day_counts_even_if_it_was_marked_skipped() -> None:
    late = DailyDay("UANA", MON, True, True, None, None)
    assert participation([late]).people == (Participation("UANA", 1, 1),)


def test_someone_who_left_the_daily_is_listed_after_the_participants() -> None:
    days = [answered("UZED", MON), answered("UOLD", MON), silent("UANA", MON)]
    assert [p.user_id for p in participation(days, ("UANA",)).people] == ["UANA", "UOLD", "UZED"]


DAYS = st.builds(
    DailyDay,
    user_id=st.sampled_from(["U1", "U2", "U3"]),
    local_date=st.sampled_from(WEEKDAYS),
    answered=st.booleans(),
    skipped=st.booleans(),
    blocker=st.none(),
    answered_at=st.none(),
)


@given(st.lists(DAYS, max_size=30))
def test_participation_never_exceeds_100_percent_and_adds_up(days: list[DailyDay]) -> None:
    summary = participation(days)
    assert all(0 <= p.answered <= p.prompted and p.prompted > 0 for p in summary.people)
    assert summary.prompted == sum(1 for d in days if d.answered or not d.skipped)
    assert summary.answered == sum(1 for d in days if d.answered)
    if summary.pct is not None:
        assert 0.0 <= summary.pct <= 100.0

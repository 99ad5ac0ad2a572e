"""The retro's rules on worked examples: ratings, aggregation, proposals, swaps, the matrix."""

from __future__ import annotations

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.retro.rules import (
    DISPUTE_SPREAD,
    SLOTS,
    ChoiceError,
    ItemScore,
    Proposal,
    Rating,
    aggregate,
    drop,
    matrix,
    propose,
    round_half_up,
    simple_threshold,
    swap,
)


def score(item_id: int, importance: float, complexity: float, raters: int = 3) -> ItemScore:
    return ItemScore(item_id, importance, complexity, 0, 0, raters, False)


def unrated(item_id: int) -> ItemScore:
    return ItemScore(item_id, None, None, 0, 0, 0, False)


def ids(proposals: list[Proposal]) -> list[tuple[str, int]]:
    return [(p.slot, p.item_id) for p in proposals]


# --- ratings and aggregation -------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, -1, True, 2.5, "3"])
def test_a_rating_outside_one_to_five_or_not_an_int_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        Rating(1, "U1", bad, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Rating(1, "U1", 3, bad)  # type: ignore[arg-type]


def test_select_values_arrive_as_strings_and_are_parsed() -> None:
    assert Rating.of(7, "U1", "4", " 2 ") == Rating(7, "U1", 4, 2)
    for bad in ("x", "", "6", "0", "2.5"):
        with pytest.raises(ValueError):
            Rating.of(7, "U1", bad, "2")


def test_median_and_spread_per_item_in_the_given_order() -> None:
    ratings = [
        Rating(2, "a", 1, 5),
        Rating(1, "a", 4, 2),
        Rating(1, "b", 5, 2),
        Rating(1, "c", 2, 3),
        Rating(2, "b", 4, 5),
    ]
    first, second = aggregate([1, 2], ratings)
    assert first == ItemScore(1, 4.0, 2.0, 3, 1, 3, True)
    # Two raters: the median is the mean of the middle pair and may end in .5.
    assert second == ItemScore(2, 2.5, 5.0, 3, 0, 2, True)


def test_an_unrated_item_has_no_scores_and_is_not_disputed() -> None:
    (only,) = aggregate([9], [])
    assert only == unrated(9)
    assert not only.rated


def test_a_later_rating_by_the_same_person_replaces_the_earlier_one() -> None:
    ratings = [Rating(1, "a", 1, 1), Rating(1, "b", 3, 3), Rating(1, "a", 5, 4)]
    (result,) = aggregate([1], ratings)
    assert (result.importance, result.complexity, result.raters) == (4.0, 3.5, 2)


def test_ratings_of_items_that_are_not_listed_are_ignored() -> None:
    (result,) = aggregate([1], [Rating(1, "a", 2, 2), Rating(99, "a", 5, 5)])
    assert (result.importance, result.raters) == (2.0, 1)


def test_listing_an_item_twice_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        aggregate([1, 1], [])


def test_disputed_from_a_spread_of_three_on_either_scale() -> None:
    assert DISPUTE_SPREAD == 3
    calm, split_importance, split_complexity = aggregate(
        [1, 2, 3],
        [
            Rating(1, "a", 2, 2),
            Rating(1, "b", 4, 4),
            Rating(2, "a", 1, 3),
            Rating(2, "b", 4, 3),
            Rating(3, "a", 3, 5),
            Rating(3, "b", 3, 2),
        ],
    )
    assert not calm.disputed and calm.importance_spread == 2
    assert split_importance.disputed and split_importance.importance_spread == 3
    assert split_complexity.disputed and split_complexity.complexity_spread == 3


# --- proposals ---------------------------------------------------------------------------


def test_the_three_proposals_follow_issue_3() -> None:
    scores = [
        score(1, 3, 1),  # simple, fairly important: the quick win
        score(2, 5, 5),  # vital but hard: the most important
        score(3, 1, 1),  # trivial: the simplest of the rest
        score(4, 2, 4),
        score(5, 2, 2),
    ]
    assert ids(propose(scores)) == [("quick_win", 1), ("most_important", 2), ("simplest", 3)]


def test_relatively_simple_is_at_or_below_the_median_complexity_of_this_retro() -> None:
    # Complexity medians 2, 3, 4: an item at exactly 3 counts as relatively simple.
    scores = [score(1, 2, 2), score(2, 4, 3), score(3, 5, 4)]
    assert simple_threshold(scores) == 3.0
    assert ids(propose(scores))[0] == ("quick_win", 2)
    # Even count: medians 1, 2, 4, 5 -> threshold 3, and the 4 no longer qualifies.
    scores = [score(1, 1, 1), score(2, 2, 2), score(3, 5, 4), score(4, 5, 5)]
    assert simple_threshold(scores) == 3.0
    assert ids(propose(scores))[0] == ("quick_win", 2)


def test_the_threshold_ignores_unrated_items() -> None:
    assert simple_threshold([unrated(1)]) is None
    assert simple_threshold([score(1, 3, 5), unrated(2)]) == 5.0


def test_quick_win_ties_go_to_lower_complexity_then_more_raters_then_lower_id() -> None:
    filler = [score(10, 1, 5), score(11, 1, 5), score(12, 1, 5), score(13, 1, 5)]
    assert propose([score(2, 4, 2), score(1, 4, 3), *filler])[0].item_id == 2
    assert propose([score(1, 4, 2, raters=3), score(2, 4, 2, raters=4), *filler])[0].item_id == 2
    assert propose([score(2, 4, 2), score(1, 4, 2), *filler])[0].item_id == 1


def test_most_important_ties_go_to_lower_complexity_then_more_raters_then_lower_id() -> None:
    quick = score(1, 5, 1)
    assert propose([quick, score(3, 4, 5), score(2, 4, 4)])[1].item_id == 2
    assert propose([quick, score(2, 4, 5, raters=2), score(3, 4, 5, raters=5)])[1].item_id == 3
    assert propose([quick, score(3, 4, 5), score(2, 4, 5)])[1].item_id == 2


def test_simplest_ties_go_to_higher_importance_then_more_raters_then_lower_id() -> None:
    quick, vital = score(1, 5, 1), score(2, 5, 5)
    assert propose([quick, vital, score(4, 1, 2), score(3, 2, 2)])[2].item_id == 3
    rest = [score(3, 2, 2, raters=2), score(4, 2, 2, raters=6)]
    assert propose([quick, vital, *rest])[2].item_id == 4
    assert propose([quick, vital, score(4, 2, 2), score(3, 2, 2)])[2].item_id == 3


def test_the_most_important_item_may_also_be_simple_if_the_quick_win_took_another() -> None:
    # Both are relatively simple; the quick win takes the better one, the most important
    # slot the next most important of the rest — distinct items either way.
    scores = [score(1, 5, 1), score(2, 4, 1), score(3, 1, 5)]
    assert ids(propose(scores)) == [("quick_win", 1), ("most_important", 2), ("simplest", 3)]


@pytest.mark.parametrize(("rated", "slots"), [(0, []), (1, ["quick_win"]), (2, list(SLOTS[:2]))])
def test_fewer_items_give_fewer_proposals(rated: int, slots: list[str]) -> None:
    scores = [score(i, 3, 3) for i in range(1, rated + 1)] + [unrated(50)]
    assert [p.slot for p in propose(scores)] == slots


def test_unrated_items_are_never_proposed() -> None:
    scores = [unrated(1), score(2, 1, 5), unrated(3)]
    assert ids(propose(scores)) == [("quick_win", 2)]


# --- the facilitator's changes -------------------------------------------------------------

SCORES = [score(1, 3, 1), score(2, 5, 5), score(3, 1, 1), score(4, 2, 4), unrated(5)]
PROPOSED = propose(SCORES)


def test_swap_replaces_the_item_in_its_slot_and_keeps_the_order() -> None:
    changed = swap(PROPOSED, "most_important", 4, SCORES)
    assert ids(changed) == [("quick_win", 1), ("most_important", 4), ("simplest", 3)]
    assert ids(PROPOSED)[1] == ("most_important", 2)


def test_swap_accepts_an_unrated_item_of_this_retro() -> None:
    assert swap(PROPOSED, "simplest", 5, SCORES)[2] == Proposal("simplest", 5)


def test_swapping_in_the_same_item_changes_nothing() -> None:
    assert swap(PROPOSED, "quick_win", 1, SCORES) == PROPOSED


def test_swap_refuses_an_item_of_another_retro() -> None:
    with pytest.raises(ChoiceError) as caught:
        swap(PROPOSED, "simplest", 77, SCORES)
    assert caught.value.code == "retro_unknown_item"
    assert caught.value.params == {"item_id": 77}
    assert "77" in str(caught.value)


def test_swap_refuses_an_item_already_proposed_elsewhere() -> None:
    with pytest.raises(ChoiceError) as caught:
        swap(PROPOSED, "simplest", 2, SCORES)
    assert caught.value.code == "retro_already_proposed"
    assert caught.value.params == {"item_id": 2, "slot": "most_important"}


def test_swap_and_drop_refuse_a_slot_without_a_proposal() -> None:
    two = drop(PROPOSED, "simplest")
    with pytest.raises(ChoiceError, match="no simplest proposal"):
        swap(two, "simplest", 4, SCORES)
    with pytest.raises(ChoiceError) as caught:
        drop(two, "simplest")
    assert caught.value.code == "retro_no_proposal"


def test_drop_keeps_two_then_refuses_the_last() -> None:
    two = drop(PROPOSED, "simplest")
    assert ids(two) == [("quick_win", 1), ("most_important", 2)]
    one = drop(two, "quick_win")
    assert ids(one) == [("most_important", 2)]
    with pytest.raises(ChoiceError) as caught:
        drop(one, "most_important")
    assert caught.value.code == "retro_last_proposal"


def test_a_choice_error_is_a_value_error_and_a_refusal() -> None:
    error = ChoiceError("retro_last_proposal", "why", slot="simplest")
    assert isinstance(error, ValueError)
    assert isinstance(error, Refusal)


# --- the matrix --------------------------------------------------------------------------


def test_the_matrix_has_importance_five_on_top_and_complexity_one_on_the_left() -> None:
    grid = matrix([score(1, 5, 1), score(2, 1, 5), score(3, 2.5, 3.5), unrated(4), score(5, 5, 1)])
    assert len(grid) == 5 and all(len(row) == 5 for row in grid)
    assert grid[0][0] == [1, 5]
    assert grid[4][4] == [2]
    # 2.5 and 3.5 round half up to 3 and 4, not to the even neighbour.
    assert grid[2][3] == [3]
    assert sum(len(cell) for row in grid for cell in row) == 4


def test_rounding_is_half_up() -> None:
    assert [round_half_up(v) for v in (1.0, 1.5, 2.5, 3.49, 4.5)] == [1, 2, 3, 3, 5]


def test_a_smaller_matrix_puts_out_of_range_values_on_its_edge() -> None:
    grid = matrix([score(1, 5, 5)], size=3)
    assert grid[0][2] == [1]
    with pytest.raises(ValueError):
        matrix([], size=0)

"""The retro's rules checked by hypothesis on random retros."""

from __future__ import annotations

import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from tests.unit.retro.test_rules import unrated

# --- properties --------------------------------------------------------------------------

RATERS = [f"U{n}" for n in range(6)]


@st.composite
def retros(draw: st.DrawFn) -> tuple[list[int], list[Rating]]:
    item_ids = draw(st.lists(st.integers(1, 500), min_size=0, max_size=9, unique=True))
    rating = st.builds(
        Rating,
        item_id=st.sampled_from(item_ids) if item_ids else st.just(0),
        rater=st.sampled_from(RATERS),
        importance=st.integers(1, 5),
        complexity=st.integers(1, 5),
    )
    ratings = draw(st.lists(rating, max_size=40)) if item_ids else []
    return item_ids, ratings


def candidates(scores: list[ItemScore]) -> list[ItemScore]:
    return [s for s in scores if s.rated]


def by_id(scores: list[ItemScore]) -> dict[int, ItemScore]:
    return {s.item_id: s for s in scores}


@given(retros())
def test_aggregate_matches_a_plain_recount(retro: tuple[list[int], list[Rating]]) -> None:
    item_ids, ratings = retro
    latest = {(r.item_id, r.rater): r for r in ratings}
    scores = aggregate(item_ids, ratings)
    assert [s.item_id for s in scores] == item_ids
    for s in scores:
        mine = [r for r in latest.values() if r.item_id == s.item_id]
        assert s.raters == len(mine)
        if not mine:
            assert s == unrated(s.item_id)
            continue
        assert s.importance == statistics.median(r.importance for r in mine)
        assert s.complexity == statistics.median(r.complexity for r in mine)
        assert s.importance is not None and s.complexity is not None
        assert 1 <= s.importance <= 5 and 1 <= s.complexity <= 5
        assert 0 <= s.importance_spread <= 4 and 0 <= s.complexity_spread <= 4
        assert s.disputed == (max(s.importance_spread, s.complexity_spread) >= DISPUTE_SPREAD)


@given(retros(), st.randoms(use_true_random=False))
def test_order_of_ratings_and_items_does_not_matter(
    retro: tuple[list[int], list[Rating]], rnd: random.Random
) -> None:
    item_ids, ratings = retro
    # Shuffling only means something once duplicates are resolved (last wins by design).
    unique = list({(r.item_id, r.rater): r for r in ratings}.values())
    scores = aggregate(item_ids, unique)
    rnd.shuffle(unique)
    shuffled_ids = list(item_ids)
    rnd.shuffle(shuffled_ids)
    again = aggregate(shuffled_ids, unique)
    assert by_id(again) == by_id(scores)
    assert propose(again) == propose(scores)
    assert propose(list(reversed(scores))) == propose(scores)


@given(retros())
def test_proposals_obey_the_rules(retro: tuple[list[int], list[Rating]]) -> None:
    scores = aggregate(*retro)
    pool = candidates(scores)
    proposals = propose(scores)
    chosen = [p.item_id for p in proposals]
    assert len(set(chosen)) == len(chosen) == min(3, len(pool))
    assert [p.slot for p in proposals] == list(SLOTS[: len(proposals)])
    if not proposals:
        return
    known = by_id(scores)
    threshold = simple_threshold(scores)
    assert threshold is not None
    quick = known[chosen[0]]
    assert quick.complexity is not None and quick.importance is not None
    assert quick.complexity <= threshold
    for s in pool:
        assert s.complexity is not None and s.importance is not None
        if s.complexity <= threshold:
            assert s.importance <= quick.importance
    if len(chosen) >= 2:
        rest = [s.importance for s in pool if s.item_id != chosen[0]]
        assert known[chosen[1]].importance == max(v for v in rest if v is not None)
    if len(chosen) == 3:
        left = [s.complexity for s in pool if s.item_id not in chosen[:2]]
        assert known[chosen[2]].complexity == min(v for v in left if v is not None)


@given(retros(), st.data())
def test_swap_and_drop_keep_proposals_distinct(
    retro: tuple[list[int], list[Rating]], data: st.DataObject
) -> None:
    scores = aggregate(*retro)
    proposals = propose(scores)
    if not proposals:
        return
    slot = data.draw(st.sampled_from([p.slot for p in proposals]))
    new_item = data.draw(st.sampled_from([s.item_id for s in scores]))
    others = {p.item_id for p in proposals if p.slot != slot}
    if new_item in others:
        with pytest.raises(ChoiceError):
            swap(proposals, slot, new_item, scores)
    else:
        changed = swap(proposals, slot, new_item, scores)
        assert [p.slot for p in changed] == [p.slot for p in proposals]
        assert Proposal(slot, new_item) in changed
        assert len({p.item_id for p in changed}) == len(changed)
        assert [p for p in changed if p.slot != slot] == [p for p in proposals if p.slot != slot]
    if len(proposals) == 1:
        with pytest.raises(ChoiceError):
            drop(proposals, slot)
    else:
        kept = drop(proposals, slot)
        assert kept == [p for p in proposals if p.slot != slot]


@settings(max_examples=50)
@given(retros())
def test_the_matrix_holds_every_rated_item_once_in_its_cell(
    retro: tuple[list[int], list[Rating]],
) -> None:
    scores = aggregate(*retro)
    grid = matrix(scores)
    placed = {
        item: (r, c) for r, row in enumerate(grid) for c, cell in enumerate(row) for item in cell
    }
    assert sum(len(cell) for row in grid for cell in row) == len(placed)
    assert set(placed) == {s.item_id for s in candidates(scores)}
    for s in candidates(scores):
        assert s.importance is not None and s.complexity is not None
        assert placed[s.item_id] == (
            5 - round_half_up(s.importance),
            round_half_up(s.complexity) - 1,
        )

"""Pure rules of a retro's choice: aggregate ratings, propose at most three actions, adjust.

Every improvement item is rated by each participant on importance and complexity (1–5,
relative to the other items). Per item we keep the median and the spread (max − min) of
each scale; the proposals follow issue 3:

* *quick win*: the most important of the relatively simple items — likely done and
  measurable by the next retro;
* *most important*: the most important of the remaining items, even if complex;
* *simplest*: the least complex of what is still left.

Everything here is deterministic: the same items and ratings, in any order of ratings, give
the same scores and proposals. No I/O, stdlib only.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

from ceremonies.core.errors import Refusal

SCALE_MIN, SCALE_MAX = 1, 5
# A spread this wide means at least one person thinks "trivial" where another thinks
# "hard" (or unimportant vs. vital): worth talking about before voting on actions.
DISPUTE_SPREAD = 3
MAX_PROPOSALS = 3

Slot = Literal["quick_win", "most_important", "simplest"]
SLOTS: tuple[Slot, ...] = get_args(Slot)


@dataclass(frozen=True, slots=True)
class Rating:
    """One participant's rating of one improvement item; both scales are 1..5."""

    item_id: int
    rater: str
    importance: int
    complexity: int

    def __post_init__(self) -> None:
        for name in ("importance", "complexity"):
            value = getattr(self, name)
            # bool is an int subclass; True would silently read as a rating of 1.
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer, got {value!r}")
            if not SCALE_MIN <= value <= SCALE_MAX:
                raise ValueError(f"{name} must be {SCALE_MIN}..{SCALE_MAX}, got {value}")

    @classmethod
    def of(cls, item_id: int, rater: str, importance: int | str, complexity: int | str) -> Rating:
        """Builds a rating from select values, which Slack delivers as strings like "3"."""
        try:
            parsed = int(str(importance).strip()), int(str(complexity).strip())
        except ValueError as error:
            raise ValueError(
                f"ratings must be whole numbers, got {importance!r} and {complexity!r}"
            ) from error
        return cls(item_id, rater, *parsed)


@dataclass(frozen=True, slots=True)
class ItemScore:
    """The aggregate of one item's ratings.

    An item nobody rated has ``raters == 0``, ``importance`` and ``complexity`` ``None``
    (there is no honest number to show), spreads ``0`` and is never disputed; it is not a
    candidate for proposals but may still be chosen by hand through :func:`swap`.
    Medians are floats and may end in .5 when an even number of people rated.
    """

    item_id: int
    importance: float | None
    complexity: float | None
    importance_spread: int
    complexity_spread: int
    raters: int
    disputed: bool

    @property
    def rated(self) -> bool:
        return self.raters > 0


@dataclass(frozen=True, slots=True)
class Proposal:
    slot: Slot
    item_id: int


class ChoiceError(Refusal, ValueError):
    """A change to the proposals that cannot be made; nothing was changed.

    A :class:`Refusal` so handlers show the reason through the refusal template (codes
    ``retro_unknown_item``, ``retro_already_proposed``, ``retro_no_proposal``,
    ``retro_last_proposal``), and a ``ValueError`` because the input was bad.
    """

    def __init__(self, code: str, reason: str, **params: object) -> None:
        super().__init__(code, **params)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def aggregate(item_ids: Sequence[int], ratings: Iterable[Rating]) -> list[ItemScore]:
    """One :class:`ItemScore` per item, in the order of ``item_ids``.

    If the same rater rated the same item more than once, the last rating in ``ratings``
    wins (a later modal submission replaces the earlier one). Ratings for items not in
    ``item_ids`` are ignored: they belong to items that are no longer improvement items
    of this retro (e.g. re-kinded to "went well"), and one stale row must not break the
    whole pick.
    """
    if len(set(item_ids)) != len(item_ids):
        raise ValueError("item ids must be distinct")
    wanted = set(item_ids)
    latest: dict[tuple[int, str], Rating] = {}
    for rating in ratings:
        if rating.item_id in wanted:
            latest[(rating.item_id, rating.rater)] = rating
    importance: dict[int, list[int]] = {item_id: [] for item_id in item_ids}
    complexity: dict[int, list[int]] = {item_id: [] for item_id in item_ids}
    for rating in latest.values():
        importance[rating.item_id].append(rating.importance)
        complexity[rating.item_id].append(rating.complexity)
    return [_score(item_id, importance[item_id], complexity[item_id]) for item_id in item_ids]


def _score(item_id: int, importance: list[int], complexity: list[int]) -> ItemScore:
    if not importance:
        return ItemScore(item_id, None, None, 0, 0, 0, False)
    importance_spread = max(importance) - min(importance)
    complexity_spread = max(complexity) - min(complexity)
    return ItemScore(
        item_id=item_id,
        importance=float(statistics.median(importance)),
        complexity=float(statistics.median(complexity)),
        importance_spread=importance_spread,
        complexity_spread=complexity_spread,
        raters=len(importance),
        disputed=max(importance_spread, complexity_spread) >= DISPUTE_SPREAD,
    )


def simple_threshold(scores: Iterable[ItemScore]) -> float | None:
    """The median of the rated items' complexity medians; None when nothing is rated.

    "Relatively simple" is relative to this retro: an item at or below this value.
    """
    values = [s.complexity for s in scores if s.complexity is not None]
    return float(statistics.median(values)) if values else None


_Key = Callable[[ItemScore], tuple[float, float, int, int]]


def _by_importance(score: ItemScore) -> tuple[float, float, int, int]:
    # Ascending sort keys: min() picks the best candidate.
    assert score.importance is not None and score.complexity is not None
    return (-score.importance, score.complexity, -score.raters, score.item_id)


def _by_simplicity(score: ItemScore) -> tuple[float, float, int, int]:
    assert score.importance is not None and score.complexity is not None
    return (score.complexity, -score.importance, -score.raters, score.item_id)


def propose(scores: Iterable[ItemScore]) -> list[Proposal]:
    """Up to three proposals, each a different item, in the order quick win, most
    important, simplest (only those that exist).

    Candidates are the rated items (``raters > 0``). With one candidate only the quick win
    is proposed, with two the quick win and the most important, with three or more all
    three. Rules and tie-breaks, each applied in turn until one item remains:

    * quick win — among the *relatively simple* candidates (complexity median at or below
      :func:`simple_threshold`, so there is always at least one): highest importance
      median, then lower complexity median, then more raters, then lower item id;
    * most important — among the other candidates: highest importance median, then lower
      complexity median, then more raters, then lower item id;
    * simplest — among the candidates left: lowest complexity median, then higher
      importance median, then more raters, then lower item id.

    "More raters" prefers the score more people stand behind; the item id (creation order)
    is the final, total tie-break, so the result never depends on input order.
    """
    candidates = [s for s in scores if s.rated]
    threshold = simple_threshold(candidates)
    if threshold is None:
        return []
    proposals: list[Proposal] = []
    taken: set[int] = set()

    def pick(slot: Slot, pool: Iterable[ItemScore], key: _Key) -> None:
        best = min((s for s in pool if s.item_id not in taken), key=key, default=None)
        if best is not None:
            proposals.append(Proposal(slot, best.item_id))
            taken.add(best.item_id)

    simple = [s for s in candidates if s.complexity is not None and s.complexity <= threshold]
    pick("quick_win", simple, _by_importance)
    pick("most_important", candidates, _by_importance)
    pick("simplest", candidates, _by_simplicity)
    return proposals


def swap(
    proposals: Sequence[Proposal], slot: Slot, new_item_id: int, scores: Iterable[ItemScore]
) -> list[Proposal]:
    """The facilitator replaces the item in ``slot`` with any improvement item of this retro.

    The new item need not be rated (people may agree on it in the discussion) but must be
    one of ``scores`` and must not already be another proposal. Choosing the item the
    slot already holds changes nothing, so a double-clicked form is harmless. Positions
    are kept.
    """
    current = _find(proposals, slot)
    if new_item_id not in {s.item_id for s in scores}:
        raise ChoiceError(
            "retro_unknown_item",
            f"item {new_item_id} is not an improvement item of this retro",
            item_id=new_item_id,
        )
    if proposals[current].item_id == new_item_id:
        return list(proposals)
    for other in proposals:
        if other.item_id == new_item_id:
            raise ChoiceError(
                "retro_already_proposed",
                f"item {new_item_id} is already proposed as {other.slot}",
                item_id=new_item_id,
                slot=other.slot,
            )
    changed = list(proposals)
    changed[current] = replace(proposals[current], item_id=new_item_id)
    return changed


def drop(proposals: Sequence[Proposal], slot: Slot) -> list[Proposal]:
    """The facilitator keeps fewer actions; at least one must remain."""
    current = _find(proposals, slot)
    if len(proposals) <= 1:
        raise ChoiceError(
            "retro_last_proposal",
            "a retro keeps at least one action; swap it instead of dropping it",
            slot=slot,
        )
    return [p for i, p in enumerate(proposals) if i != current]


def _find(proposals: Sequence[Proposal], slot: Slot) -> int:
    for position, proposal in enumerate(proposals):
        if proposal.slot == slot:
            return position
    raise ChoiceError("retro_no_proposal", f"there is no {slot} proposal", slot=slot)


def round_half_up(value: float) -> int:
    # Python's round() goes to even (2.5 -> 2); people reading a 2.5 median expect 3.
    return math.floor(value + 0.5)


def matrix(scores: Iterable[ItemScore], size: int = SCALE_MAX) -> list[list[list[int]]]:
    """The importance × complexity grid as data, for the text grid and the chart.

    ``grid[row][col]`` lists the ids of rated items whose importance median, rounded half
    up, is ``size - row`` and whose complexity median, rounded half up, is ``col + 1``:
    importance ``size`` is the top row, complexity 1 the left column — the quick wins sit
    top left. Ids keep the order of ``scores``; unrated items are left out. With a
    ``size`` smaller than the rating scale, values beyond it land on the edge row/column.
    """
    if size < 1:
        raise ValueError("size must be positive")
    grid: list[list[list[int]]] = [[[] for _ in range(size)] for _ in range(size)]
    for score in scores:
        if score.importance is None or score.complexity is None:
            continue
        importance = min(max(round_half_up(score.importance), 1), size)
        complexity = min(max(round_half_up(score.complexity), 1), size)
        grid[size - importance][complexity - 1].append(score.item_id)
    return grid

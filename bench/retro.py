"""Times a retro's pick at scale: `python bench/retro.py [--repeat N]`.

Aggregate + propose + matrix for 200 improvement items rated by 30 people (6,000 ratings),
target under 50 ms; and the "looks like an earlier item" check for 25 new items against
500 earlier ones, one by one and batched. Ratings and texts come from a fixed seed so runs
compare.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from ceremonies.retro.rules import Rating, aggregate, matrix, propose
from ceremonies.retro.similarity import most_similar, most_similar_each, prepare

ITEMS, RATERS = 200, 30
NEW_ITEMS, EARLIER_ITEMS = 25, 500
TARGET_MS = 50.0
SEED = 20240603

_VOCABULARY = """
deploy pipeline flaky tests ci build staging release notes review pull request slow
meetings standup planning sprint backlog estimates onboarding documentation docs outdated
on-call pager alerts noisy monitoring dashboard database migration refactoring tech debt
pairing knowledge sharing support interruptions context switching priorities product
design handoff requirements unclear demo customer feedback laptop setup local environment
coffee office remote timezone communication ownership service incident postmortem
"""
VOCABULARY = _VOCABULARY.split()
FILLERS = ["too", "the", "are", "is", "more", "our", "we", "should", "not", "always"]


def ratings(rnd: random.Random) -> list[Rating]:
    # Each item gets a "true" importance and complexity; raters scatter around it, so
    # medians spread over the grid and some items are disputed, as in a real retro.
    out: list[Rating] = []
    for item_id in range(1, ITEMS + 1):
        importance, complexity = rnd.randint(1, 5), rnd.randint(1, 5)
        for rater in range(RATERS):
            out.append(
                Rating(
                    item_id,
                    f"U{rater:04d}",
                    min(5, max(1, importance + rnd.choice((-2, -1, 0, 0, 0, 1, 2)))),
                    min(5, max(1, complexity + rnd.choice((-1, 0, 0, 0, 1)))),
                )
            )
    rnd.shuffle(out)
    return out


def item_text(rnd: random.Random) -> str:
    words = rnd.sample(VOCABULARY, rnd.randint(2, 4)) + rnd.sample(FILLERS, 2)
    rnd.shuffle(words)
    return " ".join(words).capitalize()


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(label: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
    return f"{label:<52} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    repeat = parser.parse_args().repeat
    rnd = random.Random(SEED)

    item_ids = list(range(1, ITEMS + 1))
    rated = ratings(rnd)

    def pick() -> object:
        scores = aggregate(item_ids, rated)
        return propose(scores), matrix(scores)

    pick_times = timed(pick, repeat)
    scores = aggregate(item_ids, rated)
    disputed = sum(s.disputed for s in scores)
    print(f"{ITEMS} items x {RATERS} raters = {len(rated)} ratings, {repeat} runs")
    print(summary("aggregate + propose + matrix", pick_times))
    print(f"  proposals: {propose(scores)}")
    print(f"  disputed items: {disputed}")
    verdict = "OK" if statistics.median(pick_times) < TARGET_MS else "OVER TARGET"
    print(f"  target {TARGET_MS:.0f} ms: {verdict}")

    earlier = [(n, item_text(rnd)) for n in range(1, EARLIER_ITEMS + 1)]
    new = [(10_000 + n, item_text(rnd)) for n in range(NEW_ITEMS)]

    def one_by_one() -> object:
        return [most_similar(text, earlier) for _, text in new]

    def cold() -> object:
        # Without the cache: what the first /retro pick after a restart pays.
        prepare.cache_clear()
        return one_by_one()

    print(f"\nsimilarity: {NEW_ITEMS} new items vs {EARLIER_ITEMS} earlier, {repeat} runs")
    print(summary("most_similar per item, cold cache", timed(cold, repeat)))
    print(summary("most_similar per item, warm cache", timed(one_by_one, repeat)))
    batch = timed(lambda: most_similar_each(new, earlier), repeat)
    print(summary("most_similar_each (word index)", batch))
    print(f"  matches: {len(most_similar_each(new, earlier))} of {NEW_ITEMS}")


if __name__ == "__main__":
    main()

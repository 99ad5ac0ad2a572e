"""Does a new retro item look like one from an earlier retro? Plain text similarity only.

The score combines two stdlib measures on normalised text (see :func:`similar`):

* token Jaccard — the share of content words two items have in common, blind to word
  order, so "Flaky CI tests" and "CI tests are flaky" are the same;
* ``difflib.SequenceMatcher.ratio`` on the distinct normalised words in alphabetical
  order — forgiving of small spelling differences ("flakey"/"flaky") and word forms the
  light stemmer misses. Sorting keeps it blind to word order like the Jaccard part; on
  the calibration examples it separated rewordings from unrelated items better than the
  words in written order did.

Synonyms ("Documentation is outdated" vs "Docs are out of date") are out of reach of a
text measure and are not meant to match. "Deployments take too long" and "our deploys are
too slow" do match, but only because the light stemmer makes both "deploy".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ceremonies.retro.tokens import RUSSIAN_STEM, is_russian, split_scripts, stem_russian

# Jaccard decides; the character ratio only nudges. With these weights an item pair with
# no content word in common scores at most RATIO_WEIGHT, below SIMILAR_AT, which is what
# lets most_similar skip such pairs without running difflib (see _could_reach).
JACCARD_WEIGHT = 0.6
RATIO_WEIGHT = 1.0 - JACCARD_WEIGHT
# Calibrated on the examples in tests/unit/test_retro_similarity.py: the 16 rewordings of
# one complaint score 0.51–1.0, while 40 typical unrelated retro items (780 pairs) stay
# at or below 0.37, as do the synonym-only rewordings. In that gap the cut leans high:
# a wrong "this came up before" hint makes people doubt the right ones; a missed
# one costs nothing the facilitator would not notice anyway.
SIMILAR_AT = 0.5

# Words that carry no topic in a retro item; dropping them keeps "the tests are flaky"
# and "flaky tests" equal. Generic verbs of retro items ("fix", "improve", "take") are in
# too: "Standup takes too long" must not match "Deployments take too long" on them alone.
# Negations are kept: "no tests" is not "tests".
_STOP_WORDS = """
    a about again all almost also always am an and any are as at be been being better bit
    but by can could did do does doing done each every fix fixing for from get gets
    getting got had has have having he her here him his how i if improve improving in into
    is it its itself just keep let lets lot lots make makes making many maybe me more most
    much my need needs of off often on once only or other our ours out over own please
    really same she should so some sometimes still such take takes taking than that the
    their them then there these they thing things this those through to too took try us
    usually very was we were what when where which while who why will with would you your
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
# "stand-up" and "standup" are the same word; a hyphen between Latin letters joins them
# ("CI-тесты" stays two words: "CI" and "тесты").
_HYPHEN = re.compile(r"(?<=[a-z0-9])[-\u2010\u2011](?=[a-z0-9])")
# Slack wraps mentions, channels and links in <...>; their ids are noise for similarity,
# but a link's label is what the person wrote.
_SLACK_MARKUP = re.compile(r"<[^>|]*\|([^>]*)>|<[^>]*>")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A text reduced to what similarity compares, computed once per distinct text."""

    tokens: frozenset[str]
    # The distinct tokens sorted and space-joined: what difflib compares.
    joined: str


def _stem(word: str) -> str:
    # Just enough to equate plural and -ing forms of the nouns and verbs retros use
    # ("tests"/"test", "deployments"/"deploy", "meetings"/"meeting"); not a real stemmer.
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ments") and len(word) > 7:
        return word[:-5]
    if word.endswith("ment") and len(word) > 6:
        return word[:-4]
    if word.endswith("ings") and len(word) > 6:
        return word[:-4]
    if word.endswith("ing") and len(word) > 5:
        return word[:-3]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=8192)
def prepare(text: str) -> Prepared:
    """Lower case, accents and punctuation removed, hyphenated words joined, stop words
    dropped, remaining words stemmed.

    A text made only of stop words ("we should do it") keeps them, so it still compares
    equal to itself. Cached: earlier items are compared again and again.
    """
    plain = _SLACK_MARKUP.sub(lambda m: f" {m.group(1) or ''} ", text)
    plain = _without_accents(plain.replace("&amp;", "&")).lower().replace("ё", "е")
    words, pairs = split_scripts(_HYPHEN.sub("", plain))
    content = [*_content(words), *pairs] or [*_content(words, keep_stop_words=True), *pairs]
    return Prepared(frozenset(content), " ".join(sorted(set(content))))


def _without_accents(text: str) -> str:
    """Latin accents go ("é" → "e"); the marks that make other letters stay: "й" is not "и"
    nor "が" "か"."""
    kept: list[str] = []
    base = ""
    for ch in unicodedata.normalize("NFKD", text):
        if not unicodedata.combining(ch):
            base = ch
        elif base.isascii():
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def _content(words: list[str], *, keep_stop_words: bool = False) -> list[str]:
    # Stop words are matched before stemming: the stemmer would turn "does" into "doe".
    kept = []
    for word in words:
        if is_russian(word):
            stem = stem_russian(word)
            if stem is None and keep_stop_words:
                stem = word[:RUSSIAN_STEM]
        else:
            stem = _stem(word) if keep_stop_words or word not in STOP_WORDS else None
        if stem is not None:
            kept.append(stem)
    return kept


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _could_reach(jaccard: float, threshold: float, ratio_bound: float = 1.0) -> bool:
    # An upper bound of the final score without running difflib.
    return JACCARD_WEIGHT * jaccard + RATIO_WEIGHT * ratio_bound >= threshold


def _ratio_bound(a: Prepared, b: Prepared) -> float:
    # difflib's ratio is 2·matches/(len a + len b), and matches <= the shorter length.
    total = len(a.joined) + len(b.joined)
    return 2 * min(len(a.joined), len(b.joined)) / total if total else 0.0


def _score(a: Prepared, b: Prepared, jaccard: float) -> float:
    if not a.joined or not b.joined:
        return 0.0
    if a.joined == b.joined:
        return 1.0
    # SequenceMatcher is not symmetric in general; a fixed order makes similar(a, b)
    # equal similar(b, a).
    first, second = sorted((a.joined, b.joined))
    ratio = SequenceMatcher(None, first, second, autojunk=False).ratio()
    return JACCARD_WEIGHT * jaccard + RATIO_WEIGHT * ratio


def similar(text_a: str, text_b: str) -> float:
    """How alike two items read, from 0 (nothing in common) to 1 (same words).

    ``0.6 × Jaccard(content words) + 0.4 × difflib ratio(sorted content words)``; texts
    with no words at all score 0. Symmetric, and 1.0 for texts with the same content
    words in any order.
    """
    a, b = prepare(text_a), prepare(text_b)
    return _score(a, b, _jaccard(a.tokens, b.tokens))


def most_similar(
    text: str, earlier: Sequence[tuple[int, str]], threshold: float = SIMILAR_AT
) -> tuple[int, float] | None:
    """The earlier item ``(item_id, score)`` most like ``text``, if any reaches ``threshold``.

    Ties go to the item listed first in ``earlier``, so pass the newest first to point at
    the most recent occurrence of a recurring complaint.
    """
    new = prepare(text)
    reachable: list[tuple[float, int, int, Prepared]] = []
    for position, (item_id, earlier_text) in enumerate(earlier):
        old = prepare(earlier_text)
        jaccard = _jaccard(new.tokens, old.tokens)
        if _could_reach(jaccard, threshold):
            reachable.append((-jaccard, position, item_id, old))
    # Most shared words first: a strong match found early bounds all the rest, so difflib
    # runs on a handful of pairs instead of every pair sharing a word.
    reachable.sort(key=lambda entry: (entry[0], entry[1]))
    best: tuple[float, int, int] | None = None  # (score, position, item_id)
    for negative_jaccard, position, item_id, old in reachable:
        jaccard = -negative_jaccard
        if best is not None and not _could_reach(jaccard, best[0]):
            break
        if not _could_reach(jaccard, threshold, _ratio_bound(new, old)):
            continue
        score = _score(new, old, jaccard)
        if score < threshold or (best is not None and (score, -position) <= (best[0], -best[1])):
            continue
        best = (score, position, item_id)
    return None if best is None else (best[2], best[0])


def most_similar_each(
    texts: Sequence[tuple[int, str]],
    earlier: Sequence[tuple[int, str]],
    threshold: float = SIMILAR_AT,
) -> dict[int, tuple[int, float]]:
    """:func:`most_similar` for every new item at once: new item id -> (earlier id, score).

    Items without a match are absent. An index from word to earlier items means each new
    item is compared only with earlier items sharing a word with it — with the weights
    above, no other pair can reach the threshold.
    """
    if not _could_reach(0.0, threshold):
        by_word: dict[str, list[int]] = {}
        for position, (_, earlier_text) in enumerate(earlier):
            for word in prepare(earlier_text).tokens:
                by_word.setdefault(word, []).append(position)
        found: dict[int, tuple[int, float]] = {}
        for item_id, text in texts:
            positions = sorted({p for w in prepare(text).tokens for p in by_word.get(w, ())})
            match = most_similar(text, [earlier[p] for p in positions], threshold)
            if match is not None:
                found[item_id] = match
        return found
    # A threshold so low that unrelated texts may pass: compare everything.
    return {
        item_id: match
        for item_id, text in texts
        if (match := most_similar(text, earlier, threshold)) is not None
    }

"""Retro items cut into what similarity compares, in English, Russian and Japanese.

* Scripts with spaces (Latin, Cyrillic) are cut into words: English ones lightly stemmed,
  Russian ones cut to their first RUSSIAN_STEM letters, which is enough to equate the
  inflected forms a retro uses ("тесты", "тестов", "тестами" → "тесты"/"тесто" → "тест…").
* Japanese has no spaces: runs of kanji and kana become overlapping character pairs
  (bigrams), the usual way to compare Japanese text without a dictionary, and a pair
  holding a particle (は, が, を, …) is dropped, so "テストが遅い" and "テストは遅い" read
  the same.
"""

from __future__ import annotations

import re

RUSSIAN_STEM = 5  # letters; a crude but well-known stemmer for Russian search
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-яё]")
# Kanji, hiragana, katakana (with the prolonged sound mark).
_JAPANESE = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u4e00-\u9fff\u3400-\u4dbfー々]+")
_PARTICLES = frozenset("はがをにでのともへや")

# Words of Russian retro items that carry no topic (negations are kept: "нет тестов").
_RUSSIAN_STOP_WORDS = """
    а без более бы был была были было быть в вам вас весь во вот все всё всего всегда вы
    где да даже для до его ее её если есть еще ещё же за здесь и из или им их к как какой
    когда кто ли либо лучше между меня мне много может можно мой мы на над надо нам нас
    наш нужно о об один он она они оно опять от очень по под после при про раз с сам свой
    себя сейчас слишком со так также такой там то тоже только тот у уж уже хотя чем через
    что чтобы эта эти это этот я снова делать сделать стоит стало стал постоянно часто
    иногда вечно занимает занимают идут идет идёт получается происходит бывает
"""
RUSSIAN_STOP_WORDS = frozenset(_RUSSIAN_STOP_WORDS.replace("ё", "е").split())


def japanese_pairs(run: str) -> list[str]:
    """A run of Japanese text as overlapping character pairs, particles left out."""
    if len(run) == 1:
        return [] if run in _PARTICLES else [run]
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    return [p for p in pairs if not (set(p) & _PARTICLES)] or pairs


def split_scripts(text: str) -> tuple[list[str], list[str]]:
    """(the words of scripts with spaces, the Japanese character pairs) of lower-cased,
    normalised `text`."""
    pairs: list[str] = []

    def japanese(match: re.Match[str]) -> str:
        pairs.extend(japanese_pairs(match.group(0)))
        return " "

    rest = _JAPANESE.sub(japanese, text)
    return _WORD.findall(rest), pairs


def stem_russian(word: str) -> str | None:
    """None for a stop word; else its first letters (the word itself if it is short)."""
    if word in RUSSIAN_STOP_WORDS:
        return None
    return word[:RUSSIAN_STEM]


def is_russian(word: str) -> bool:
    return bool(_CYRILLIC.search(word))

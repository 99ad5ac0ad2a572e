"""The answers to the blockers question that mean "none", in each language a team may use.

Read, never shown: a team answers in its own language whatever the bot speaks, so every
list counts for everyone. A whole answer (punctuation aside) must be one of them:
"нет доступа к базе" is a blocker, "Нет." is not.
"""

from __future__ import annotations

import re

NO_BLOCKER_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "no", "none", "nope", "nah", "nothing", "n/a", "na", "nil", "no blocker", "no blockers",
        "not really", "all good", "-", "—", "0",
    ),
    "ru": (
        "нет", "нету", "ничего", "ничего нет", "никаких", "не", "неа", "все ок", "всё ок",
        "все хорошо", "всё хорошо", "без блокеров", "блокеров нет", "нет блокеров",
        "пока нет", "ничего не мешает",
    ),
    "ja": (
        "なし", "無し", "特になし", "特に無し", "ない", "無い", "ないです", "ありません",
        "特にありません", "特にないです", "大丈夫", "大丈夫です", "問題なし", "問題ありません",
    ),
}  # fmt: skip
NO_BLOCKER = re.compile(
    r"^[\W_]*("
    + "|".join(
        re.escape(word).replace(r"\ ", r"\s+")
        for words in NO_BLOCKER_WORDS.values()
        for word in sorted(words, key=len, reverse=True)
    )
    + r"|-+)[\W_]*$",
    re.IGNORECASE,
)

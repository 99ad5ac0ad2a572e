"""Every template renders to payloads Slack accepts, whatever the users wrote."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bot.demo.standin.blockkit import REFERENCE_DIR
from bot.rendering import TEMPLATES, Renderer, fit_blocks, split_text
from bot.translations import available_locales
from ceremonies.core.language_choice import LanguageStatus
from ceremonies.core.languages import Resolved, native_name
from ceremonies.core.time_model import DateRange
from ceremonies.daily.answers import Form
from ceremonies.daily.reports import HistoryDay, Status
from ceremonies.daily.setup import DailySettings
from ceremonies.retro.actions import RetroRecord
from ceremonies.retro.rating import RatingPage
from tests.unit.home.template_cases import HOME_VIEWS
from tests.unit.oncall.template_cases import ONCALL_MESSAGES
from tests.unit.weekly.template_cases import WEEKLY_MESSAGES, WEEKLY_VIEWS

SCHEMA = json.loads((REFERENCE_DIR / "blockkit.schema.json").read_text())
BLOCKS = Draft202012Validator(SCHEMA)
MODAL = Draft202012Validator({"$ref": "#/$defs/modal_view", "$defs": SCHEMA["$defs"]})
HOME = Draft202012Validator({"$ref": "#/$defs/home_view", "$defs": SCHEMA["$defs"]})
LONG = "very long answer " * 4000
NASTY = "<!channel> & <b> @here"

card = {
    "user_id": "U1",
    "local_date": date(2026, 11, 30),
    "late": True,
    "has_blocker": True,
    "items": [
        {"question": "Q?", "answer": LONG, "blocker": False},
        {"question": "Blockers?", "answer": NASTY, "blocker": True},
    ],
}
settings = DailySettings(
    channel_id="C1",
    owner_id="U1",
    prompt_time=time(10),
    weekdays=frozenset({0, 1, 2, 3, 4}),
    questions=["A?", "B?", NASTY],
    country="DE",
    paused=False,
    participants=["U1", "U2"],
    next_prompts={"U1": datetime(2026, 11, 30, 9, tzinfo=UTC)},
)
summary = {
    "run_id": 1,
    "local_date": date(2026, 11, 30),
    "closed": True,
    "answered": ["U1"],
    "waiting": ["U2"],
    "skipped": ["U3"],
    "blocked": ["U1"],
}
NAMES = {code: native_name(code) for code in available_locales()}


def language_status(person: Resolved, locale: str | None, channel: Resolved | None) -> Any:
    return LanguageStatus(
        person, locale, None, "C1" if channel else None, channel, tuple(NAMES), "en"
    )


# `/daily language`: shown, after one's own change and a channel's, from every source.
LANGUAGE_MESSAGES = {
    "daily/language": {
        "status": language_status(Resolved("ru", "slack"), "ru-RU", Resolved("ja", "owner")),
        "change": None,
        "names": NAMES,
    },
    "daily/language#mine": {
        "status": language_status(Resolved("ja", "choice"), "en-US", None),
        "change": "person",
        "names": NAMES,
    },
    "daily/language#auto": {
        "status": language_status(Resolved("en", "default"), "de-DE", Resolved("en", "default")),
        "change": "person",
        "names": NAMES,
    },
    "daily/language#channel": {
        "status": language_status(Resolved("en", "default"), None, Resolved("ru", "choice")),
        "change": "channel",
        "names": NAMES,
    },
    "daily/language#channel_auto": {
        "status": language_status(Resolved("en", "slack"), "en-GB", Resolved("en", "owner")),
        "change": "channel",
        "names": NAMES,
    },
    "common/invalid#language": {
        "code": "language_unknown",
        "input": "klingon",
        "languages": ("en", "ru", "ja"),
    },
}
MESSAGES = {
    "daily/prompt": {
        "prompt_id": 1,
        "channel_id": "C1",
        "local_date": date(2026, 11, 30),
        "question": NASTY,
        "total": 3,
        "late": True,
    },
    "daily/question": {"question": NASTY, "position": 2, "total": 3},
    "daily/confirmation": {"channel_id": "C1", "local_date": date(2026, 11, 30)},
    "daily/no_prompt": {},
    "daily/already_answered": {
        "prompt_id": 1,
        "local_date": date(2026, 11, 30),
        "channel_id": "C1",
    },
    "daily/reminder": {
        "prompt_id": 1,
        "channel_id": "C1",
        "local_date": date(2026, 11, 30),
        "question": "Q",
        "answered": 1,
        "total": 3,
    },
    "daily/parent": summary,
    "daily/answers": card,
    "daily/settings_summary": {"settings": settings, "change": "started"},
    "daily/status": {"status": Status("C1", summary, ["U4"], ["U5"], {}, paused=True)},
    "daily/history": {
        "days": [HistoryDay(date(2026, 11, 30), [card] * 30, ["U2"])],
        "user_id": None,
        "count": 7,
        "channel_id": "C1",
    },
    "daily/help": {},
    "daily/skipped": {"local_date": date(2026, 11, 30)},
    "daily/away": {"user_id": "U1", "absence": DateRange(date(2026, 12, 21), date(2027, 1, 3))},
    **LANGUAGE_MESSAGES,
    "common/refusal": {"code": "not_participant", "user_id": "U1"},
    "common/invalid": {"code": "time_invalid", "input": "25:99"},
    "common/oops": {},
    "common/malformed": {},
}
choice = {
    "retro_id": 1,
    "title": "Sprint 42",
    "phase": "choosing",
    "items": [
        {
            "number": n,
            "text": f"item {n} {NASTY}",
            "importance": 4.5 if n % 2 else None,
            "complexity": 2.0,
            "importance_spread": 3,
            "complexity_spread": 1,
            "raters": 12,
            "disputed": n == 3,
            "chosen": n < 4,
        }
        for n in range(1, 26)
    ],
    "grid": [[[1, 2, 3, 4, 5, 6] if r == c else [] for c in range(5)] for r in range(5)],
    "actions": [
        {"position": p, "slot": s, "number": p, "text": LONG, "owner_id": "U1" if p == 1 else None}
        for p, s in enumerate(["quick_win", "most_important", "simplest"], start=1)
    ],
    "other_items": [{"number": n, "text": LONG} for n in range(4, 130)],
}
action_view = {
    "id": 1,
    "text": NASTY,
    "owner_id": "U1",
    "status": "done",
    "helped": "yes",
    "slot": "quick_win",
    "revisit_on": date(2026, 12, 14),
    "retro_title": "Sprint 42",
    "channel_id": "C1",
}
MESSAGES.update(
    {
        "retro/parent": {
            "retro_id": 1,
            "title": NASTY,
            "facilitator_id": "U1",
            "phase": "collecting",
            "went_well": 1,
            "to_improve": 2,
            "raters": 0,
            "actions": 0,
        },
        "retro/review": {
            "retro_id": 2,
            "previous_title": "Sprint 41",
            "actions": [action_view],
            "backlog": [
                {"text": NASTY, "importance": 4.0, "complexity": 2.5},
                {"text": LONG, "importance": None, "complexity": None},
            ]
            * 6,
        },
        "retro/carried": {"texts": [NASTY, LONG]},
        "retro/form_item": {"text": NASTY, "kind": "improve", "author_id": None, "number": 4},
        "retro/similar": {
            "number": 4,
            "earlier_text": NASTY,
            "earlier_title": "Sprint 40",
            "earlier_date": datetime(2026, 11, 2, tzinfo=UTC),
            "action": {"status": "done", "helped": "no", "owner_id": "U2"},
        },
        "retro/rating_started": {"count": 5},
        "retro/choice": choice,
        "retro/summary": {**choice, "went_well": [NASTY], "revisit_on": date(2026, 12, 14)},
        "retro/revisit": action_view,
        "retro/actions_list": {"actions": [action_view] * 20},
        "retro/history": {
            "records": [
                RetroRecord(
                    "Sprint 42",
                    datetime(2026, 11, 2, tzinfo=UTC),
                    None,
                    "U1",
                    ["a"],
                    choice["items"],
                    [action_view],
                )
            ]
            * 12
        },
        "retro/help": {},
        "retro/kept_for_later": {"phase": "closed"},
        "retro/reported": action_view,
        "retro/facilitator_changed": {"user_id": "U2"},
    }
)
MESSAGES.update(ONCALL_MESSAGES)
MESSAGES.update(WEEKLY_MESSAGES)
VIEWS = {
    "daily/answer_form": {
        "form": Form(1, "C1", date(2026, 11, 30), ["A?", "B?"], [LONG, ""]),
        "answers": [LONG, ""],
    },
    "daily/settings_modal": {"settings": settings},
    "common/notice_modal": {"code": "not_your_prompt"},
    "retro/add_item_modal": {"retro_id": 3},
    "retro/rating_modal": {
        "page": RatingPage(
            1,
            "Sprint",
            2,
            3,
            [
                {
                    "id": i,
                    "number": i,
                    "text": LONG,
                    "importance": 3 if i % 2 else None,
                    "complexity": None,
                }
                for i in range(10)
            ],
        )
    },
}
VIEWS.update(WEEKLY_VIEWS)
VIEWS.update(HOME_VIEWS)


def all_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        return [t for value in node.values() for t in all_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in all_texts(value)]
    return [node] if isinstance(node, str) else []


def test_every_template_is_covered() -> None:
    names = {
        str(p.relative_to(TEMPLATES)).removesuffix(".json.j2") for p in TEMPLATES.rglob("*.json.j2")
    }
    # "name#case" renders one template with another context.
    assert names == {n.split("#")[0] for n in [*MESSAGES, *VIEWS]}


# Every language with a catalog: Russian labels run longer than English ones.
LOCALES = available_locales()
RENDERERS = {locale: Renderer(locale=locale) for locale in LOCALES}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_messages_fit_slack(name: str, locale: str) -> None:
    payload = RENDERERS[locale].render(name.split("#")[0], MESSAGES[name])
    assert payload["text"] and len(payload["text"]) < 4000
    if "blocks" in payload:
        BLOCKS.validate(payload["blocks"])
        assert len(payload["blocks"]) <= 50
    assert not any("<!" in text for text in all_texts(payload))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_fit_slack(name: str, locale: str) -> None:
    view = RENDERERS[locale].view(name.split("#")[0], VIEWS[name])
    if view.get("type") != "home":
        MODAL.validate(view)
        return
    HOME.validate(view)
    assert len(view["blocks"]) <= 100
    assert not any("<!" in text for text in all_texts(view))  # what people wrote cannot ping


def test_long_answers_are_split_not_cut() -> None:
    blocks = Renderer().render("daily/answers", card)["blocks"]
    shown = " ".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert shown.count("very long answer") == 4000


def test_past_the_block_limit_a_note_says_so() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 60
    fitted = fit_blocks(blocks, 50, "cut")
    assert len(fitted) == 50 and fitted[-1]["type"] == "context"


def test_split_text_keeps_every_character_but_whitespace_at_cuts() -> None:
    text = ("word " * 2000).strip()
    parts = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in parts)
    assert " ".join(parts).split() == text.split()

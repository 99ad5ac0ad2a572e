"""Every weekly template renders to payloads Slack accepts, whatever people wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bot.demo.standin.blockkit import REFERENCE_DIR, check_blocks, check_view, find_pings
from bot.rendering import TEMPLATES, Renderer
from bot.translations import available_locales
from tests.unit.weekly.template_cases import (
    BLOCKERS_PER_PAGE,
    NAMES,
    PROPOSED,
    SECTION,
    WEEKLY_MESSAGES,
    WEEKLY_VIEW_CASES,
)

SCHEMA = json.loads((REFERENCE_DIR / "blockkit.schema.json").read_text())
BLOCKS = Draft202012Validator(SCHEMA)
MODAL = Draft202012Validator({"$ref": "#/$defs/modal_view", "$defs": SCHEMA["$defs"]})
RENDERER = Renderer()
# The big week in every language with a catalog: longer labels must still fit.
LOCALES = available_locales()
RENDERERS = {locale: Renderer(locale=locale) for locale in LOCALES}
PINGS = ("<!channel", "<!here", "<!everyone", "<!subteam")


def message(name: str, locale: str = "en") -> dict[str, Any]:
    return RENDERERS[locale].render(name.split("#")[0], WEEKLY_MESSAGES[name])


def view(name: str, locale: str = "en") -> dict[str, Any]:
    return RENDERERS[locale].view(name.split("#")[0], WEEKLY_VIEW_CASES[name])


def all_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        return [t for value in node.values() for t in all_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in all_texts(value)]
    return [node] if isinstance(node, str) else []


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in payload.get("blocks", []):
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
    return found


def section_texts(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in payload.get("blocks", []) if b["type"] == "section"]


def test_every_weekly_template_is_covered() -> None:
    names = {
        str(p.relative_to(TEMPLATES)).removesuffix(".json.j2")
        for p in (TEMPLATES / "weekly").glob("*.json.j2")
    }
    assert names == {n.split("#")[0] for n in WEEKLY_MESSAGES} | {
        n.split("#")[0] for n in WEEKLY_VIEW_CASES
    }


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(WEEKLY_MESSAGES))
def test_messages_fit_slack(name: str, locale: str) -> None:
    payload = message(name, locale)
    assert payload["text"] and len(payload["text"]) < 4000
    if "blocks" in payload:
        BLOCKS.validate(payload["blocks"])
        assert check_blocks(payload["blocks"]) == []
        assert len(payload["blocks"]) <= 50
    assert all(len(t) <= 3000 for t in section_texts(payload))
    assert find_pings(payload) == []
    raw = json.dumps(payload, ensure_ascii=False)
    assert not any(ping in raw for ping in PINGS)
    # People are named, never mentioned: a weekly digest pings nobody.
    if name.startswith(("weekly/report", "weekly/details", "weekly/status_dm")):
        assert "<@" not in raw


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(WEEKLY_VIEW_CASES))
def test_views_fit_slack(name: str, locale: str) -> None:
    payload = view(name, locale)
    MODAL.validate(payload)
    assert check_view(payload) == []
    assert len(payload["blocks"]) <= 100
    assert len(payload["title"]["text"]) <= 24
    raw = json.dumps(payload, ensure_ascii=False)
    assert not any(ping in raw for ping in PINGS)


def test_report_acknowledge_buttons_carry_delivery_and_index() -> None:
    payload = message("weekly/report")
    acks = [b for b in buttons(payload) if b["action_id"] == "weekly_acknowledge"]
    assert [b["value"] for b in acks] == [f"42:{i}" for i in range(10)]
    contexts = [
        e["text"] for b in payload["blocks"] if b["type"] == "context" for e in b["elements"]
    ]
    assert any(t.startswith(":white_check_mark: Acknowledged by Person 0") for t in contexts)
    assert any(t == ":white_check_mark: Acknowledged by Person 1" for t in contexts)
    assert any("Details per channel in the thread." in t for t in contexts)


def test_preview_has_no_buttons() -> None:
    assert buttons(message("weekly/report#preview")) == []
    assert buttons(message("weekly/details_daily#preview")) == []
    raw = json.dumps(message("weekly/report#preview"))
    assert "Preview" in raw


def test_proposed_status_shows_its_reasons() -> None:
    payload = message("weekly/report#proposed")
    status = section_texts(payload)[0]
    assert ":red_circle: *Off track* _(proposed)_" in status
    assert "has rank 9 (7–9)" in status
    assert "has been blocked for 10 working days" in status
    assert "more reasons" in status
    chosen = section_texts(message("weekly/report"))[0]
    assert "proposed" not in chosen and ":large_yellow_circle: *At risk*" in chosen


def test_status_dm_words_every_reason_and_offers_add_status() -> None:
    payload = message("weekly/status_dm")
    (button,) = buttons(payload)
    assert button["action_id"] == "weekly_add_status" and button["value"] == "7|2026-W49"
    text = "\n".join(section_texts(payload))
    assert "goes out at Fri 4 Dec 16:00 (Europe/Berlin)" in text
    codes = {r.code for r in PROPOSED.proposal.reasons}
    assert "Another signal" not in text and len(codes) == 4
    calm = "\n".join(section_texts(message("weekly/status_dm#on_track")))
    assert "Nothing points to a problem" in calm


def test_participation_reason_is_worded() -> None:
    from ceremonies.weekly.status import Evidence, propose_status
    from tests.unit.weekly.factories import WEEK

    proposal = propose_status(Evidence(WEEK, participation_pct=42.7))
    context = {**WEEKLY_MESSAGES["weekly/status_dm"], "proposal": proposal}
    text = "\n".join(section_texts(RENDERER.render("weekly/status_dm", context)))
    assert "Participation in the daily was 42 % this week, under 60 %." in text


def test_daily_pages_offer_add_to_risks_for_stale_blockers_only() -> None:
    pages = [
        n for n in WEEKLY_MESSAGES if n.startswith("weekly/details_daily#") and n[-1].isdigit()
    ]
    assert len(pages) == 2 and len(SECTION.daily.blockers) == 30
    values = []
    for name in pages:
        payload = message(name)
        assert len(payload["blocks"]) <= 50
        values += [b["value"] for b in buttons(payload)]
        assert all(b["action_id"] == "weekly_blocker_to_risk" for b in buttons(payload))
    stale = {f"7|C1|{b.user_id}|{b.first_raised.isoformat()}" for b in SECTION.daily.stale}
    assert set(values) == stale and len(values) == len(stale)
    first = message(pages[0])
    assert any(":warning: Person 39 — answered 0/5" in t for t in section_texts(first))
    assert BLOCKERS_PER_PAGE == 15


def test_risk_register_words_ranks_and_classes() -> None:
    text = "\n".join(section_texts(message("weekly/details_risks")))
    assert "— 3×3 = 9 (prevent, set red lines, have a plan B)" in text
    assert "(prevent and mitigate)" in text and "(accept or handle the consequences)" in text
    assert "*new*" in text and "*raised*" in text and "*closed*" in text
    assert NAMES["U000"].split()[0] in text


def test_status_modal_metadata_and_inputs() -> None:
    payload = view("weekly/status_modal")
    assert payload["callback_id"] == "weekly_status"
    assert json.loads(payload["private_metadata"]) == {"report_id": 7, "week": "2026-W49"}
    inputs = {b["block_id"]: b["element"] for b in payload["blocks"] if b["type"] == "input"}
    assert set(inputs) == {"status", "highlights", "plans", "decisions"}
    assert all(e["action_id"] == "value" for e in inputs.values())
    assert inputs["status"]["initial_option"]["value"] == "off_track"
    assert inputs["plans"]["initial_value"] == "<b> plans"  # what was typed, unescaped
    assert len(inputs["highlights"]["initial_value"]) <= 3000
    fresh = view("weekly/status_modal#fresh")
    select = next(b for b in fresh["blocks"] if b.get("block_id") == "status")["element"]
    assert select["initial_option"]["value"] == "on_track"


def test_settings_modal() -> None:
    payload = view("weekly/settings_modal")
    assert payload["callback_id"] == "weekly_settings"
    assert json.loads(payload["private_metadata"]) == {"report_id": 7, "channel_id": "C1"}
    inputs = {b["block_id"]: b["element"] for b in payload["blocks"] if b["type"] == "input"}
    assert inputs["weekday"]["initial_option"]["value"] == "4"
    assert inputs["time"]["initial_time"] == "16:00"
    assert inputs["recipients"]["initial_users"] == ["U001", "U002"]
    assert inputs["sources"]["initial_conversations"] == ["C1", "C2"]
    bare = view("weekly/settings_modal#bare")
    elements = {b["block_id"]: b["element"] for b in bare["blocks"] if b["type"] == "input"}
    assert "initial_users" not in elements["recipients"]


def test_chart_title_and_help() -> None:
    assert RENDERER.text("weekly/trend_chart_title", title="<!here> Team") == (
        "@\u2060here Team — last 8 weeks"
    )
    help_text = section_texts(message("weekly/help"))[0]
    for usage in (
        "start",
        "add #channel",
        "remove #channel",
        "time fri 16:00",
        "pause",
        "resume",
        "preview",
        "settings",
        "risk list",
        "risk close N",
        "help",
    ):
        assert f"/weekly {usage}" in help_text


@pytest.mark.parametrize(
    ("kind", "code", "params"),
    [
        ("invalid", "weekly_unknown_subcommand", {}),
        ("invalid", "weekly_bad_time", {"given": "<!channel> 25:00"}),
        ("invalid", "weekly_bad_weekday", {"given": "someday"}),
        ("invalid", "weekly_channel_required", {}),
        ("invalid", "weekly_recipients_required", {}),
        ("invalid", "weekly_recipient_is_bot", {"user": "U1"}),
        ("invalid", "weekly_risk_usage", {"input": "<!here>", "actions": ("add",)}),
        ("invalid", "weekly_risk_takes_nothing", {"action": "list", "input": "x"}),
        ("invalid", "weekly_risk_level_missing", {"key": "p", "example": "p=2 c=3"}),
        ("invalid", "weekly_risk_text_empty", {"example": "risk add vendor late p=2 c=3"}),
        ("invalid", "weekly_risk_text_too_long", {"length": 301, "limit": 300}),
        ("invalid", "weekly_risk_update_text", {"input": "words", "number": 3}),
        ("invalid", "weekly_risk_update_nothing", {"number": 3}),
        ("invalid", "weekly_risk_number", {"action": "close", "input": "x"}),
        ("invalid", "weekly_risk_level_twice", {"key": "c"}),
        ("invalid", "weekly_risk_level", {"key": "p", "input": "7", "low": 1, "high": 3}),
        ("invalid", "weekly_risk_owner_one", {"count": 2}),
        ("invalid", "weekly_week_invalid", {"input": "W99", "example": "2026-W49"}),
        ("invalid", "weekly_week_not_in_year", {"input": "2025-W53", "year": 2025, "weeks": 52}),
        ("refusal", "weekly_not_started", {}),
        ("refusal", "weekly_already_started", {}),
        ("refusal", "weekly_nothing_to_follow", {"channel": "C9"}),
        ("refusal", "weekly_not_in_channel", {"channel": "C9"}),
        ("refusal", "weekly_source_known", {"channel": "C9"}),
        ("refusal", "weekly_source_unknown", {"channel": "C9"}),
        ("refusal", "weekly_risk_unknown", {"number": 9, "count": 3}),
        ("refusal", "weekly_risk_unknown", {"number": 9, "count": 0}),
        ("refusal", "weekly_risk_closed", {"number": 2}),
        ("refusal", "weekly_owner_only", {}),
    ],
)
def test_weekly_codes_have_their_own_sentence(kind: str, code: str, params: dict) -> None:
    text = RENDERER.render(f"common/{kind}", {"code": code, **params})["text"]
    assert "That input was not understood" not in text
    assert "That cannot be done right now" not in text
    assert "<!" not in text


def test_every_risks_and_week_invalid_code_is_worded() -> None:
    import re

    from ceremonies.weekly import risks, week

    source = (TEMPLATES / "common" / "invalid.txt.j2").read_text()
    for module in (risks, week):
        text = Path(module.__file__).read_text()
        for code in re.findall(r'InvalidInput\(\s*"(weekly_[a-z_]+)"', text):
            assert f'code == "{code}"' in source, code

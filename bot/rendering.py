"""Renders templates/ into Slack payloads that always fit Block Kit's limits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ceremonies.core.parsing import format_weekdays
from ceremonies.core.text import neutralise

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FALLBACK_TEXT = 3900  # chat.update refuses more than 4,000 characters


def _day(value: date | datetime) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _clock(value: time) -> str:
    return f"{value:%H:%M}"


def _local(value: datetime | str, tz: str) -> str:
    # Stored contexts (notices) keep instants as ISO strings.
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M} ({tz})"


def _at(value: datetime | str, tz: str) -> str:
    """An instant as a local time in `tz`, without naming the zone (the message names it)."""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _weekday_name(index: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[index]


def _users(user_ids: list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in user_ids)


def _qa_text(items: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"*{neutralise(item['question'])}*\n{neutralise(item['answer']) or '_(no answer)_'}"
        for item in items
    )


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # New text is written inside {% trans %} from the start; the catalogs come later.
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        safe_text=neutralise,
        day=_day,
        clock=_clock,
        local=_local,
        users=_users,
        weekdays=format_weekdays,
        weekday_name=_weekday_name,
        at=_at,
        truncate_to=_truncate,
        qa_text=_qa_text,
    )
    return env


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Splits at line or word boundaries when it can, so nothing is cut mid-word."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    parts.append(text)
    return parts


def fit_blocks(blocks: list[dict[str, Any]], limit: int, note: str) -> list[dict[str, Any]]:
    """Long sections become several; past the block limit the rest is cut with a note."""
    fitted: list[dict[str, Any]] = []
    for block in blocks:
        text = block.get("text", {}).get("text") if block.get("type") == "section" else None
        if text is None or len(text) <= MAX_SECTION_TEXT:
            fitted.append(block)
            continue
        for index, part in enumerate(split_text(text)):
            piece = {**block, "text": {**block["text"], "text": part}}
            if index:
                piece.pop("block_id", None)
                piece.pop("accessory", None)
            fitted.append(piece)
    if len(fitted) > limit:
        fitted = fitted[: limit - 1]
        fitted.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return fitted


class Renderer:
    def __init__(self) -> None:
        self.env = make_environment()

    def render(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]:
        """A message: `{"text": ..., "blocks": [...]}` ready for chat.* or a response_url."""
        raw = self.env.get_template(f"{template}.json.j2").render(**context)
        payload: dict[str, Any] = json.loads(raw)
        if "blocks" in payload:
            payload["blocks"] = fit_blocks(
                payload["blocks"], MAX_MESSAGE_BLOCKS, self.text("common/truncated")
            )
        payload["text"] = _truncate(payload.get("text", ""), MAX_FALLBACK_TEXT)
        return payload

    def view(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]:
        raw = self.env.get_template(f"{template}.json.j2").render(**context)
        view: dict[str, Any] = json.loads(raw)
        view["blocks"] = fit_blocks(view["blocks"], MAX_VIEW_BLOCKS, self.text("common/truncated"))
        return view

    def text(self, template: str, **context: Any) -> str:
        return self.env.get_template(f"{template}.txt.j2").render(**context).strip()

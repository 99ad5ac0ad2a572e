"""Renders templates/ into Slack payloads that always fit Block Kit's limits.

Custom templates (`CUSTOM_TEMPLATES_DIR`): a deployment may keep its own Jinja2 templates,
under the same relative names as `templates/` (for example `weekly/report.json.j2`). When
`Renderer(custom_dir=...)` finds one, it renders that one instead of the default, with
these rules (decisions):

* It runs in a `jinja2.sandbox.SandboxedEnvironment` with the same filters, the i18n
  extension and StrictUndefined: no attribute starting with `_` (so no
  `''.__class__.__mro__`), no unsafe callables, nothing of Python's internals.
* Its loader sees the custom folder first and then the default templates, so a custom
  template can `{% import "weekly/_reasons.j2" %}` the default macros (or a custom
  version of them) — and nothing else of the file system: Jinja refuses `..` in a
  template name, so `{% include "../../etc/passwd" %}` is TemplateNotFound. Defaults are
  always rendered by the default environment, which never sees the custom folder.
* Any failure — a syntax error, a SecurityError, an undefined name, output that is not JSON,
  a payload that is not a JSON object, blocks that break Block Kit, text that would ping
  `@channel` — is logged as one WARNING line (no traceback), reported to
  `on_custom_failure(template_name, short_reason)`, and the default is rendered instead:
  a broken custom template never stops a message from going out.
"""

from __future__ import annotations

import gettext
import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from bot.dates import date_filters, every_weekday, translate_marked
from bot.translations import SOURCE, available_locales, translations_for
from ceremonies.core.i18n import N_
from ceremonies.core.languages import native_name
from ceremonies.core.parsing import format_weekdays
from ceremonies.core.text import escape, neutralise, unescape, unmention
from ceremonies.daily.rules import DEFAULT_QUESTIONS

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FALLBACK_TEXT = 3900  # chat.update refuses more than 4,000 characters


def _clock(value: time) -> str:
    return f"{value:%H:%M}"


_translate = translate_marked

# The default questions are stored as written here (language-neutral) and asked in the
# reader's language; a question a team wrote itself is shown as written.
_DEFAULT_QUESTIONS = frozenset(DEFAULT_QUESTIONS)


@cache
def _default_question_sources() -> dict[str, str]:
    return {
        translations_for(code).gettext(question): question
        for code in available_locales()
        for question in _DEFAULT_QUESTIONS
    }


@pass_context
def _asked(context: Context, question: str) -> str:
    return _translate(context, question) if question in _DEFAULT_QUESTIONS else question


def _users(user_ids: list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in user_ids)


@pass_context
def _qa_text(context: Context, items: list[dict[str, Any]]) -> str:
    no_answer = _translate(context, N_("_(no answer)_"))
    return "\n".join(
        f"*{neutralise(_asked(context, item['question']))}*\n"
        f"{neutralise(item['answer']) or no_answer}"
        for item in items
    )


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _person(user_id: str | None, names: Mapping[str, str] | None = None) -> str:
    """A person *named*, never mentioned: a weekly digest must not notify 40 people.

    The display name (from Slack's profile, plain text) is escaped for mrkdwn and cannot
    ping; without a known name, the user id itself."""
    if not user_id:
        return ""
    name = (names or {}).get(user_id)
    return neutralise(escape(name)) if name else neutralise(escape(user_id))


_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]+")


def _channel(channel_id: str, channels: Mapping[str, str] | None = None) -> str:
    """A channel link, `<#C123>`: Slack shows its name and a channel link never pings.

    `channels` (id → name) is accepted for custom templates and exports that want the name."""
    if _CHANNEL_ID.fullmatch(channel_id or ""):
        return f"<#{channel_id}>"
    return neutralise(escape((channels or {}).get(channel_id, channel_id or "")))


def _quoted_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """What a person wrote elsewhere, quoted in a digest: never pings, not even the people
    it mentions (`names`: user id → display name)."""
    return neutralise(unmention(text, names or {}))


def _pct(value: float | None) -> str:
    """A percentage rounded to a whole number ("67"); "–" when there is none."""
    return "–" if value is None else str(round(value))


FILTERS: dict[str, Callable[..., Any]] = {
    "safe_text": neutralise,
    "quoted_text": _quoted_text,
    "clock": _clock,
    "users": _users,
    "weekdays": format_weekdays,
    "every_weekday": every_weekday,
    "truncate_to": _truncate,
    "qa_text": _qa_text,
    "asked": _asked,
    "person": _person,
    "channel": _channel,
    "pct": _pct,
    # mrkdwn as stored back to what the person typed: for a modal's initial_value.
    "plain": unescape,
}


def make_environment(
    *,
    autoescape: bool = False,
    sandboxed: bool = False,
    loader: BaseLoader | None = None,
    translations: gettext.NullTranslations | None = None,
    locale: str = SOURCE,
) -> Environment:
    """The environment every template renders in; `sandboxed` for custom templates. Its
    `_()`/`ngettext()` use `translations` (bot/translations.py), English as written without,
    and its date filters write dates as `locale` does (bot/dates.py)."""
    kind = SandboxedEnvironment if sandboxed else Environment
    env = kind(
        loader=loader or FileSystemLoader(TEMPLATES),
        autoescape=autoescape or select_autoescape(default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations or gettext.NullTranslations(), newstyle=True
    )
    env.filters.update(FILTERS)
    env.filters.update(date_filters(locale))
    # Each language with a catalog, named in itself (a selector's options).
    env.globals["language_names"] = {code: native_name(code) for code in available_locales()}
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


class CustomTemplateFailed(Exception):
    """A custom template could not be used; `reason` is short and safe to show its owner."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(error: Exception) -> str:
    """One short line saying what went wrong, never a traceback."""
    if isinstance(error, CustomTemplateFailed):
        text = error.reason
    elif isinstance(error, TemplateSyntaxError):
        text = f"syntax error on line {error.lineno}: {error.message}"
    elif isinstance(error, TemplateNotFound):
        text = f"template not found: {error.name}"
    elif isinstance(error, json.JSONDecodeError):
        text = f"not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return _truncate(text, 300)


class Renderer:
    """Renders a template by name (`"weekly/report"`), a custom one first when there is one.

    `Renderer()` renders the defaults only. With `custom_dir`, see this module's docstring.
    """

    def __init__(
        self,
        custom_dir: Path | None = None,
        on_custom_failure: Callable[[str, str], None] | None = None,
        locale: str = SOURCE,
    ) -> None:
        self.locale = locale
        translations = translations_for(locale)
        self.env = make_environment(translations=translations, locale=locale)
        self.custom_dir = Path(custom_dir) if custom_dir else None
        self.on_custom_failure = on_custom_failure
        self.custom_env: Environment | None = None
        if self.custom_dir is not None:
            self.custom_env = make_environment(
                sandboxed=True,
                translations=translations,
                locale=locale,
                loader=ChoiceLoader(
                    [FileSystemLoader(self.custom_dir), FileSystemLoader(TEMPLATES)]
                ),
            )

    def gettext(self, text: str) -> str:
        """A text marked `N_()` in Python (a default question), in the renderer's language."""
        return translations_for(self.locale).gettext(text)

    def source_of(self, text: str) -> str:
        """A default question as stored (its source text) when `text` is its translation in
        any language, so a form shown translated and saved unchanged stays language-neutral;
        any other text as it is."""
        return _default_question_sources().get(text.strip(), text)

    def render(
        self,
        template: str,
        context: Mapping[str, Any],
        *,
        failures: list[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        """A message: `{"text": ..., "blocks": [...]}` ready for chat.* or a response_url.
        A custom template that failed (the default was used) is added to `failures`, as
        (its file name, a short reason)."""
        return self._with_custom(f"{template}.json.j2", context, self._message, failures)

    def view(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]:
        return self._with_custom(f"{template}.json.j2", context, self._view)

    def text(self, template: str, **context: Any) -> str:
        return self._with_custom(f"{template}.txt.j2", context, self._text)

    # --- one surface each: rendered, parsed, fitted, and (custom only) checked ------------

    def _with_custom(
        self,
        name: str,
        context: Mapping[str, Any],
        build: Callable[[Environment, str, Mapping[str, Any], bool], Any],
        failures: list[tuple[str, str]] | None = None,
    ) -> Any:
        if self.custom_env is not None and self._has_custom(name):
            try:
                return build(self.custom_env, name, context, True)
            except Exception as error:  # whatever a custom template does, the default stands
                self._custom_failed(name, _reason(error))
                if failures is not None:
                    failures.append((name, _reason(error)))
        return build(self.env, name, context, False)

    def _has_custom(self, name: str) -> bool:
        assert self.custom_dir is not None
        path = self.custom_dir / name
        return ".." not in Path(name).parts and path.is_file()

    def _custom_failed(self, name: str, reason: str) -> None:
        log.warning("custom template %s failed, the default was used: %s", name, reason)
        if self.on_custom_failure is not None:
            try:
                self.on_custom_failure(name, reason)
            except Exception as error:  # the message still goes out
                log.warning("custom template failure callback failed: %s", _reason(error))

    def _message(
        self, env: Environment, name: str, context: Mapping[str, Any], custom: bool
    ) -> dict[str, Any]:
        payload = json.loads(env.get_template(name).render(**context))
        if not isinstance(payload, dict):
            raise CustomTemplateFailed("the template must give a JSON object with text/blocks")
        if "blocks" in payload:
            if custom and not isinstance(payload["blocks"], list):
                raise CustomTemplateFailed("blocks must be a list")
            payload["blocks"] = fit_blocks(
                payload["blocks"], MAX_MESSAGE_BLOCKS, self.text("common/truncated")
            )
        payload["text"] = _truncate(payload.get("text", ""), MAX_FALLBACK_TEXT)
        if custom:
            _check_custom(payload, view=False)
        return payload

    def _view(
        self, env: Environment, name: str, context: Mapping[str, Any], custom: bool
    ) -> dict[str, Any]:
        view = json.loads(env.get_template(name).render(**context))
        if not isinstance(view, dict) or not isinstance(view.get("blocks"), list):
            raise CustomTemplateFailed("a view must be a JSON object with a list of blocks")
        view["blocks"] = fit_blocks(view["blocks"], MAX_VIEW_BLOCKS, self.text("common/truncated"))
        if custom:
            _check_custom(view, view=True)
        return view

    def _text(self, env: Environment, name: str, context: Mapping[str, Any], custom: bool) -> str:
        text = env.get_template(name).render(**context).strip()
        if custom:
            _check_custom({"text": text}, view=False)
        return text


def _check_custom(payload: dict[str, Any], *, view: bool) -> None:
    """What Slack would refuse, or what would ping a channel, fails a custom template."""
    # The Slack stand-in's checks are the Block Kit schema and limits the tests use too.
    from bot.demo.standin.blockkit import check_blocks, check_view, find_pings

    if not isinstance(payload.get("text", ""), str):
        raise CustomTemplateFailed("text must be a string")
    if view:
        problems = check_view(payload)
    elif "blocks" in payload:
        if not all(isinstance(b, dict) for b in payload["blocks"]):
            raise CustomTemplateFailed("every block must be a JSON object")
        problems = check_blocks(payload["blocks"], limit=MAX_MESSAGE_BLOCKS)
    else:
        problems = [] if payload.get("text") else ["no text and no blocks"]
    problems += find_pings(payload)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CustomTemplateFailed(f"not valid for Slack: {problems[0]}{more}")

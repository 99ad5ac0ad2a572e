"""Every text a person reads is inside a translation call, where `pybabel extract` finds it.

Templates are checked on their parsed Jinja2 syntax tree, not by grepping: every string
constant and every piece of literal template text is given a role from where it sits —

* the msgid of `_()`, `gettext()`, `ngettext()` (and `pgettext`): translated, fine;
* a JSON key, the value of a machine key (`action_id`, `block_id`, `value`, `type`, …), an
  operand of a comparison (`code == "time_invalid"`), a subscript (`card["items"]`), a
  template name (`{% import %}`): not text, fine;
* shown as it is — literal template output, a piece of a `~` concatenation, a branch of
  `x if c else y`, an `or` fallback, a value in a dict, something appended to a list of
  lines: it must hold no word at all (emoji codes, `<@U1>`, `code spans`, `%(placeholders)s`,
  punctuation and digits are not words);
* anywhere else (a list item, a filter's argument, a macro's argument): it must not look like
  language (two words, or a capitalised word such as "Sorry").

Literal text of a `.json.j2` template is JSON: its string literals get the same roles from the
key before them. Python modules are checked for sentences outside a marker (`N_()`), a
docstring, a log line, an exception or the operator's CLI.

The checker is itself tested on the older templates, which wrote English inline.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import nodes

from bot.rendering import TEMPLATES, make_environment

ROOT = Path(__file__).resolve().parents[2]
TRANSLATE = {"_": 1, "gettext": 1, "ngettext": 2, "pgettext": 2, "npgettext": 3}
# Keys whose values are for Slack or the bot, never for a person.
MACHINE_KEYS = {
    "type", "action_id", "block_id", "callback_id", "value", "style", "private_metadata",
    "initial_time", "initial_date", "initial_user", "initial_users", "initial_conversations",
    "initial_channel", "url", "image_url", "filter", "include", "exclude", "response_action",
    "emoji", "max_length", "multiline", "optional", "dispatch_action", "alt_text_key",
}  # fmt: skip
LINE_METHODS = {"append", "extend", "insert", "update"}

_NOT_WORDS = re.compile(
    r"<style.*?</style>"  # CSS of the HTML export
    r"|%\(\w+\)[sd]|%%"  # placeholders
    r"|:[a-z0-9_+'-]+:"  # emoji codes
    r"|`[^`]*`"  # code: commands, examples
    r"|<[^<>]*>"  # Slack mentions and links, HTML tags
    r"|&[a-z]+;|https?://\S+",
    re.DOTALL,
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_LANGUAGE = re.compile(r"[^\W\d_]{2,}[\s,;:.!?—–-]+[^\W\d_]{2,}|\b[A-Z][a-z]+\b")
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?')
_KEY_BEFORE = re.compile(r'"(\w+)"\s*:\s*$')


_CUT_TAG = re.compile(r"\A[^<>]*>|<[a-zA-Z/!][^<>]*\Z")  # an HTML tag cut by a {{ ... }}


def words(text: str, html: bool = False) -> str:
    """What is left of `text` once everything that is not a word of a language is taken out."""
    text = _NOT_WORDS.sub(" ", text)
    return _CUT_TAG.sub(" ", text) if html else text


def shown_untranslated(text: str) -> bool:
    return bool(_WORD.search(words(text)))


def looks_like_language(text: str) -> bool:
    return bool(_LANGUAGE.search(words(text)))


def _call_name(call: nodes.Call) -> str:
    target = call.node
    if isinstance(target, nodes.Name):
        return target.name
    if isinstance(target, nodes.Getattr):
        return target.attr
    return ""


def _json_data_problems(data: str) -> Iterator[str]:
    for match in _JSON_STRING.finditer(data):
        if match.group(2):  # a key
            continue
        key = _KEY_BEFORE.search(data[: match.start()])
        text = match.group(1)
        if key and key.group(1) in MACHINE_KEYS:
            continue
        check = shown_untranslated if key else looks_like_language
        if check(text):
            yield text


def untranslated(source: str, name: str) -> list[str]:
    """The texts of template `source` that a person would read untranslated."""
    env = make_environment()
    tree = env.parse(source)
    is_json, is_html = name.endswith(".json.j2"), name.endswith(".html.j2")
    found: list[str] = []

    def check(text: str, shown: bool) -> None:
        if shown_untranslated(text) if shown else looks_like_language(text):
            found.append(text)

    def visit(node: nodes.Node, shown: bool) -> None:
        if isinstance(node, nodes.TemplateData):
            if is_json:
                found.extend(_json_data_problems(node.data))
            elif shown_untranslated(words(node.data, html=is_html)):
                found.append(node.data)
            return
        if isinstance(node, nodes.Const):
            if isinstance(node.value, str):
                check(node.value, shown)
            return
        if isinstance(node, nodes.Call):
            name = _call_name(node)
            skip = TRANSLATE.get(name, 0) if isinstance(node.node, nodes.Name) else 0
            visit(node.node, False)
            for index, arg in enumerate(node.args):
                if index < skip and isinstance(arg, nodes.Const):
                    continue
                visit(arg, name in LINE_METHODS)
            for kwarg in node.kwargs:
                visit(kwarg.value, True)
            return
        if isinstance(node, nodes.Pair):
            key = node.key.value if isinstance(node.key, nodes.Const) else None
            if key in MACHINE_KEYS:
                return
            visit(node.value, True)
            return
        if isinstance(node, nodes.Compare):
            for part in [node.expr, *(op.expr for op in node.ops)]:
                if not isinstance(part, nodes.Const):
                    visit(part, False)
            return
        if isinstance(node, nodes.Getitem):
            visit(node.node, shown)
            if not isinstance(node.arg, nodes.Const):
                visit(node.arg, False)
            return
        if isinstance(node, nodes.Filter | nodes.Test):
            if node.node is not None:
                visit(node.node, shown)
            for arg in node.args:
                visit(arg, False)
            for kwarg in node.kwargs:
                visit(kwarg.value, False)
            return
        if isinstance(node, nodes.Import | nodes.FromImport | nodes.Include | nodes.Extends):
            return
        if isinstance(node, nodes.Output):
            machine_next = False  # `"action_id": {{ ... }}` in JSON text: not for a person
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    key = _KEY_BEFORE.search(child.data) if is_json else None
                    machine_next = bool(key and key.group(1) in MACHINE_KEYS)
                elif machine_next:
                    machine_next = False
                    continue
                visit(child, True)
            return
        if isinstance(node, nodes.Concat | nodes.CondExpr | nodes.Or | nodes.And):
            for child in node.iter_child_nodes():
                visit(child, True)
            return
        for child in node.iter_child_nodes():
            visit(child, isinstance(node, nodes.Dict | nodes.Pair) and shown)

    visit(tree, False)
    return found


TEMPLATE_FILES = sorted(
    str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.j2") if "locales" not in p.parts
)


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_every_text_of_a_template_is_translatable(name: str) -> None:
    assert untranslated((TEMPLATES / name).read_text(), name) == []


# The older templates wrote English inline; the checker must have refused each of them.
OLD_PROMPT = """{% set intro = "Good morning! Time for the daily standup of <#" ~ channel_id ~ "> (" ~ (local_date | day) ~ ")." %}
{% if late %}{% set intro = intro ~ " _(Sorry, this comes late.)_" %}{% endif %}
{
  "text": {{ (intro ~ " " ~ (question | safe_text)) | tojson }},
  "blocks": [
    {"type": "section", "text": {"type": "mrkdwn", "text": {{ intro | tojson }}}},
    {"type": "section", "text": {"type": "mrkdwn", "text": {{ ("*1/" ~ total ~ "* " ~ (question | safe_text)) | tojson }}}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Reply here, one message per question — or answer everything at once:"}]},
    {"type": "actions", "elements": [
      {"type": "button", "action_id": "daily_answer_form", "value": {{ prompt_id | string | tojson }},
       "text": {"type": "plain_text", "text": "Answer in a form"}, "style": "primary"}
    ]}
  ]
}
"""  # noqa: E501 — templates/daily/prompt.json.j2 before it was made translatable


def test_the_checker_refuses_inline_english() -> None:
    found = untranslated(OLD_PROMPT, "daily/prompt.json.j2")
    assert "Good morning! Time for the daily standup of <#" in found
    assert " _(Sorry, this comes late.)_" in found
    assert "Reply here, one message per question — or answer everything at once:" in found
    assert "Answer in a form" in found
    # Single words and fallbacks count too: a title, an `or` fallback, a branch, a dict value.
    assert untranslated('{"title": {"type": "plain_text", "text": "Sorry"}}', "a.json.j2")
    assert untranslated('{{ (users or "nobody") | tojson }}', "a.json.j2") == ["nobody"]
    assert untranslated('{{ ("paused" if p else "running") }}', "a.txt.j2") == [
        "paused",
        "running",
    ]
    assert untranslated('{{ {"a": ":zap: Quick win"}[slot] }}', "a.j2") == [":zap: Quick win"]
    assert untranslated("Please write something.", "a.txt.j2")
    assert untranslated("{{ _(x, who='everyone') }}", "a.txt.j2") == ["everyone"]


def test_the_checker_lets_machine_strings_and_translations_be() -> None:
    source = """{% import "retro/_labels.j2" as l %}{% if code == "time_invalid" %}{% endif %}
{{ {"type": "button", "action_id": "retro_close", "block_id": ("status_" ~ id),
    "text": {"type": "plain_text", "text": _("Close retro")},
    "label": ngettext("%(num)d day", "%(num)d days", n) ~ " :tada: <@" ~ u ~ ">"}
   | tojson }}{{ card["items"] | join(", ") | map("safe_text") }}"""
    assert untranslated(source, "a.json.j2") == []


# --- Python ----------------------------------------------------------------------------------

# Where Python text is for the operator (CLI, settings errors, HTTP status lines, logs) or for
# tests (the demo and its Slack stand-in), not for a person in Slack.
OPERATOR_MODULES = {
    "bot/cli.py",
    "bot/settings.py",
    "bot/server.py",
    "bot/logs.py",
    "bot/metrics.py",
    "bot/inbox.py",
    "bot/services.py",
}
# Strings of modules that speak to people, known not to be text for them.
NOT_FOR_PEOPLE = {
    # the figures of the tick's log line and the failures it logs
    "ceremonies/daily/tick_report.py": {"prompts sent", "answers published", "days closed"},
    "ceremonies/oncall/handoffs.py": {"user groups set", "user group ", "handoff DM to "},
    "ceremonies/retro/actions.py": {"action revisits"},
    "ceremonies/weekly/delivery.py": {"status DMs", "recipient DMs"},
    # English words the similarity check ignores (not shown)
    "ceremonies/retro/similarity.py": {"*"},
    # Russian words it ignores, and the "no blockers" answers it reads: parsed, not shown
    "ceremonies/retro/tokens.py": {"*"},
    "ceremonies/daily/no_blockers.py": {"*"},
    # a custom template's failure, quoted from Jinja2 or json for its author, in English
    "bot/rendering.py": {
        "syntax error on line ",
        "template not found: ",
        "not valid JSON (line ",
        "no text and no blocks",
        "the template must give a JSON object with text/blocks",
    },
    # the CSV export: stable column names and values for sheets and scripts, not prose
    "bot/export.py": {"quick win", "most important", "went well", "to improve"},
    # matplotlib's own arguments
    "bot/charts.py": {"offset points", "upper left"},
    # Day names and "no days" of format_weekdays, which parse back (parse_weekdays): their
    # other languages come with the language-aware parsing of issue 12, not with the catalogs.
    "ceremonies/core/parsing.py": {"no days"},
}
SCANNED = ("bot", "handlers", "ceremonies")
QUIET_CALLS = {
    # logging, printing, the CLI's own help, exceptions built outside `raise`, SQL, patterns
    "debug", "info", "warning", "error", "exception", "critical", "log", "print",
    "add_argument", "add_parser", "add_subparsers", "ArgumentParser", "compile", "text",
    "N_", "_", "gettext", "ngettext",
}  # fmt: skip
_SENTENCE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def python_texts(path: Path) -> list[tuple[int, str]]:
    """Sentences in a module that are not in a docstring, a log line, an exception, a marker."""
    tree = ast.parse(path.read_text())
    quiet: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            quiet.add(id(body[0].value))  # docstrings
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in QUIET_CALLS or name.endswith(("Error", "Exception", "Failed")):
                quiet.update(id(sub) for sub in ast.walk(node))
        if isinstance(node, ast.Raise | ast.Assert):
            quiet.update(id(sub) for sub in ast.walk(node))
    known = NOT_FOR_PEOPLE.get(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else "")
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in quiet
        and not node.value.startswith("/")  # a slash command's example: not translated
        and _SENTENCE.search(words(node.value))
        and not (known and ("*" in known or node.value in known))
    ]


PYTHON_FILES = sorted(
    str(p.relative_to(ROOT))
    for root in SCANNED
    for p in (ROOT / root).rglob("*.py")
    if "demo" not in p.parts and str(p.relative_to(ROOT)) not in OPERATOR_MODULES
)


@pytest.mark.parametrize("name", PYTHON_FILES)
def test_python_text_for_people_is_marked(name: str) -> None:
    assert python_texts(ROOT / name) == []


def test_the_python_checker_finds_sentences(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Doc string."""\nimport logging\nlog = logging.getLogger()\n'
        'DEFAULTS = ["What did you do yesterday?", N_("Any blockers?")]\n'
        'log.info("a log line here")\n'
        'def f():\n    """Doc."""\n    raise ValueError("not for people")\n'
        '    return {"text": "Sorry, that did not work"}\n'
    )
    assert [text for _, text in python_texts(module)] == [
        "What did you do yesterday?",
        "Sorry, that did not work",
    ]


def test_an_expression_after_a_machine_key_in_json_text_is_not_text() -> None:
    source = '{"block_id": {{ ("daily_" ~ id) | tojson }}, "text": {{ ("Hello " ~ id) | tojson }}}'
    assert untranslated(source, "x.json.j2") == ["Hello "]

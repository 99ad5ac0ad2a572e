"""The catalogs in templates/locales/ are what `pybabel extract -F babel.cfg` finds today.

Extraction runs here as the README's command runs it (babel.cfg's mapping, Babel's default
keywords, which include N_), in about a second. Then:

* the template `messages.pot` holds exactly the extracted msgids — a new text without
  `pybabel extract` fails, and so does a text that is gone;
* every language's `messages.po` holds every msgid, none obsolete or fuzzy;
* a translation uses the same named placeholders as its msgid (`%(name)s`), so that
  rendering it can neither lose a value nor raise KeyError; only `%(num)d` of a plural may be
  left out of a form (a language may say "one" instead of the number);
* a plural has as many forms as its language's Plural-Forms say (Russian: three).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.rendering import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = TEMPLATES / "locales"
POT = LOCALES / "messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
_parse_mapping = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping


Key = tuple[str | None, str | tuple[str, ...]]  # (msgctxt, msgid or (singular, plural))


def msgid_key(message: Message) -> Key:
    return message.context, message.id if isinstance(message.id, str) else tuple(message.id)


@cache
def extracted() -> frozenset[Key]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = _parse_mapping(cfg)
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found.add((context, message if isinstance(message, str) else tuple(message)))
    return frozenset(found)


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def ids(catalog: Catalog) -> set[Key]:
    return {msgid_key(m) for m in catalog if m.id}


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


LANGUAGES = sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/messages.po"))


def test_extraction_finds_the_texts_of_templates_and_python() -> None:
    found = extracted()
    assert (None, "Answer in a form") in found  # a template's
    assert (None, "Any blockers?") in found  # Python's, marked N_
    assert (None, ("%(num)d open action", "%(num)d open actions")) in found  # a plural
    assert ("retro phase: this retro is …", "closed") in found  # with a context
    assert len(found) > 700


def test_the_template_catalog_is_up_to_date() -> None:
    pot = ids(read(POT))
    found = extracted()
    missing, gone = sorted(map(str, found - pot)), sorted(map(str, pot - found))
    assert (missing, gone) == ([], []), (
        "templates/locales/messages.pot is stale: run the `pybabel extract` and "
        "`pybabel update` of the README"
    )


def test_there_is_an_english_catalog() -> None:
    assert "en" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_language_has_every_msgid(language: str) -> None:
    catalog = read(LOCALES / language / "LC_MESSAGES" / "messages.po")
    assert sorted(map(str, extracted() - ids(catalog))) == []
    assert [str(m.id) for m in catalog.obsolete.values()] == []
    assert [str(m.id) for m in catalog if m.id and m.fuzzy] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_and_plural_forms(language: str) -> None:
    catalog = read(LOCALES / language / "LC_MESSAGES" / "messages.po")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str):
            expected = placeholders(message.id)
            forms = [message.string] if isinstance(message.string, str) else list(message.string)
        else:
            expected = placeholders(message.id[0]) | placeholders(message.id[1])
            forms = list(message.string)
            if any(forms) and len(forms) != catalog.num_plurals:
                wrong.append((message.id, f"{len(forms)} forms, not {catalog.num_plurals}"))
        for form in forms:
            if not form:
                continue  # untranslated: the msgid is shown (English is the source)
            got = placeholders(form)
            if got != expected and got | {"num"} != expected | {"num"}:
                wrong.append((message.id, form))
    assert wrong == []


def test_the_placeholder_check_sees_a_wrong_translation() -> None:
    catalog = Catalog(locale="ru")
    catalog.add("Hi %(user)s", "Привет, %(name)s")
    message = next(m for m in catalog if m.id)
    assert placeholders(message.string) != placeholders(message.id)
    assert catalog.num_plurals == 3

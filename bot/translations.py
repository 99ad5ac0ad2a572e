"""The gettext catalogs in templates/locales/, as translations Jinja2 renders with.

Catalogs are kept as .po files (what translators edit, and what the wheel ships) and compiled
in memory on first use, so there is no build step and no .mo file to forget.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "templates" / "locales"
SOURCE = "en"  # the language the templates are written in


def available_locales(locales: Path = LOCALES) -> list[str]:
    """The languages there is a catalog for, the source language first."""
    found = sorted(p.parent.parent.name for p in locales.glob("*/LC_MESSAGES/messages.po"))
    return [SOURCE, *(code for code in found if code != SOURCE)]


@cache
def translations_for(locale: str, locales: Path = LOCALES) -> gettext.NullTranslations:
    """`locale`'s catalog; the source language (or one without a catalog) reads as written."""
    po = locales / locale / "LC_MESSAGES" / "messages.po"
    if locale == SOURCE or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)

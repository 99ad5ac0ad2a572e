"""The marker for text that Python code carries to a person: `N_("Any blockers?")`.

Every text a person reads is rendered by a template (templates/), where `_()` and
`ngettext()` translate it. A few texts are carried by Python instead: the default daily
questions (stored when a daily starts), chart labels, calendar-feed titles, the day names
of a filter. They are written as `N_("...")`: `N_` returns its argument unchanged, so the
text is only *marked* — `pybabel extract` (babel.cfg) finds it and puts it in the catalog —
and it is translated where it is shown. Pure, so any layer may import it.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks `message` for extraction; returns it unchanged."""
    return message

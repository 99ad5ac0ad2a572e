"""`python app.py export retro`: a retro's record as Markdown or CSV, for wikis and sheets."""

from __future__ import annotations

import csv
import io

from bot.rendering import make_environment
from ceremonies.core.text import unescape
from ceremonies.retro.actions import RetroRecord

SLOT_NAMES = {"quick_win": "quick win", "most_important": "most important", "simplest": "simplest"}


def as_markdown(record: RetroRecord) -> str:
    env = make_environment()
    env.filters["plain"] = unescape
    env.filters["table_cell"] = lambda text: " ".join(text.split()).replace("|", "\\|")
    return env.get_template("retro/export.md.j2").render(record=record, names={}).strip() + "\n"


def as_csv(record: RetroRecord) -> str:
    """One row per item and per action; scores are medians, never anyone's own rating."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "retro",
            "section",
            "number",
            "text",
            "importance",
            "complexity",
            "importance_spread",
            "complexity_spread",
            "raters",
            "disputed",
            "action",
            "owner",
            "status",
            "helped",
            "revisit_on",
        ]
    )
    for text in record.went_well:
        writer.writerow([record.title, "went well", "", unescape(text), *[""] * 11])
    actions = {a["item_id"]: a for a in record.actions}
    for item in record.items:
        action = actions.get(item["item_id"], {})
        writer.writerow(
            [
                record.title,
                "to improve",
                item["number"],
                unescape(item["text"]),
                item["importance"] if item["importance"] is not None else "",
                item["complexity"] if item["complexity"] is not None else "",
                item["importance_spread"],
                item["complexity_spread"],
                item["raters"],
                "yes" if item["disputed"] else "",
                SLOT_NAMES.get(action.get("slot", ""), ""),
                action.get("owner_id") or "",
                action.get("status", ""),
                action.get("helped") or "",
                action.get("revisit_on") or "",
            ]
        )
    return out.getvalue()

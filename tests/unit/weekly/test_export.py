"""`export weekly`: Markdown, HTML (autoescaped) and CSV of one report."""

from __future__ import annotations

import csv
import io

import pytest

from bot.weekly_export import CSV_COLUMNS, render_export
from tests.unit.weekly.template_cases import CHANNELS, NAMES, QUIET, REPORT, SECTION


def test_markdown_has_the_report_and_every_source() -> None:
    md = render_export(REPORT, NAMES, CHANNELS, "md")
    assert md.startswith("# Weekly report 2026-W49\n")
    assert "**Status:** At risk" in md and "## What changed since last week" in md
    assert "## #team-a" in md and "### Daily" in md and "### Retros" in md
    assert "### On call (Europe/Berlin)" in md
    assert "| Person 1 | 5 | 5 |" in md
    assert md.count("very long text") >= 3400  # the highlights, whole
    assert "\n\n\n" not in md


def test_html_is_escaped() -> None:
    html = render_export(REPORT, NAMES, CHANNELS, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<b>" not in html and "<!channel>" not in html
    assert "&lt;b&gt;" in html and "&lt;!channel&gt;" in html
    assert "<h2>#team-a</h2>" in html


def test_csv_rows_per_participation_blocker_and_risk() -> None:
    rows = list(csv.DictReader(io.StringIO(render_export(REPORT, NAMES, CHANNELS, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    kinds = [r["kind"] for r in rows]
    assert kinds.count("participation") == len(SECTION.daily.participation.people) + 1
    assert kinds.count("blocker") == len(SECTION.daily.blockers)
    assert kinds.count("risk") == len(REPORT.risks)
    zero = next(r for r in rows if r["kind"] == "participation" and r["user_id"] == "U039")
    assert (zero["answered"], zero["prompted"], zero["pct"]) == ("0", "5", "0.0")
    closed = next(r for r in rows if r["kind"] == "risk" and r["mark"] == "closed")
    assert closed["open"] == "no"


@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
def test_a_quiet_week_exports(fmt: str) -> None:
    assert render_export(QUIET, {}, {}, fmt)


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="format"):
        render_export(QUIET, {}, {}, "pdf")

"""`python app.py export weekly`: a weekly report as Markdown, HTML or CSV.

Exports leave Slack, so they read as plain text: what people typed (stored mrkdwn-escaped)
is given back as typed, people are their names (or ids), channels "#name" (or ids). HTML is
rendered with autoescape ON, so nothing anyone wrote can inject markup.

CSV columns (one row per person-week participation, per blocker and per risk):

    week            ISO week of the report, e.g. 2026-W49
    channel_id      the source channel (empty for risks: the register is the report's own)
    channel         its name when known, else the id
    kind            "participation" | "blocker" | "risk"
    user_id         the person (participation, blocker) or the risk's owner
    name            their display name when known, else the id
    answered        days answered (participation)
    prompted        days prompted (participation; skipped days count in neither)
    pct             answered / prompted, rounded to 0.1 (participation)
    text            the blocker's latest answer or the risk's text, as typed
    first_raised    ISO date (blocker)
    last_raised     ISO date (blocker)
    age_working_days  working days from first to last raised, both included (blocker)
    open            "yes" | "no" (blocker; risk: not closed by the delivery)
    resolved_on     ISO date of the answer without a blocker that ended it (blocker)
    risk_number     the register's number (risk)
    p, c, rank      probability, consequence, p × c (risk)
    risk_class      "accept" | "mitigate" | "red_line" (risk)
    mark            "new" | "raised" | "lowered" | "closed" | "" since the last report (risk)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from jinja2 import Environment

from bot.rendering import make_environment
from ceremonies.core.text import unescape, unmention
from ceremonies.weekly.report import WeeklyReport

__all__ = ["CSV_COLUMNS", "FORMATS", "render_export"]

FORMATS = ("md", "html", "csv")
CSV_COLUMNS = (
    "week",
    "channel_id",
    "channel",
    "kind",
    "user_id",
    "name",
    "answered",
    "prompted",
    "pct",
    "text",
    "first_raised",
    "last_raised",
    "age_working_days",
    "open",
    "resolved_on",
    "risk_number",
    "p",
    "c",
    "rank",
    "risk_class",
    "mark",
)


def render_export(
    report: WeeklyReport,
    names: Mapping[str, str],
    channels: Mapping[str, str],
    fmt: str,
) -> str:
    """The report in `fmt` ("md", "html" or "csv")."""
    if fmt == "csv":
        return _csv(report, names, channels)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    env = _environment(html=fmt == "html")
    text = env.get_template(f"weekly/export.{fmt}.j2").render(
        report=report, names=dict(names), channels=dict(channels)
    )
    return _tidy(text) if fmt == "md" else text.strip() + "\n"


def _environment(*, html: bool) -> Environment:
    env = make_environment(autoescape=html)
    env.filters.update(
        safe_text=unescape,
        quoted_text=lambda text, names=None: unescape(unmention(text, names or {})),
        plain=unescape,
        person=lambda user_id, names=None: _name(user_id, names),
        channel=lambda channel_id, channels=None: _channel(channel_id, channels),
        table_cell=lambda text: " ".join(str(text).split()).replace("|", "\\|"),
        oneline=lambda text: " ".join(str(text).split()),
    )
    return env


def _name(user_id: str | None, names: Mapping[str, str] | None) -> str:
    if not user_id:
        return ""
    return (names or {}).get(user_id) or user_id


def _channel(channel_id: str, channels: Mapping[str, str] | None) -> str:
    name = (channels or {}).get(channel_id)
    return f"#{name}" if name else f"#{channel_id}"


def _tidy(text: str) -> str:
    """At most one blank line in a row, one newline at the end."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def _csv(report: WeeklyReport, names: Mapping[str, str], channels: Mapping[str, str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="")
    writer.writeheader()
    week = report.week.label
    for section in report.sections:
        if section.daily is None:
            continue
        where = {
            "week": week,
            "channel_id": section.channel_id,
            "channel": channels.get(section.channel_id, section.channel_id),
        }
        for person in section.daily.participation.people:
            writer.writerow(
                {
                    **where,
                    "kind": "participation",
                    "user_id": person.user_id,
                    "name": _name(person.user_id, names),
                    "answered": person.answered,
                    "prompted": person.prompted,
                    "pct": round(person.pct, 1),
                }
            )
        for blocker in section.daily.blockers:
            writer.writerow(
                {
                    **where,
                    "kind": "blocker",
                    "user_id": blocker.user_id,
                    "name": _name(blocker.user_id, names),
                    "text": unescape(blocker.text),
                    "first_raised": blocker.first_raised.isoformat(),
                    "last_raised": blocker.last_raised.isoformat(),
                    "age_working_days": blocker.age_working_days,
                    "open": "yes" if blocker.open else "no",
                    "resolved_on": blocker.resolved_on.isoformat() if blocker.resolved_on else "",
                }
            )
    for marked in report.risks:
        risk = marked.risk
        writer.writerow(
            {
                "week": week,
                "kind": "risk",
                "user_id": risk.owner_id or "",
                "name": _name(risk.owner_id, names),
                "text": unescape(risk.text),
                "open": "no" if marked.mark == "closed" else "yes",
                "risk_number": risk.number,
                "p": risk.p,
                "c": risk.c,
                "rank": risk.rank,
                "risk_class": risk.risk_class,
                "mark": marked.mark or "",
            }
        )
    return out.getvalue()

"""How a report is laid out in Slack: the summary message, and its details in the thread.

The summary fits one message; each source's details are their own thread replies, the
blockers in pages of BLOCKERS_PER_PAGE so that a 40-person team with 30 blockers never
makes a message Slack refuses (50 blocks, 3,000 characters a section).
"""

from __future__ import annotations

from typing import Any

from ceremonies.weekly.compose import Composed
from ceremonies.weekly.report import WeeklyReport

BLOCKERS_PER_PAGE = 15
Page = tuple[str, dict[str, Any]]


def summary_context(
    report: WeeklyReport,
    names: dict[str, str],
    delivery_id: int | None,
    acks: dict[int, list[str]],
    has_details: bool,
    late: bool = False,
) -> dict[str, Any]:
    return {
        "report": report,
        "names": names,
        "channels": {},
        "delivery_id": delivery_id,
        "acks": acks,
        "preview": delivery_id is None,
        "has_details": has_details,
        "late": late,
    }


def detail_messages(
    report: WeeklyReport, report_id: int, names: dict[str, str], *, preview: bool = False
) -> list[Page]:
    pages: list[Page] = []
    common = {"names": names, "channels": {}, "preview": preview}
    for section in report.sections:
        if section.daily:
            blockers = section.daily.blockers
            chunks = [
                blockers[i : i + BLOCKERS_PER_PAGE]
                for i in range(0, len(blockers), BLOCKERS_PER_PAGE)
            ] or [()]
            for part, chunk in enumerate(chunks, start=1):
                pages.append(
                    (
                        "weekly/details_daily",
                        {
                            **common,
                            "channel_id": section.channel_id,
                            "section": section.daily,
                            "blockers": chunk,
                            "part": part,
                            "parts": len(chunks),
                            "first": part == 1,
                            "report_id": report_id,
                        },
                    )
                )
        if section.retro:
            pages.append(
                (
                    "weekly/details_retro",
                    {**common, "channel_id": section.channel_id, "section": section.retro},
                )
            )
        if section.oncall:
            pages.append(
                (
                    "weekly/details_oncall",
                    {**common, "channel_id": section.channel_id, "section": section.oncall},
                )
            )
    if report.risks:
        pages.append(("weekly/details_risks", {**common, "risks": report.risks}))
    return pages


def trend_data(composed: Composed) -> dict[str, Any]:
    return {
        "title": composed.report.week.label,
        "weeks": [
            {
                "label": f.label,
                "participation_pct": f.participation_pct,
                "blockers": f.blockers,
                "actions_done": f.actions_done,
                "actions_open": f.actions_open,
            }
            for f in composed.trend
        ],
    }

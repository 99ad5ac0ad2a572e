"""What a sent report is kept as, and whom it names.

The stored content is the report's own data (figures, texts, the status and why), as JSON:
history a later export or audit reads without asking Slack.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ceremonies.weekly.compose import Composed
from ceremonies.weekly.report import WeeklyReport
from ceremonies.weekly.trend import WeekFigures


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def content_of(composed: Composed, late: bool) -> dict[str, Any]:
    report = composed.report
    return {
        "week": report.week.label,
        "status": report.status,
        "proposed": report.proposed,
        "late": late,
        "report": jsonable(report),
        "trend": jsonable(composed.trend),
    }


@cache
def _kept_shape() -> TypeAdapter[tuple[WeeklyReport, tuple[WeekFigures, ...]]]:
    return TypeAdapter(tuple[WeeklyReport, tuple[WeekFigures, ...]])


def composed_as_sent(content: dict[str, Any] | None) -> Composed | None:
    """The report as it went out, read back from its stored content; None when the content
    was kept by an older version in another shape (the caller composes it again)."""
    if not content or "report" not in content or "trend" not in content:
        return None
    try:
        report, figures = _kept_shape().validate_python((content["report"], content["trend"]))
    except ValidationError:
        return None
    return Composed(report, figures)


def people_in(report: WeeklyReport) -> set[str]:
    """Everyone the report names: participants, blockers, owners, people on call."""
    people: set[str] = set()
    for section in report.sections:
        if section.daily:
            people.update(p.user_id for p in section.daily.participation.people)
            people.update(b.user_id for b in section.daily.blockers)
        if section.retro:
            actions = [*section.retro.chosen, *(a.action for a in section.retro.open)]
            people.update(a.owner_id for a in [*actions, *section.retro.ended] if a.owner_id)
        if section.oncall:
            people.update(s.user_id for s in section.oncall.shifts)
            people.update(section.oncall.next_week)
    people.update(r.risk.owner_id for r in report.risks if r.risk.owner_id)
    return people

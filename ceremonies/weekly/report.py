"""The weekly report, assembled from the query results of its source channels.

`build_report` is pure: the caller reads each source channel's history through the query
ports (`DailyQueries`, `RetroQueries`, `OnCallQueries`), the register's risks and the
owner's submission, and gets back everything the templates show. Decisions made here:

* The risk register is the report's own (its channel's `/weekly risk …`), shown once for
  the whole report, not per source; open risks by rank, then those closed this week.
* The status is the owner's when they submitted one, else the proposal, marked proposed.
* "Decisions needed" is one decision per non-empty line, list markers dropped, so each one
  can carry its own "Acknowledge" button.
* `previous` is the previous week's report (built the same way): it gives the blockers it
  listed and its status, for "what changed". Without it, changes are read from dates alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ceremonies.daily.queries import DailyHistory
from ceremonies.oncall.queries import OnCallHistory
from ceremonies.retro.queries import ActionState, RetroHistory
from ceremonies.weekly.blockers import LOOKBACK_DAYS, Blocker
from ceremonies.weekly.changes import Changes, changes_since
from ceremonies.weekly.participation import percent
from ceremonies.weekly.risks import CLOSED, RiskSeen, ranked, risk_marks
from ceremonies.weekly.sections import (
    DailySection,
    OnCallSection,
    RetroSection,
    daily_section,
    oncall_section,
    retro_section,
)
from ceremonies.weekly.status import STATUSES, Evidence, StatusProposal, propose_status
from ceremonies.weekly.week import ReportWeek

__all__ = [
    "LOOKBACK_DAYS",
    "MarkedRisk",
    "SourceHistory",
    "SourceSection",
    "Submission",
    "WeeklyReport",
    "build_report",
    "decisions_of",
]

# "- ", "* ", "• ", "1. ", "2) " at the start of a line.
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class SourceHistory:
    """What the query ports returned for one source channel (None: no such ceremony there)."""

    channel_id: str
    daily: DailyHistory | None = None
    retro: RetroHistory | None = None
    oncall: OnCallHistory | None = None


@dataclass(frozen=True)
class SourceSection:
    channel_id: str
    daily: DailySection | None
    retro: RetroSection | None
    oncall: OnCallSection | None


@dataclass(frozen=True)
class Submission:
    """What the owner submitted in "Add status"."""

    status: str
    highlights: str = ""
    plans: str = ""
    decisions: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


@dataclass(frozen=True)
class MarkedRisk:
    risk: RiskSeen
    mark: str | None  # risks.NEW, RAISED, LOWERED, CLOSED or None


@dataclass(frozen=True)
class WeeklyReport:
    week: ReportWeek
    proposal: StatusProposal
    chosen_status: str | None  # the owner's, None without a submission
    highlights: str
    plans: str
    decisions: tuple[str, ...]
    sections: tuple[SourceSection, ...]
    risks: tuple[MarkedRisk, ...]
    changes: Changes

    @property
    def status(self) -> str:
        return self.chosen_status or self.proposal.status

    @property
    def proposed(self) -> bool:
        """Whether the status shown is the proposal, nobody having chosen one."""
        return self.chosen_status is None

    @property
    def blockers(self) -> tuple[tuple[str, Blocker], ...]:
        return _blockers(self.sections)


def build_report(
    week: ReportWeek,
    sources: Sequence[SourceHistory],
    risks: Sequence[RiskSeen] = (),
    *,
    submission: Submission | None = None,
    previous: WeeklyReport | None = None,
) -> WeeklyReport:
    sections = tuple(_section(source, week) for source in sources)
    proposal = propose_status(_evidence(week, sources, sections, risks))
    chosen = submission.status if submission else None
    return WeeklyReport(
        week=week,
        proposal=proposal,
        chosen_status=chosen,
        highlights=submission.highlights.strip() if submission else "",
        plans=submission.plans.strip() if submission else "",
        decisions=decisions_of(submission.decisions) if submission else (),
        sections=sections,
        risks=_marked_risks(risks, week),
        changes=changes_since(
            week,
            blockers=_blockers(sections),
            risks=risks,
            actions=_actions(sources),
            status=chosen or proposal.status,
            previous_blockers=previous.blockers if previous else None,
            previous_status=previous.status if previous else None,
        ),
    )


def decisions_of(text: str) -> tuple[str, ...]:
    lines = (_LIST_MARKER.sub("", line).strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


def _section(source: SourceHistory, week: ReportWeek) -> SourceSection:
    return SourceSection(
        channel_id=source.channel_id,
        daily=daily_section(source.daily, week) if source.daily else None,
        retro=retro_section(source.retro, week) if source.retro else None,
        oncall=oncall_section(source.oncall, week) if source.oncall else None,
    )


def _evidence(
    week: ReportWeek,
    sources: Sequence[SourceHistory],
    sections: Sequence[SourceSection],
    risks: Sequence[RiskSeen],
) -> Evidence:
    dailies = [s.daily.participation for s in sections if s.daily]
    return Evidence(
        week=week,
        risks=risks,
        blockers=_blockers(sections),
        actions=_actions(sources),
        participation_pct=percent(
            sum(p.answered for p in dailies), sum(p.prompted for p in dailies)
        ),
    )


def _blockers(sections: Sequence[SourceSection]) -> tuple[tuple[str, Blocker], ...]:
    return tuple((s.channel_id, b) for s in sections if s.daily for b in s.daily.blockers)


def _actions(sources: Sequence[SourceHistory]) -> tuple[tuple[str, ActionState], ...]:
    return tuple((s.channel_id, a) for s in sources if s.retro for a in s.retro.actions)


def _marked_risks(risks: Sequence[RiskSeen], week: ReportWeek) -> tuple[MarkedRisk, ...]:
    open_ = [MarkedRisk(r, risk_marks(r, week)) for r in ranked(risks, at=week.delivery)]
    closed = [
        MarkedRisk(r, CLOSED)
        for r in sorted(risks, key=lambda r: r.number)
        if risk_marks(r, week) == CLOSED
    ]
    return (*open_, *closed)

"""What changed since last week: the report leads with it.

From this week's computed sections and, when known, the previous week's:

* new blockers: this week's blockers the previous report did not list (by person, channel
  and first day); without a previous report, those first raised on or after this Monday;
* resolved blockers: those that ended this week (an answered day without a blocker, on or
  after this Monday); a blocker raised and resolved within the week is both new and resolved;
* new, raised and closed risks: the register's marks (`risks.risk_marks`); lowered is not news;
* actions done: retro actions reported done since the previous delivery;
* a status change: the previous report's status (chosen, else proposed) and this one's,
  when they differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ceremonies.retro.queries import DONE, ActionState
from ceremonies.weekly.blockers import Blocker
from ceremonies.weekly.risks import CLOSED, NEW, RAISED, RiskSeen, risk_marks
from ceremonies.weekly.week import ReportWeek

__all__ = ["Changes", "changes_since"]

ChannelBlocker = tuple[str, Blocker]
ChannelAction = tuple[str, ActionState]


@dataclass(frozen=True)
class Changes:
    new_blockers: tuple[ChannelBlocker, ...] = ()
    resolved_blockers: tuple[ChannelBlocker, ...] = ()
    new_risks: tuple[RiskSeen, ...] = ()
    raised_risks: tuple[RiskSeen, ...] = ()
    closed_risks: tuple[RiskSeen, ...] = ()
    actions_done: tuple[ChannelAction, ...] = ()
    status_change: tuple[str, str] | None = None  # (previous, now)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.new_blockers,
                self.resolved_blockers,
                self.new_risks,
                self.raised_risks,
                self.closed_risks,
                self.actions_done,
                self.status_change,
            )
        )


def changes_since(
    week: ReportWeek,
    *,
    blockers: Sequence[ChannelBlocker],
    risks: Iterable[RiskSeen],
    actions: Iterable[ChannelAction],
    status: str,
    previous_blockers: Sequence[ChannelBlocker] | None = None,
    previous_status: str | None = None,
) -> Changes:
    risks = tuple(risks)
    return Changes(
        new_blockers=_new_blockers(week, blockers, previous_blockers),
        resolved_blockers=tuple(
            (channel_id, b) for channel_id, b in blockers if _resolved_in(b, week)
        ),
        new_risks=_marked(risks, week, NEW),
        raised_risks=_marked(risks, week, RAISED),
        closed_risks=_marked(risks, week, CLOSED),
        actions_done=tuple(
            (channel_id, a)
            for channel_id, a in actions
            if a.status == DONE and week.since_last_report(a.status_at)
        ),
        status_change=(
            (previous_status, status)
            if previous_status is not None and previous_status != status
            else None
        ),
    )


def _new_blockers(
    week: ReportWeek,
    blockers: Sequence[ChannelBlocker],
    previous: Sequence[ChannelBlocker] | None,
) -> tuple[ChannelBlocker, ...]:
    if previous is None:
        return tuple((c, b) for c, b in blockers if b.first_raised >= week.first)
    seen = {(c, b.key) for c, b in previous}
    return tuple((c, b) for c, b in blockers if (c, b.key) not in seen)


def _resolved_in(blocker: Blocker, week: ReportWeek) -> bool:
    resolved_on: date | None = blocker.resolved_on
    return resolved_on is not None and week.first <= resolved_on <= week.last


def _marked(risks: Sequence[RiskSeen], week: ReportWeek, mark: str) -> tuple[RiskSeen, ...]:
    return tuple(sorted((r for r in risks if risk_marks(r, week) == mark), key=lambda r: r.number))

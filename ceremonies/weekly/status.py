"""The status the report proposes to its owner, and the evidence behind it.

Rules, most severe first. Each piece of evidence gives at most one reason, at the most
severe level it reaches (a blocker open for 6 days is one "off track" reason, not also an
"at risk" one), and the proposal is the most severe level any reason reaches:

* OFF_TRACK: an open risk of rank 7–9; a blocker open for 5 working days or more.
* AT_RISK: a blocker open for 3 or 4 working days; an open retro action chosen more than
  14 days before the delivery (overdue); a risk of rank 4–6 that is new or was raised since
  the previous report (a new one counts as raised: it was raised this week); participation
  in the daily under 60 %.
* ON_TRACK otherwise, with no reasons.

Reasons are a message code and its params, never a sentence: the templates word them.
Within a level they come in the order above, then by the evidence's own order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ceremonies.retro.queries import ActionState, open_at
from ceremonies.weekly.blockers import Blocker
from ceremonies.weekly.risks import MITIGATE, NEW, RAISED, RED_LINE, RiskSeen, ranked, risk_marks
from ceremonies.weekly.week import ReportWeek

__all__ = [
    "AT_RISK",
    "BLOCKER_AT_RISK_DAYS",
    "BLOCKER_OFF_TRACK_DAYS",
    "OFF_TRACK",
    "ON_TRACK",
    "OVERDUE_AFTER",
    "PARTICIPATION_FLOOR",
    "STATUSES",
    "Evidence",
    "Reason",
    "StatusProposal",
    "propose_status",
    "worse",
]

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK)  # from best to worst
BLOCKER_OFF_TRACK_DAYS = 5
BLOCKER_AT_RISK_DAYS = 3
OVERDUE_AFTER = timedelta(days=14)
PARTICIPATION_FLOOR = 60.0


@dataclass(frozen=True)
class Reason:
    """Why a status is proposed: the status it implies, a message code and its params."""

    status: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusProposal:
    status: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Evidence:
    """What the proposal is drawn from, over every source channel of the report."""

    week: ReportWeek
    risks: Sequence[RiskSeen] = ()
    blockers: Sequence[tuple[str, Blocker]] = ()  # (channel_id, blocker)
    actions: Sequence[tuple[str, ActionState]] = ()  # (channel_id, action)
    participation_pct: float | None = None


def worse(a: str, b: str) -> str:
    return max(a, b, key=STATUSES.index)


def propose_status(evidence: Evidence) -> StatusProposal:
    reasons = [
        *_risk_reasons(evidence),
        *_blocker_reasons(evidence),
        *_action_reasons(evidence),
        *_participation_reasons(evidence),
    ]
    reasons.sort(key=lambda r: -STATUSES.index(r.status))  # stable: keeps the order above
    status = ON_TRACK
    for reason in reasons:
        status = worse(status, reason.status)
    return StatusProposal(status, tuple(reasons))


def _risk_reasons(evidence: Evidence) -> list[Reason]:
    reasons = []
    for risk in ranked(evidence.risks, at=evidence.week.delivery):
        params = {"number": risk.number, "text": risk.text, "rank": risk.rank}
        if risk.risk_class == RED_LINE:
            reasons.append(Reason(OFF_TRACK, "weekly_reason_risk_red_line", params))
            continue
        mark = risk_marks(risk, evidence.week)
        if risk.risk_class == MITIGATE and mark in (NEW, RAISED):
            reasons.append(Reason(AT_RISK, "weekly_reason_risk_raised", {**params, "mark": mark}))
    return reasons


def _blocker_reasons(evidence: Evidence) -> list[Reason]:
    reasons = []
    for channel_id, blocker in evidence.blockers:
        if not blocker.open or blocker.age_working_days < BLOCKER_AT_RISK_DAYS:
            continue
        long = blocker.age_working_days >= BLOCKER_OFF_TRACK_DAYS
        params = {
            "channel_id": channel_id,
            "user_id": blocker.user_id,
            "text": blocker.text,
            "days": blocker.age_working_days,
            "since": blocker.first_raised.isoformat(),  # params stay plain JSON
        }
        reasons.append(Reason(OFF_TRACK if long else AT_RISK, "weekly_reason_blocker", params))
    return reasons


def _action_reasons(evidence: Evidence) -> list[Reason]:
    delivery = evidence.week.delivery
    reasons = []
    for channel_id, action in evidence.actions:
        age = delivery - action.chosen_at
        if open_at(action, delivery) and age > OVERDUE_AFTER:
            params = {
                "channel_id": channel_id,
                "action_id": action.action_id,
                "text": action.text,
                "owner_id": action.owner_id,
                "days": age.days,
            }
            reasons.append(Reason(AT_RISK, "weekly_reason_action_overdue", params))
    return reasons


def _participation_reasons(evidence: Evidence) -> list[Reason]:
    pct = evidence.participation_pct
    if pct is None or pct >= PARTICIPATION_FLOOR:
        return []
    # Rounded down, so 59.6 % never reads as "60 %, under 60 %".
    params = {"pct": math.floor(pct), "floor": round(PARTICIPATION_FLOOR)}
    return [Reason(AT_RISK, "weekly_reason_participation", params)]

from __future__ import annotations

from datetime import timedelta

import pytest

from ceremonies.retro.queries import DONE, ActionState
from ceremonies.weekly.blockers import Blocker
from ceremonies.weekly.status import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    Evidence,
    Reason,
    propose_status,
)
from tests.unit.weekly.factories import FRI, MON, THU, TUE, WED, WEEK, action, risk, utc


def blocked(age: int, *, open_: bool = True) -> tuple[str, Blocker]:
    return "CTEAM", Blocker("UANA", MON, FRI, "stuck", age, open_, age, None if open_ else FRI)


def codes(evidence: Evidence) -> list[tuple[str, str]]:
    return [(r.status, r.code) for r in propose_status(evidence).reasons]


def test_no_evidence_of_trouble_is_on_track_with_no_reasons() -> None:
    quiet = Evidence(
        WEEK,
        risks=[risk(1, 1, 3), risk(2, 2, 2, before=(2, 2))],  # rank 3; rank 4 not raised
        blockers=[blocked(2), blocked(6, open_=False)],
        actions=[("CTEAM", action(1, WEEK.delivery - timedelta(days=14)))],  # exactly 14: due
        participation_pct=60.0,
    )
    assert propose_status(quiet).status == ON_TRACK
    assert propose_status(quiet).reasons == ()


def test_an_open_red_line_risk_is_off_track() -> None:
    proposal = propose_status(Evidence(WEEK, risks=[risk(4, 3, 3, before=(3, 3))]))
    assert proposal.status == OFF_TRACK
    assert proposal.reasons == (
        Reason(
            OFF_TRACK, "weekly_reason_risk_red_line", {"number": 4, "text": "risk 4", "rank": 9}
        ),
    )


def test_a_red_line_risk_closed_before_delivery_is_no_reason() -> None:
    assert propose_status(Evidence(WEEK, risks=[risk(4, 3, 3, closed=utc(WED))])).status == ON_TRACK


@pytest.mark.parametrize(("age", "status"), [(3, AT_RISK), (4, AT_RISK), (5, OFF_TRACK)])
def test_an_open_blocker_is_at_risk_from_3_days_and_off_track_from_5(age: int, status: str) -> None:
    proposal = propose_status(Evidence(WEEK, blockers=[blocked(age)]))
    assert proposal.status == status
    (reason,) = proposal.reasons  # one reason per blocker, at its worst level
    assert (reason.status, reason.code, reason.params["days"]) == (
        status,
        "weekly_reason_blocker",
        age,
    )
    assert reason.params["user_id"] == "UANA"


def test_an_open_action_older_than_14_days_is_overdue() -> None:
    old = action(7, WEEK.delivery - timedelta(days=15))
    done_late = ActionState(
        8, 1, "x", "U1", old.chosen_at, DONE, WEEK.delivery + timedelta(days=1), None
    )
    done = ActionState(9, 1, "y", "U1", old.chosen_at, DONE, utc(TUE), "yes")
    proposal = propose_status(
        Evidence(WEEK, actions=[("C1", old), ("C1", done_late), ("C1", done)])
    )
    assert proposal.status == AT_RISK
    # Action 8 was still open at the delivery (reported done only after it).
    assert [r.params["action_id"] for r in proposal.reasons] == [7, 8]
    assert proposal.reasons[0].params["days"] == 15


@pytest.mark.parametrize(
    ("p", "c", "before", "expected"),
    [
        (2, 2, (1, 2), [(AT_RISK, "weekly_reason_risk_raised")]),  # 2 -> 4: raised
        (2, 3, None, [(AT_RISK, "weekly_reason_risk_raised")]),  # new this week
        (3, 2, (3, 2), []),  # rank 6 but unchanged
        (1, 3, (1, 1), []),  # raised, but only to 3
    ],
)
def test_a_mitigate_risk_new_or_raised_this_week_is_at_risk(
    p: int, c: int, before: tuple[int, int] | None, expected: list[tuple[str, str]]
) -> None:
    fresh = risk(
        5, p, c, before=before, opened=utc(THU) if before is None else utc(MON) - timedelta(days=30)
    )
    assert codes(Evidence(WEEK, risks=[fresh])) == expected


def test_participation_under_60_percent_is_at_risk_and_rounds_down() -> None:
    proposal = propose_status(Evidence(WEEK, participation_pct=59.6))
    assert proposal.status == AT_RISK
    assert proposal.reasons == (
        Reason(AT_RISK, "weekly_reason_participation", {"pct": 59, "floor": 60}),
    )
    assert propose_status(Evidence(WEEK, participation_pct=None)).status == ON_TRACK


def test_the_worst_reason_wins_and_reasons_come_worst_first() -> None:
    evidence = Evidence(
        WEEK,
        risks=[risk(1, 2, 2, before=None, opened=utc(TUE)), risk(2, 3, 3)],
        blockers=[blocked(3), blocked(5)],
        actions=[("C1", action(1, WEEK.delivery - timedelta(days=20)))],
        participation_pct=40.0,
    )
    assert propose_status(evidence).status == OFF_TRACK
    assert codes(evidence) == [
        (OFF_TRACK, "weekly_reason_risk_red_line"),
        (OFF_TRACK, "weekly_reason_blocker"),
        (AT_RISK, "weekly_reason_risk_raised"),
        (AT_RISK, "weekly_reason_blocker"),
        (AT_RISK, "weekly_reason_action_overdue"),
        (AT_RISK, "weekly_reason_participation"),
    ]

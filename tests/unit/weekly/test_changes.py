from __future__ import annotations

from datetime import timedelta

from ceremonies.retro.queries import DONE, PARTLY, ActionState
from ceremonies.weekly.blockers import Blocker
from ceremonies.weekly.changes import Changes, changes_since
from ceremonies.weekly.status import AT_RISK, ON_TRACK
from tests.unit.weekly.factories import FRI, MON, THU, TUE, WED, WEEK, action, risk, utc

LAST_FRIDAY = MON - timedelta(days=3)
OLD = Blocker("UANA", LAST_FRIDAY, MON, "vpn", 2, False, 2, TUE)  # resolved this week
CARRIED = Blocker("UBEN", LAST_FRIDAY, WED, "creds", 4, True, 4, None)  # still open
FRESH = Blocker("UCAT", THU, FRI, "review", 2, True, 2, None)  # new this week


def test_new_and_resolved_blockers_against_the_previous_report() -> None:
    previous = [
        ("C1", OLD),
        ("C1", Blocker("UBEN", LAST_FRIDAY, LAST_FRIDAY, "creds", 1, True, 1, None)),
    ]
    found = changes_since(
        WEEK,
        blockers=[("C1", OLD), ("C1", CARRIED), ("C1", FRESH)],
        risks=[],
        actions=[],
        status=ON_TRACK,
        previous_blockers=previous,
    )
    assert found.new_blockers == (("C1", FRESH),)
    assert found.resolved_blockers == (("C1", OLD),)


def test_without_a_previous_report_new_means_first_raised_this_week() -> None:
    found = changes_since(
        WEEK,
        blockers=[("C1", OLD), ("C1", CARRIED), ("C1", FRESH)],
        risks=[],
        actions=[],
        status=ON_TRACK,
    )
    assert found.new_blockers == (("C1", FRESH),)
    assert found.status_change is None


def test_the_same_person_in_another_channel_is_another_blocker() -> None:
    found = changes_since(
        WEEK,
        blockers=[("C2", CARRIED)],
        risks=[],
        actions=[],
        status=ON_TRACK,
        previous_blockers=[("C1", CARRIED)],
    )
    assert found.new_blockers == (("C2", CARRIED),)


def test_risks_actions_and_status() -> None:
    new = risk(3, 2, 2, before=None, opened=utc(TUE))
    raised = risk(1, 3, 2, before=(1, 2))
    lowered = risk(2, 1, 1, before=(2, 2))
    closed = risk(4, 2, 2, closed=utc(WED))
    done = action(1, utc(MON) - timedelta(days=10), DONE, utc(THU), "yes")
    done_last_week = action(2, utc(MON) - timedelta(days=10), DONE, WEEK.previous().delivery, "no")
    partly = ActionState(3, 1, "z", "U1", utc(MON), PARTLY, utc(THU), "somewhat")
    found = changes_since(
        WEEK,
        blockers=[],
        risks=[closed, lowered, raised, new],
        actions=[("C1", done), ("C1", done_last_week), ("C1", partly)],
        status=AT_RISK,
        previous_status=ON_TRACK,
    )
    assert found == Changes(
        new_risks=(new,),
        raised_risks=(raised,),
        closed_risks=(closed,),
        actions_done=(("C1", done),),
        status_change=(ON_TRACK, AT_RISK),
    )
    assert not found.empty
    assert changes_since(WEEK, blockers=[], risks=[], actions=[], status=ON_TRACK).empty

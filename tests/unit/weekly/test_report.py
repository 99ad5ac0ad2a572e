from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from ceremonies.daily.queries import DailyHistory
from ceremonies.oncall.queries import COVER, OVERRIDE, SCHEDULED, SWAP, OnCallHistory, ShiftSeen
from ceremonies.retro.queries import DONE, DROPPED, RetroHeld, RetroHistory
from ceremonies.weekly.report import (
    MarkedRisk,
    SourceHistory,
    Submission,
    build_report,
    decisions_of,
)
from ceremonies.weekly.risks import CLOSED, NEW, RAISED
from ceremonies.weekly.status import AT_RISK, OFF_TRACK, ON_TRACK
from tests.unit.weekly.factories import (
    BERLIN,
    FRI,
    MON,
    THU,
    TUE,
    WED,
    WEEK,
    action,
    answered,
    risk,
    silent,
    skipped,
    utc,
)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


DAILY = DailyHistory(
    "CTEAM",
    ("UANA", "UBEN", "UCAT"),
    (
        answered("UANA", MON - timedelta(days=7), "resolved long ago"),
        answered("UANA", MON - timedelta(days=6)),
        answered("UANA", WED, "waiting on the API team"),
        answered("UANA", THU, "waiting on the API team"),
        answered("UANA", FRI, "API team on holiday"),
        silent("UBEN", MON),
        silent("UBEN", TUE),
        skipped("UBEN", WED),
        answered("UCAT", MON, "no staging"),
        answered("UCAT", TUE),
    ),
)
RETRO = RetroHistory(
    (RetroHeld(11, "Sprint 48", at(TUE, 13), at(TUE, 14)),),
    (
        action(1, at(TUE, 13)),  # chosen this week, open
        action(2, utc(MON) - timedelta(days=21)),  # overdue
        action(3, utc(MON) - timedelta(days=21), DONE, at(WED, 9), "yes"),
        action(4, utc(MON) - timedelta(days=21), DROPPED, at(THU, 9), "no"),
    ),
)
SHIFTS = (
    ShiftSeen("UANA", utc(MON) - timedelta(days=7), at(MON, 9), SCHEDULED),
    ShiftSeen("UBEN", at(MON, 9), at(WED, 17), SCHEDULED),
    ShiftSeen("UCAT", at(WED, 17), at(THU, 7), OVERRIDE),
    ShiftSeen("UBEN", at(THU, 7), at(FRI, 9), SWAP),
    ShiftSeen("UBEN", at(FRI, 9), at(FRI, 9) + timedelta(days=7), COVER),
)
ONCALL = OnCallHistory(
    "CTEAM",
    BERLIN,
    SHIFTS,
    (
        ShiftSeen(
            "UCAT", at(FRI, 9) + timedelta(days=7), at(FRI, 9) + timedelta(days=14), SCHEDULED
        ),
    ),
)
SOURCE = SourceHistory("CTEAM", DAILY, RETRO, ONCALL)


def test_the_daily_section_counts_the_week_and_keeps_blockers_age() -> None:
    (section,) = build_report(WEEK, [SOURCE]).sections
    assert section.daily is not None
    people = {p.user_id: (p.answered, p.prompted) for p in section.daily.participation.people}
    assert people == {"UANA": (3, 3), "UBEN": (0, 2), "UCAT": (2, 2)}
    assert [(b.user_id, b.first_raised, b.open) for b in section.daily.blockers] == [
        ("UCAT", MON, False),
        ("UANA", WED, True),
    ]
    (stale,) = section.daily.stale
    assert (stale.user_id, stale.age_working_days, stale.text) == ("UANA", 3, "API team on holiday")


def test_the_retro_section() -> None:
    retro = build_report(WEEK, [SOURCE]).sections[0].retro
    assert retro is not None
    assert [r.retro_id for r in retro.retros] == [11]
    assert [a.action_id for a in retro.chosen] == [1]
    assert [(o.action.action_id, o.age_days) for o in retro.open] == [(2, 25), (1, 3)]
    assert [(a.action_id, a.status, a.helped) for a in retro.ended] == [
        (3, DONE, "yes"),
        (4, DROPPED, "no"),
    ]


def test_the_oncall_section() -> None:
    oncall = build_report(WEEK, [SOURCE]).sections[0].oncall
    assert oncall is not None
    assert oncall.on_call == ("UANA", "UBEN", "UCAT")
    assert oncall.handoffs == 3  # to Ben on Monday, to Cat, back to Ben; not Ben to Ben
    assert [s.user_id for s in oncall.overrides] == ["UCAT"]
    assert [s.reason for s in oncall.exchanges] == [SWAP, COVER]
    assert oncall.next_week == ("UCAT",)
    # At noon: Mon, Tue, Wed Ben; Thu Ben (swap); Fri Ben (cover). Cat's override is overnight.
    assert oncall.days == (("UBEN", 5),)


def test_the_report_proposes_a_status_and_lists_what_changed() -> None:
    risks = [risk(1, 2, 3, before=None, opened=at(TUE, 10)), risk(2, 1, 1, closed=at(THU, 10))]
    report = build_report(WEEK, [SOURCE], risks)
    assert report.proposed and report.status == AT_RISK
    assert [r.code for r in report.proposal.reasons] == [
        "weekly_reason_risk_raised",
        "weekly_reason_blocker",
        "weekly_reason_action_overdue",
    ]
    assert report.risks == (MarkedRisk(risks[0], NEW), MarkedRisk(risks[1], CLOSED))
    assert [b.user_id for _, b in report.changes.new_blockers] == ["UCAT", "UANA"]
    assert [b.user_id for _, b in report.changes.resolved_blockers] == ["UCAT"]
    assert [a.action_id for _, a in report.changes.actions_done] == [3]


def test_a_submission_sets_the_status_and_the_texts() -> None:
    submission = Submission(
        OFF_TRACK, " shipped v2 ", "v3", "- hire a contractor?\n\n2) move the date\n"
    )
    report = build_report(WEEK, [SOURCE], submission=submission)
    assert (report.status, report.proposed, report.proposal.status) == (OFF_TRACK, False, AT_RISK)
    assert (report.highlights, report.plans) == ("shipped v2", "v3")
    assert report.decisions == ("hire a contractor?", "move the date")
    with pytest.raises(ValueError):
        Submission("fine")


def test_against_the_previous_report_only_changes_are_news() -> None:
    previous = build_report(WEEK.previous(), [SOURCE], submission=Submission(ON_TRACK))
    report = build_report(WEEK, [SOURCE], [risk(3, 3, 2, before=(1, 2))], previous=previous)
    assert report.changes.status_change == (ON_TRACK, AT_RISK)
    assert [r.number for r in report.changes.raised_risks] == [3]
    assert report.risks == (MarkedRisk(report.risks[0].risk, RAISED),)
    # Last week's report listed no blocker of this week: both runs are new.
    assert [b.user_id for _, b in report.changes.new_blockers] == ["UCAT", "UANA"]


def test_a_source_without_ceremonies_and_decision_lines() -> None:
    report = build_report(WEEK, [SourceHistory("CEMPTY")])
    assert report.sections[0].daily is None and report.sections[0].oncall is None
    assert report.status == ON_TRACK and report.proposal.reasons == ()
    assert decisions_of("* a\n• b\n  \n10. c") == ("a", "b", "c")

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from ceremonies.daily.queries import DailyDay, blocker_of
from ceremonies.weekly.blockers import Blocker, blockers_of, stale
from tests.unit.weekly.factories import FRI, MON, THU, TUE, WED, answered, silent, skipped


def test_blocked_three_days_running_is_one_open_blocker_aged_three() -> None:
    days = [
        answered("UANA", MON, "waiting on the API team"),
        answered("UANA", TUE, "still waiting on the API team"),
        answered("UANA", WED, "API team on holiday"),
    ]
    (blocker,) = blockers_of(days)
    assert blocker == Blocker("UANA", MON, WED, "API team on holiday", 3, True, 3, None)
    assert stale([blocker]) == (blocker,)


def test_a_no_answer_resolves_the_blocker() -> None:
    days = [
        answered("UANA", MON, "no staging access"),
        answered("UANA", TUE, "no staging access"),
        answered("UANA", WED, blocker_of("nope")),
        answered("UANA", THU, blocker_of("review pending")),
    ]
    first, second = blockers_of(days)
    assert (first.open, first.resolved_on, first.age_working_days) == (False, WED, 2)
    assert (second.first_raised, second.text, second.open) == (THU, "review pending", True)
    assert stale([first, second]) == ()  # resolved, and too young


def test_an_unanswered_or_skipped_day_does_not_break_the_run() -> None:
    days = [
        answered("UBEN", MON, "prod creds"),
        silent("UBEN", TUE),
        skipped("UBEN", WED),
        answered("UBEN", THU, "prod creds"),
    ]
    (blocker,) = blockers_of(days)
    assert (blocker.first_raised, blocker.last_raised, blocker.times_raised) == (MON, THU, 2)
    # Prompted days Mon, Tue, Thu (the skip is not prompted).
    assert blocker.age_working_days == 3
    assert blocker.open


def test_a_run_is_open_only_if_it_reaches_the_latest_answered_day() -> None:
    days = [answered("UCAT", MON, "laptop broken"), answered("UCAT", TUE), silent("UCAT", WED)]
    (blocker,) = blockers_of(days)
    assert not blocker.open
    assert blocker.resolved_on == TUE


def test_people_are_tracked_apart_and_listed_oldest_first() -> None:
    days = [
        answered("UBEN", TUE, "b"),
        answered("UANA", WED, "a"),
        answered("UANA", FRI, "a2"),
        answered("UBEN", WED),
    ]
    found = blockers_of(days)
    assert [(b.user_id, b.first_raised, b.open) for b in found] == [
        ("UBEN", TUE, False),
        ("UANA", WED, True),
    ]


def test_stale_needs_an_open_blocker_of_at_least_min_age() -> None:
    old = Blocker("U1", MON, FRI, "x", 5, True, 5, None)
    young = Blocker("U2", THU, FRI, "y", 2, True, 2, None)
    closed = Blocker("U3", MON, THU, "z", 4, False, 4, FRI)
    assert stale([old, young, closed]) == (old,)
    assert stale([old, young, closed], min_age=2) == (old, young)


def test_the_blocker_text_is_what_the_daily_highlights() -> None:
    assert blocker_of("  Need a review  ") == "Need a review"
    assert blocker_of("none") is None
    assert blocker_of(None) is None


START = date(2026, 11, 2)


@st.composite
def person_days(draw: st.DrawFn) -> list[DailyDay]:
    days = []
    for offset in sorted(draw(st.sets(st.integers(0, 40), max_size=25))):
        day = START + timedelta(days=offset)
        kind = draw(st.sampled_from(["blocked", "clear", "silent", "skipped"]))
        if kind in ("blocked", "clear"):
            days.append(answered("U1", day, "stuck" if kind == "blocked" else None))
        else:
            days.append(silent("U1", day) if kind == "silent" else skipped("U1", day))
    return days


@given(person_days())
def test_a_blockers_age_never_exceeds_its_persons_prompted_days(days: list[DailyDay]) -> None:
    found = blockers_of(days)
    prompted = sum(1 for d in days if d.answered or not d.skipped)
    assert sum(b.times_raised for b in found) == sum(1 for d in days if d.blocker)
    assert sum(b.open for b in found) <= 1
    for blocker in found:
        assert blocker.times_raised <= blocker.age_working_days <= prompted
        assert blocker.first_raised <= blocker.last_raised
        assert blocker.open == (blocker.resolved_on is None)
    # Runs do not overlap: each one ends before the next begins.
    for earlier, later in pairwise(found):
        assert earlier.resolved_on is not None and earlier.resolved_on < later.first_raised

"""Blockers from the daily's answers: one person's run of blocker answers, and its age.

The decision, since the design only says "raised again on a later day, or by the same
person on consecutive days":

* A blocker is one person's run of answered days whose blockers answer is a blocker,
  consecutive over *that person's answered days*. A prompted day they did not answer, or
  skipped, between two blocker days does not break the run: silence is not news that the
  blocker went away. The first answered day without a blocker ends the run: resolved.
* Its text is the latest answer; `times_raised` counts the blocker days of the run.
* It is open while the run includes the person's latest answered day in the history.
* Its age, in working days, is the number of that person's prompted days (skipped ones do
  not count) from the first to the last day it was raised, both included. Prompted days
  are the person's own working days, so weekends, holidays and absences never age it.
* Blockers are not matched by text: one person blocked on two things in a row is one run.

A run that began before the report's week keeps its true age only if the history handed in
reaches back far enough: the report reads `LOOKBACK_DAYS` before its Monday for that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ceremonies.daily.queries import DailyDay

__all__ = ["LOOKBACK_DAYS", "STALE_AGE", "Blocker", "blockers_of", "stale"]

# How far before the week the daily's history is read, so that old blockers keep their age.
LOOKBACK_DAYS = 28
# From this age on, an open blocker offers "Add to risks" (DESIGN.md).
STALE_AGE = 3


@dataclass(frozen=True)
class Blocker:
    user_id: str
    first_raised: date
    last_raised: date
    text: str  # the latest answer
    times_raised: int
    open: bool
    age_working_days: int
    resolved_on: date | None  # the answered day without a blocker that ended it

    @property
    def key(self) -> tuple[str, date]:
        """Who and since when: the same blocker seen in two weeks has the same key."""
        return self.user_id, self.first_raised


def blockers_of(days: Iterable[DailyDay]) -> tuple[Blocker, ...]:
    """Every blocker run in the history, oldest first (then by person)."""
    by_person: dict[str, list[DailyDay]] = {}
    for day in days:
        by_person.setdefault(day.user_id, []).append(day)
    found = [
        blocker
        for person_days in by_person.values()
        for blocker in _runs(sorted(person_days, key=lambda d: d.local_date))
    ]
    return tuple(sorted(found, key=lambda b: (b.first_raised, b.user_id)))


def _runs(days: Sequence[DailyDay]) -> list[Blocker]:
    """The runs of one person's days, sorted by date."""
    prompted = [d.local_date for d in days if d.answered or not d.skipped]
    runs: list[Blocker] = []
    run: list[DailyDay] = []
    for day in days:
        if not day.answered:
            continue
        if day.blocker is not None:
            run.append(day)
            continue
        if run:
            runs.append(_blocker(run, prompted, resolved_on=day.local_date))
            run = []
    if run:
        runs.append(_blocker(run, prompted, resolved_on=None))
    return runs


def _blocker(
    run: Sequence[DailyDay], prompted: Sequence[date], resolved_on: date | None
) -> Blocker:
    first, last = run[0].local_date, run[-1].local_date
    return Blocker(
        user_id=run[0].user_id,
        first_raised=first,
        last_raised=last,
        text=run[-1].blocker or "",
        times_raised=len(run),
        open=resolved_on is None,
        age_working_days=sum(1 for d in prompted if first <= d <= last),
        resolved_on=resolved_on,
    )


def stale(blockers: Iterable[Blocker], min_age: int = STALE_AGE) -> tuple[Blocker, ...]:
    """Open blockers at least `min_age` working days old: they offer "Add to risks"."""
    return tuple(b for b in blockers if b.open and b.age_working_days >= min_age)

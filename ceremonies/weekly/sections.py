"""Each source channel's part of the report, from its query results: daily, retros, on-call.

Every section covers the report's week, Monday 00:00 to delivery in the report's zone.
What "this week" means for endings (actions reported, blockers resolved) is since the
previous delivery, so that nothing said on a Friday evening falls between two reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ceremonies.daily.queries import DailyHistory
from ceremonies.oncall.queries import COVER, OVERRIDE, SWAP, OnCallHistory, ShiftSeen, days_on_call
from ceremonies.retro.queries import ENDED, ActionState, RetroHeld, RetroHistory, open_at
from ceremonies.weekly.blockers import Blocker, blockers_of, stale
from ceremonies.weekly.participation import ParticipationSummary, participation
from ceremonies.weekly.week import ReportWeek

__all__ = [
    "ActionAge",
    "DailySection",
    "OnCallSection",
    "RetroSection",
    "daily_section",
    "oncall_section",
    "retro_section",
]


@dataclass(frozen=True)
class DailySection:
    participation: ParticipationSummary
    # Raised this week, still open at its end, or resolved this week; oldest first.
    blockers: tuple[Blocker, ...]
    stale: tuple[Blocker, ...]  # open for 3 working days or more: they offer "Add to risks"

    @property
    def open_blockers(self) -> tuple[Blocker, ...]:
        return tuple(b for b in self.blockers if b.open)


@dataclass(frozen=True)
class ActionAge:
    action: ActionState
    age_days: int  # whole days from its retro to the delivery


@dataclass(frozen=True)
class RetroSection:
    retros: tuple[RetroHeld, ...]  # started this week
    chosen: tuple[ActionState, ...]  # chosen at a retro held this week, with their owners
    open: tuple[ActionAge, ...]  # open at delivery, oldest first
    ended: tuple[ActionState, ...]  # reported done / partly / dropped, with whether it helped


@dataclass(frozen=True)
class OnCallSection:
    tz: str
    shifts: tuple[ShiftSeen, ...]  # overlapping the week, by start
    on_call: tuple[str, ...]  # who was on call, in the order they took over
    handoffs: int  # times duty passed to someone else during the week
    overrides: tuple[ShiftSeen, ...]
    exchanges: tuple[ShiftSeen, ...]  # swaps and covers
    next_week: tuple[str, ...]  # who is on call in the 7 days after, in order
    days: tuple[tuple[str, int], ...]  # (user_id, days on call this week), busiest first


def daily_section(history: DailyHistory, week: ReportWeek) -> DailySection:
    """`history` may reach back before Monday (blockers.LOOKBACK_DAYS) so old blockers keep
    their age; participation counts the week's days only."""
    in_week = [d for d in history.days if week.first <= d.local_date <= week.last]
    upto = [d for d in history.days if d.local_date <= week.last]
    shown = tuple(b for b in blockers_of(upto) if _shown(b, week))
    return DailySection(participation(in_week, history.participants), shown, stale(shown))


def _shown(blocker: Blocker, week: ReportWeek) -> bool:
    resolved = blocker.resolved_on
    return (
        blocker.open
        or blocker.last_raised >= week.first
        or (resolved is not None and resolved >= week.first)
    )


def retro_section(history: RetroHistory, week: ReportWeek) -> RetroSection:
    delivery = week.delivery
    actions = sorted(history.actions, key=lambda a: (a.chosen_at, a.action_id))
    return RetroSection(
        retros=tuple(r for r in history.retros if week.contains(r.started_at)),
        chosen=tuple(a for a in actions if week.contains(a.chosen_at)),
        open=tuple(
            ActionAge(a, (delivery - a.chosen_at).days) for a in actions if open_at(a, delivery)
        ),
        ended=tuple(
            a for a in actions if a.status in ENDED and week.since_last_report(a.status_at)
        ),
    )


def oncall_section(history: OnCallHistory, week: ReportWeek) -> OnCallSection:
    shifts = tuple(
        sorted(
            (s for s in history.shifts if s.start < week.delivery and s.end > week.start),
            key=lambda s: s.start,
        )
    )
    return OnCallSection(
        tz=history.tz,
        shifts=shifts,
        on_call=_people(shifts),
        handoffs=_handoffs(shifts, week),
        overrides=tuple(s for s in shifts if s.reason == OVERRIDE),
        exchanges=tuple(s for s in shifts if s.reason in (SWAP, COVER)),
        next_week=_people(sorted(history.next_week, key=lambda s: s.start)),
        days=days_on_call(shifts, history.tz, week.first, week.last),
    )


def _people(shifts: Iterable[ShiftSeen]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.user_id for s in shifts))


def _handoffs(shifts: Sequence[ShiftSeen], week: ReportWeek) -> int:
    """Shift starts inside the week where the person before was someone else."""
    return sum(
        1
        for before, after in pairwise(shifts)
        if week.contains(after.start) and after.user_id != before.user_id
    )

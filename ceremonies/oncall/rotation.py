"""A versioned rotation: who takes turns, how long a shift lasts, and when duty changes hands.

Grafana OnCall's model: a change never rewrites what a rotation said before. Each
`RotationVersion` holds from its `effective_from` (the first version from the moment of
`/oncall start`, every later one from a handoff of the one before) until the next version
takes over, so the past stays described by the settings that were in force then.

Handoffs are wall-clock events in the rotation's zone (``time_model.wall_clock_instant``):
"Monday 10:00 Europe/Berlin" is 10:00 on every Monday whatever the offset, a handoff in a
DST gap happens when the gap ends, one in a repeated hour at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ceremonies.core.time_model import local_date, wall_clock_instant

DAILY, WEEKLY, TWO_WEEKS = "daily", "weekly", "2w"
SHIFT_DAYS = {DAILY: 1, WEEKLY: 7, TWO_WEEKS: 14}
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RotationVersion:
    """The rotation's settings from `effective_from` (an aware instant) on.

    `restart` makes the first listed member take the first shift of this version (as
    `/oncall start` and `/oncall order` do); otherwise the rotation carries on with
    whoever was next.
    """

    effective_from: datetime
    members: tuple[str, ...]
    shift: str = WEEKLY
    handoff_day: int = 0  # Monday=0 … Sunday=6; daily shifts change hands every day
    handoff_time: time = time(10, 0)
    tz: str = "UTC"
    restart: bool = False

    def __post_init__(self) -> None:
        if self.shift not in SHIFT_DAYS:
            raise ValueError(f"unknown shift length {self.shift!r}")
        if not 0 <= self.handoff_day <= 6:
            raise ValueError("handoff_day must be within 0..6")
        if self.effective_from.utcoffset() is None:
            raise ValueError("effective_from must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Frame:
    """One turn's time frame in the base rotation, with the version it belongs to."""

    start: datetime
    end: datetime
    version: RotationVersion


def handoffs_after(version: RotationVersion, *, first: bool) -> Iterator[datetime]:
    """The version's handoff instants strictly after its start, in order, without end.

    A later version starts at a handoff of the one before, so its first shift is (nearly)
    a whole one: its first handoff is at least `period - 6` days on — two weeks after a
    handoff for two-week shifts, the coming handoff weekday for weekly ones.
    """
    start = version.effective_from
    period = SHIFT_DAYS[version.shift]
    day = local_date(version.tz, start)
    step = 1 if version.shift == DAILY else 7
    if version.shift != DAILY:
        if not first:
            day += timedelta(days=period - 6)
        day += timedelta(days=(version.handoff_day - day.weekday()) % 7)
    while _instant(version, day) <= start:
        day += timedelta(days=step)
    while True:
        yield _instant(version, day)
        day += timedelta(days=period)


def _instant(version: RotationVersion, day: date) -> datetime:
    return wall_clock_instant(version.tz, day, version.handoff_time)


def next_handoff(versions: Sequence[RotationVersion], after: datetime) -> datetime:
    """The first handoff of the base rotation strictly after `after`."""
    for frame in frames(versions, after):
        if frame.end > after:
            return frame.end
    raise AssertionError("frames() never ends")  # pragma: no cover


def frames(versions: Sequence[RotationVersion], since: datetime | None = None) -> Iterator[Frame]:
    """The base rotation's turns in order, from the first one that ends after `since`.

    Versions must be sorted by `effective_from`; each one cuts the one before at its start.
    """
    for index, version in enumerate(versions):
        cut = versions[index + 1].effective_from if index + 1 < len(versions) else None
        if cut is not None and since is not None and cut <= since:
            continue
        start = version.effective_from
        for end in handoffs_after(version, first=index == 0):
            if cut is not None and end >= cut:
                end = cut
            if since is None or end > since:
                yield Frame(start, end, version)
            if end == cut:
                break
            start = end

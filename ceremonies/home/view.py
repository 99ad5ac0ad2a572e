"""The Home tab's view model: one person's ceremonies, most relevant first, within limits.

Pure: it reads the ceremonies' query ports and decides what the person sees and in which
order; the template (templates/home/home.json.j2) only words it. A view holds no instant
of its own making (no "updated at"), so two assemblies of the same facts are equal and
`digest()` tells whether publishing again would show anything new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ceremonies.core.time_model import wall_clock_instant
from ceremonies.daily.queries import (
    PROMPT_ANSWERED,
    PROMPT_MISSED,
    PROMPT_OPEN,
    PROMPT_SKIPPED,
    DailyOfPerson,
)
from ceremonies.home.ports import HomeUnitOfWork
from ceremonies.oncall.queries import RotationOfPerson
from ceremonies.retro.queries import OPEN as ACTION_OPEN
from ceremonies.retro.queries import ActionOfPerson
from ceremonies.weekly.queries import ReportOfPerson

# What each part shows at most; the rest is "and N more". With the fixed blocks (title,
# headings, help: under 20) the view stays far below Slack's 100 blocks whatever happens.
MAX_DAILIES = 12
MAX_ACTIONS = 10  # two blocks each: the action and its buttons
MAX_ROTATIONS = 8
MAX_REPORTS = 8

# A daily's state today, for the person (DailyLine.state).
OPEN, ANSWERED, SKIPPED, MISSED = "open", "answered", "skipped", "missed"
LATER, DAY_OFF, NONE_TODAY, PAUSED = "later", "day_off", "none_today", "paused"
_DAILY_ORDER = (OPEN, LATER, MISSED, ANSWERED, SKIPPED, NONE_TODAY, DAY_OFF, PAUSED)
_FROM_PROMPT = {
    PROMPT_OPEN: OPEN,
    PROMPT_ANSWERED: ANSWERED,
    PROMPT_SKIPPED: SKIPPED,
    PROMPT_MISSED: MISSED,
}


@dataclass(frozen=True)
class Part[T]:
    """One part of the view: what is shown, and how many more there are."""

    shown: tuple[T, ...]
    more: int = 0

    @property
    def total(self) -> int:
        return len(self.shown) + self.more


@dataclass(frozen=True)
class DailyLine:
    channel_id: str
    state: str  # OPEN, ANSWERED, SKIPPED, MISSED, LATER, DAY_OFF, NONE_TODAY or PAUSED
    prompt_id: int | None  # the open prompt ("Answer in a form"), when OPEN
    next_at: datetime | None  # the next prompt, when LATER or DAY_OFF


@dataclass(frozen=True)
class ActionLine:
    action_id: int
    channel_id: str
    text: str
    retro_title: str
    chosen_on: date  # the retro's day, in the person's zone
    partly: bool  # reported partly done (still followed up)
    revisit_on: date | None
    due: bool  # its revisit day has come


@dataclass(frozen=True)
class RotationLine:
    channel_id: str
    you_now: bool  # the person is on call now
    now_user: str | None
    now_until: datetime | None
    next_user: str | None
    next_from: datetime | None
    mine_from: datetime | None  # the person's own next shift (or current one)
    mine_until: datetime | None


@dataclass(frozen=True)
class ReportLine:
    channel_id: str
    weekday: int  # Monday = 0, in the report's zone
    at: time
    report_tz: str
    next_at: datetime | None  # the next delivery (None while paused)
    paused: bool
    owner: bool
    recipient: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class HomeLanguage:
    """The language selector: one's own choice (None: automatic) and Slack's locale, so
    that "Automatic" can say what it follows. Part of the digest: choosing republishes."""

    choice: str | None = None
    slack_locale: str | None = None

    @property
    def slack_code(self) -> str:
        """The locale's language ("ru-RU" → "ru"); the template shows it when it has one."""
        return (self.slack_locale or "").replace("_", "-").split("-")[0].lower()


@dataclass(frozen=True)
class HomeView:
    user_id: str
    tz: str
    today: date
    dailies: Part[DailyLine]
    actions: Part[ActionLine]
    rotations: Part[RotationLine]
    reports: Part[ReportLine]
    language: HomeLanguage = HomeLanguage()

    def digest(self) -> str:
        """Equal for equal views: publishing again is needed only when this changes."""
        return hashlib.sha256(repr(self).encode()).hexdigest()


def assemble(uow: HomeUnitOfWork, team_id: str, user_id: str, tz: str, now: datetime) -> HomeView:
    """The person's view at `now`, with dates and times in their zone `tz`."""
    today = now.astimezone(ZoneInfo(tz)).date()
    dailies = [_daily_line(d, now) for d in uow.daily_history.dailies_of(team_id, user_id)]
    dailies.sort(key=lambda line: _DAILY_ORDER.index(line.state))
    actions = [
        _action_line(a, tz, today) for a in uow.retro_history.open_actions_of(team_id, user_id)
    ]
    actions.sort(key=lambda a: not a.due)  # stable: the port's order (soonest revisit) stays
    rotations = [
        _rotation_line(r, user_id) for r in uow.oncall_history.rotations_of(team_id, user_id, now)
    ]
    rotations.sort(key=_rotation_rank)
    reports = [_report_line(r, now) for r in uow.weekly_history.reports_of(team_id, user_id)]
    known = uow.languages.person(team_id, user_id)
    return HomeView(
        user_id=user_id,
        tz=tz,
        today=today,
        dailies=_part(dailies, MAX_DAILIES),
        actions=_part(actions, MAX_ACTIONS),
        rotations=_part(rotations, MAX_ROTATIONS),
        reports=_part(reports, MAX_REPORTS),
        language=HomeLanguage(known.choice, known.slack_locale) if known else HomeLanguage(),
    )


def _part[T](lines: Sequence[T], limit: int) -> Part[T]:
    return Part(tuple(lines[:limit]), max(0, len(lines) - limit))


def _daily_line(daily: DailyOfPerson, now: datetime) -> DailyLine:
    """Today as the daily's participant sees it, in the zone it prompts them in."""
    today = now.astimezone(ZoneInfo(daily.tz)).date()
    if daily.paused:
        return DailyLine(daily.channel_id, PAUSED, None, None)
    if daily.prompt_date == today and daily.prompt_status in _FROM_PROMPT:
        state = _FROM_PROMPT[daily.prompt_status]
        return DailyLine(daily.channel_id, state, daily.prompt_id if state == OPEN else None, None)
    if today.weekday() not in daily.weekdays:
        return DailyLine(daily.channel_id, DAY_OFF, None, _next_prompt(daily, today))
    at = wall_clock_instant(daily.tz, today, daily.prompt_time)
    if now < at:
        return DailyLine(daily.channel_id, LATER, None, at)
    # Its time has passed without a prompt: a holiday, time away, or the bot is catching up.
    return DailyLine(daily.channel_id, NONE_TODAY, None, None)


def _next_prompt(daily: DailyOfPerson, today: date) -> datetime | None:
    for ahead in range(1, 8):
        day = today + timedelta(days=ahead)
        if day.weekday() in daily.weekdays:
            return wall_clock_instant(daily.tz, day, daily.prompt_time)
    return None


def _action_line(action: ActionOfPerson, tz: str, today: date) -> ActionLine:
    return ActionLine(
        action_id=action.action_id,
        channel_id=action.channel_id,
        text=action.text,
        retro_title=action.retro_title,
        chosen_on=action.chosen_at.astimezone(ZoneInfo(tz)).date(),
        partly=action.status != ACTION_OPEN,
        revisit_on=action.revisit_on,
        due=action.revisit_on is not None and action.revisit_on <= today,
    )


def _rotation_line(rotation: RotationOfPerson, user_id: str) -> RotationLine:
    now, following, mine = rotation.now, rotation.following, rotation.mine
    return RotationLine(
        channel_id=rotation.channel_id,
        you_now=now is not None and now.user_id == user_id,
        now_user=now.user_id if now else None,
        now_until=now.end if now else None,
        next_user=following.user_id if following else None,
        next_from=following.start if following else None,
        mine_from=mine.start if mine else None,
        mine_until=mine.end if mine else None,
    )


def _rotation_rank(line: RotationLine) -> tuple[bool, datetime, str]:
    """On call now first, then the soonest own shift."""
    never = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    return (not line.you_now, line.mine_from or never, line.channel_id)


def _report_line(report: ReportOfPerson, now: datetime) -> ReportLine:
    return ReportLine(
        channel_id=report.channel_id,
        weekday=report.weekday,
        at=report.at,
        report_tz=report.tz,
        next_at=None if report.paused else _next_weekly(report, now),
        paused=report.paused,
        owner=report.owner,
        recipient=report.recipient,
        sources=report.sources,
    )


def _next_weekly(report: ReportOfPerson, now: datetime) -> datetime:
    """The next delivery: its weekday and time in its zone, after `now` (within 8 days)."""
    today = now.astimezone(ZoneInfo(report.tz)).date()
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if day.weekday() == report.weekday:
            at = wall_clock_instant(report.tz, day, report.at)
            if at > now:
                return at
    return wall_clock_instant(report.tz, today + timedelta(days=7), report.at)

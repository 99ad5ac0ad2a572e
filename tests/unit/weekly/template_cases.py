"""Contexts for every weekly template, with hostile text wherever people write.

A big week: 40 people, 30 blockers (many long and stale, every one hostile), 50,000
characters of highlights, 15 decisions, 45 source channels, hostile names and risk texts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from ceremonies.daily.queries import DailyHistory
from ceremonies.oncall.queries import COVER, OVERRIDE, SCHEDULED, SWAP, OnCallHistory, ShiftSeen
from ceremonies.retro.queries import DONE, DROPPED, PARTLY, RetroHeld, RetroHistory
from ceremonies.weekly.report import SourceHistory, Submission, WeeklyReport, build_report
from ceremonies.weekly.risks import RiskSeen
from ceremonies.weekly.status import AT_RISK, ON_TRACK, Evidence, propose_status
from tests.unit.weekly.factories import (
    BERLIN,
    FRI,
    LONG_AGO,
    MON,
    THU,
    TUE,
    WED,
    WEEK,
    action,
    answered,
    silent,
    skipped,
    utc,
)

NASTY = "<!channel> & <b> @here <!subteam^S123|devs> <!everyone> <@U0MENTIONED> <@U001|person1>"
LONG = ("very long text " * 3400)[:50_000]
PEOPLE = tuple(f"U{n:03d}" for n in range(40))
NAMES = {
    user_id: f"Person {n} {NASTY if n % 7 == 0 else ''}".strip() for n, user_id in enumerate(PEOPLE)
}
CHANNELS = {"C1": "team-a", "C2": "team-b <!here>", "C3": "empty"}
WORKDAYS = (MON, TUE, WED, THU, FRI)
BEFORE = tuple(MON - timedelta(days=k) for k in (7, 6, 5, 4, 3))  # the previous week


def _days() -> tuple:
    days = []
    for n, user_id in enumerate(PEOPLE):
        blocked = n < 30
        # The first 10 have been blocked since the week before: stale, and old.
        span = BEFORE + WORKDAYS if n < 10 else WORKDAYS
        for day in span:
            if n % 9 == 8 and day in (TUE, WED):
                days.append(silent(user_id, day))
            elif n == 39:
                days.append(silent(user_id, day))  # 0 %
            elif n == 38 and day == THU:
                days.append(skipped(user_id, day))
            elif blocked and (n < 10 or day >= WED):
                text = f"{NASTY} {LONG[:3000]}" if n % 3 == 0 else f"blocked on {NASTY}"
                days.append(answered(user_id, day, text))
            else:
                days.append(answered(user_id, day))
    return tuple(days)


def at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


DAILY = DailyHistory("C1", PEOPLE, _days())
RETRO = RetroHistory(
    (RetroHeld(11, f"Sprint 48 {NASTY}", at(TUE, 13), at(TUE, 14)),),
    tuple(
        [
            action(1, at(TUE, 13)),
            action(2, utc(MON) - timedelta(days=21)),
            action(3, utc(MON) - timedelta(days=21), DONE, at(WED, 9), "yes"),
            action(4, utc(MON) - timedelta(days=21), DROPPED, at(THU, 9), "no"),
            action(5, utc(MON) - timedelta(days=21), PARTLY, at(THU, 9), None),
        ]
        + [action(10 + k, at(TUE, 13)) for k in range(30)]
    ),
)
# Hostile action texts and owners who are named, not mentioned.
RETRO = RetroHistory(
    RETRO.retros,
    tuple(
        replace(a, text=f"{a.text} {NASTY}", owner_id=PEOPLE[a.action_id % 40])
        for a in RETRO.actions
    ),
)
SHIFTS = (
    ShiftSeen("U001", utc(MON) - timedelta(days=7), at(MON, 9), SCHEDULED),
    ShiftSeen("U002", at(MON, 9), at(WED, 17), SCHEDULED),
    ShiftSeen("U003", at(WED, 17), at(THU, 7), OVERRIDE),
    ShiftSeen("U002", at(THU, 7), at(FRI, 9), SWAP),
    ShiftSeen("U000", at(FRI, 9), at(FRI, 9) + timedelta(days=7), COVER),
)
ONCALL = OnCallHistory(
    "C1",
    BERLIN,
    SHIFTS,
    (
        ShiftSeen(
            "U004", at(FRI, 9) + timedelta(days=7), at(FRI, 9) + timedelta(days=14), SCHEDULED
        ),
    ),
)


def _risk(number: int, p: int, c: int, before: tuple[int, int] | None, **kw: Any) -> RiskSeen:
    text = f"risk {number} {NASTY} " + "x" * 200
    return RiskSeen(
        number,
        text[:300],
        p,
        c,
        kw.get("owner"),
        kw.get("opened", LONG_AGO),
        kw.get("closed"),
        before,
    )


RISKS = (
    _risk(1, 3, 3, (3, 3), owner="U000"),
    _risk(2, 2, 3, None, opened=at(TUE, 10)),
    _risk(3, 2, 2, (1, 2), owner="U039"),
    _risk(4, 1, 2, (3, 3)),
    _risk(5, 1, 1, (1, 1), closed=at(WED, 10)),
    *(_risk(n, 1, 3, (1, 3)) for n in range(6, 30)),
)
SOURCES = (
    SourceHistory("C1", DAILY, RETRO, ONCALL),
    SourceHistory("C2", DailyHistory("C2", ("U001",), (silent("U001", MON),))),
    *(SourceHistory(f"C{n}") for n in range(3, 46)),
)
SUBMISSION = Submission(
    AT_RISK,
    highlights=LONG,
    plans=f"{NASTY}\n" * 400,
    decisions="\n".join(f"- decide {k} {NASTY} " + "y" * 280 for k in range(15)),
)
PREVIOUS = build_report(WEEK.previous(), SOURCES[:1], RISKS, submission=Submission(ON_TRACK))
REPORT: WeeklyReport = build_report(WEEK, SOURCES, RISKS, submission=SUBMISSION, previous=PREVIOUS)
PROPOSED: WeeklyReport = build_report(WEEK, SOURCES, RISKS)
QUIET: WeeklyReport = build_report(WEEK, (SourceHistory("C3"),))
SECTION = REPORT.sections[0]
ACKS = {0: list(PEOPLE), 3: ["U001"]}


@dataclass(frozen=True)
class Settings:
    channel_id: str = "C1"
    owner_id: str = "U000"
    tz: str = BERLIN
    weekday: int = 4
    at: time = time(16)
    sources: tuple[str, ...] = ("C1", "C2")
    recipients: tuple[str, ...] = ("U001", "U002")
    paused: bool = False
    next_delivery: datetime | None = datetime(2026, 12, 4, 15, tzinfo=UTC)


SETTINGS = Settings()
BARE = Settings(sources=(), recipients=(), paused=True, next_delivery=None)
BLOCKERS_PER_PAGE = 15
_pages = [
    SECTION.daily.blockers[k : k + BLOCKERS_PER_PAGE]
    for k in range(0, len(SECTION.daily.blockers), BLOCKERS_PER_PAGE)
]


def _daily_page(part: int, preview: bool = False) -> dict[str, Any]:
    return {
        "channel_id": "C1",
        "section": SECTION.daily,
        "blockers": _pages[part - 1],
        "part": part,
        "parts": len(_pages),
        "first": part == 1,
        "report_id": 7,
        "names": NAMES,
        "channels": CHANNELS,
        "preview": preview,
    }


COMMON = {"names": NAMES, "channels": CHANNELS}
WEEKLY_MESSAGES: dict[str, dict[str, Any]] = {
    "weekly/report": {
        "report": REPORT,
        **COMMON,
        "delivery_id": 42,
        "acks": ACKS,
        "preview": False,
        "has_details": True,
    },
    "weekly/report#proposed": {
        "report": PROPOSED,
        **COMMON,
        "delivery_id": 42,
        "acks": {},
        "preview": False,
        "has_details": True,
    },
    "weekly/report#preview": {
        "report": REPORT,
        **COMMON,
        "delivery_id": None,
        "acks": {},
        "preview": True,
        "has_details": False,
    },
    "weekly/report#quiet": {
        "report": QUIET,
        **COMMON,
        "delivery_id": 1,
        "acks": {},
        "preview": False,
        "has_details": False,
    },
    **{f"weekly/details_daily#{part}": _daily_page(part) for part in range(1, len(_pages) + 1)},
    "weekly/details_daily#preview": _daily_page(1, preview=True),
    "weekly/details_retro": {"channel_id": "C1", "section": SECTION.retro, **COMMON},
    "weekly/details_oncall": {"channel_id": "C1", "section": SECTION.oncall, **COMMON},
    "weekly/details_risks": {"risks": REPORT.risks, "names": NAMES},
    "weekly/details_risks#none": {"risks": (), "names": NAMES},
    "weekly/status_dm": {
        "report_id": 7,
        "week": WEEK,
        "proposal": PROPOSED.proposal,
        "delivery": WEEK.delivery,
        "tz": BERLIN,
        "channel_id": "C1",
        **COMMON,
    },
    "weekly/status_dm#on_track": {
        "report_id": 7,
        "week": WEEK,
        "proposal": propose_status(Evidence(WEEK)),
        "delivery": WEEK.delivery,
        "tz": "Asia/Tokyo",
        "channel_id": "C1",
        **COMMON,
    },
    **{
        f"weekly/settings_summary#{change}": {"settings": SETTINGS, "change": change, **COMMON}
        for change in ("started", "sources", "time", "recipients", "paused", "resumed", "settings")
    },
    "weekly/settings_summary#bare": {"settings": BARE, "change": "settings", **COMMON},
    "weekly/help": {},
    "weekly/risk_list": {
        "risks": tuple(m.risk for m in REPORT.risks if m.mark != "closed"),
        "names": NAMES,
    },
    "weekly/risk_list#empty": {"risks": (), "names": NAMES},
    **{
        f"weekly/risk_saved#{change}": {"risk": RISKS[0], "change": change, "names": NAMES}
        for change in ("added", "updated", "closed")
    },
    "weekly/acknowledged": {"decision": f"decide {NASTY}", "already": False},
    "weekly/acknowledged#again": {"decision": LONG, "already": True},
    "weekly/status_saved": {
        "week_label": "2026-W49",
        "status": "off_track",
        "channel_id": "C1",
        **COMMON,
    },
    "weekly/template_broken": {"template": "weekly/report.json.j2", "error": f"{NASTY} {LONG}"},
}
# Keys without "#": tests/unit/test_rendering.py can take these as they are
# (`VIEWS.update(WEEKLY_VIEWS)`); more contexts of the same views are in WEEKLY_VIEW_CASES.
WEEKLY_VIEWS: dict[str, dict[str, Any]] = {
    "weekly/status_modal": {
        "report_id": 7,
        "week_label": "2026-W49",
        "proposal_status": "at_risk",
        "submission": Submission("off_track", LONG, "&lt;b&gt; plans", "one\ntwo"),
        "channel_id": "C1",
        "channels": CHANNELS,
    },
    "weekly/settings_modal": {"settings": SETTINGS, "report_id": 7, "channel_id": "C1"},
}
WEEKLY_VIEW_CASES: dict[str, dict[str, Any]] = {
    **WEEKLY_VIEWS,
    "weekly/status_modal#fresh": {
        "report_id": 7,
        "week_label": "2026-W49",
        "proposal_status": "on_track",
        "submission": None,
        "channel_id": "C1",
        "channels": CHANNELS,
    },
    "weekly/settings_modal#bare": {"settings": BARE, "report_id": 7, "channel_id": "C1"},
}

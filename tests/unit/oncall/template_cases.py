"""Contexts for every on-call template, with hostile text where users write (notes)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from ceremonies.oncall.exchanges import CoverAsked, SwapAsked
from ceremonies.oncall.fairness import Load
from ceremonies.oncall.plan import Shift, Turn
from ceremonies.oncall.reports import History, Who
from ceremonies.oncall.rotation import RotationVersion
from ceremonies.oncall.setup import Settings
from ceremonies.oncall.turns import Turns

NASTY = "<!channel> & <b> @here"
LONG = "very long note " * 300
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
SHIFTS = [
    Shift(T0 + k * WEEK, T0 + (k + 1) * WEEK, f"U{k % 3}", reason)
    for k, reason in enumerate(["scheduled", "absence", "swap", "override", "cover", "scheduled"])
]
VERSION = RotationVersion(T0, ("U0", "U1", "U2"), "weekly", 0, time(10), "Europe/Berlin", True)
SETTINGS = Settings("C1", VERSION, VERSION, "DE", {"U1": "US"}, "oncall", SHIFTS)
TURN = Turn(T0, T0 + WEEK, "U1", "U1", "scheduled", False, Turns(("U0", "U1")))
SWAP = SwapAsked(1, "U1", "U2", "C1", "Europe/Berlin", TURN, TURN)
COVER = CoverAsked(2, "U1", "U1", "C1", "Europe/Berlin", T0, T0 + WEEK)


def _shift(user: str, late: bool = False) -> dict[str, Any]:
    return {
        "start": T0.isoformat(),
        "end": (T0 + WEEK).isoformat(),
        "user_id": user,
        "reason": "override",
        "previous_user_id": "U0",
        "uncovered": True,
        "late": late,
    }


HANDOFF = {
    "channel_id": "C1",
    "tz": "Europe/Berlin",
    "shift": _shift("U1", late=True),
    "uncovered": True,
    "notes": [{"user_id": "U0", "text": NASTY}, {"user_id": "U0", "text": LONG}],
    "missed": [_shift("U2")] * 3,
    "next": _shift("U2"),
}
ONCALL_MESSAGES: dict[str, dict[str, Any]] = {
    "oncall/help": {},
    **{
        f"oncall/settings#{change}": {"settings": SETTINGS, "change": change}
        for change in ("started", "handoff", "order")
    },
    "oncall/who": {"w": Who("C1", "Europe/Berlin", SHIFTS[0], SHIFTS[1]), "tz": "Asia/Kolkata"},
    "oncall/schedule": {"coming": SHIFTS * 8, "tz": "UTC", "channel_id": "C1"},
    "oncall/history": {
        "history": History("C1", "Europe/Berlin", 4, SHIFTS * 4, [Load("U1", 3, 21, 6, 2)]),
        "tz": "UTC",
    },
    "oncall/changed": {
        "what": "away",
        "user_id": "U1",
        "days": "2026-12-21..2027-01-03",
        "notified": ["U1", "U2"],
        "shift": SHIFTS[0],
        "tz": "UTC",
    },
    "oncall/calendar": {"url": "https://bot.example.com/oncall/abc.ics"},
    "oncall/handoff": HANDOFF,
    "oncall/handoff_dm": HANDOFF,
    "oncall/notice_ahead": {
        "channel_id": "C1",
        "tz": "UTC",
        "start": T0.isoformat(),
        "end": (T0 + WEEK).isoformat(),
    },
    "oncall/notice_changed": {
        "channel_id": "C1",
        "tz": "UTC",
        "by": "U1",
        "old": [[T0.isoformat(), (T0 + WEEK).isoformat()]],
        "new": [],
    },
    "oncall/swap_request": {"swap": SWAP},
    "oncall/swap_asked": {"swap": SWAP, "tz": "UTC"},
    "oncall/swap_answered": {"swap": SWAP, "accepted": True},
    "oncall/swap_done": {"swap": SWAP},
    "oncall/swap_declined": {"swap": SWAP},
    "oncall/cover_request": {"cover": COVER},
    "oncall/cover_taken": {"cover": COVER, "taker_id": "U2"},
    "oncall/cover_taken_dm": {"cover": COVER, "taker_id": "U2"},
}

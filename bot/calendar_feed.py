"""The on-call calendar feed: an iCalendar document of a rotation's shifts, by the library."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from ceremonies.core.i18n import N_
from ceremonies.core.ports import DeliveryError
from ceremonies.oncall import reports
from ceremonies.oncall.reports import Calendar as Shifts
from handlers.kit import Services

PRODID = "-//ceremony-bot//on-call//EN"
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Why a shift is not the scheduled one, as a calendar event says it.
_REASONS = {
    "override": N_("override"),
    "swap": N_("swap"),
    "cover": N_("cover"),
    "absence": N_("absence"),
}


def feed(shifts: Shifts, names: dict[str, str], now: datetime) -> bytes:
    """One VEVENT per shift in the rotation's zone (with its VTIMEZONE), stable UIDs."""
    zone = ZoneInfo(shifts.tz)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", N_("On call — #%(channel)s") % {"channel": shifts.channel_id})
    calendar.add("x-wr-timezone", shifts.tz)
    for shift in shifts.shifts:
        event = Event()
        name = names.get(shift.user_id, shift.user_id)
        # A shift is known by its rotation and start: an edited shift updates, never duplicates.
        event.add("uid", f"oncall-{shifts.rotation_id}-{shift.start:%Y%m%dT%H%M%SZ}@ceremony-bot")
        event.add("dtstamp", now)
        event.add("dtstart", shift.start.astimezone(zone))
        event.add("dtend", shift.end.astimezone(zone))
        if shift.reason == "scheduled":
            summary = N_("On call: %(name)s") % {"name": name}
        else:
            reason = _REASONS.get(shift.reason, shift.reason)
            summary = N_("On call: %(name)s (%(reason)s)") % {"name": name, "reason": reason}
        event.add("summary", summary)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_for(services: Services) -> Callable[[str], bytes | None]:
    """What GET /oncall/<secret>.ics serves: the feed, or None for a secret nobody has."""

    def serve(secret: str) -> bytes | None:
        if not _SECRET.fullmatch(secret):
            return None
        now = services.clock.now()
        shifts = reports.calendar(services.uow_factory, secret, now)
        if shifts is None:
            return None
        return feed(shifts, _names(services, shifts), now)

    return serve


def _names(services: Services, shifts: Shifts) -> dict[str, str]:
    names: dict[str, str] = {}
    for user_id in {s.user_id for s in shifts.shifts}:
        try:
            names[user_id] = services.chat.profile(shifts.team_id, user_id).name
        except DeliveryError:
            names[user_id] = user_id  # Slack unreachable: the feed still works, with ids
    return names

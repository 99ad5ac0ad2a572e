"""Home tab views for the rendering tests: full, empty, and as big as the view model lets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from ceremonies.home.view import (
    ANSWERED,
    DAY_OFF,
    LATER,
    MAX_ACTIONS,
    MAX_DAILIES,
    MAX_REPORTS,
    MAX_ROTATIONS,
    NONE_TODAY,
    OPEN,
    PAUSED,
    SKIPPED,
    ActionLine,
    DailyLine,
    HomeLanguage,
    HomeView,
    Part,
    ReportLine,
    RotationLine,
)

NASTY = "<!channel> & <b> @here"
LONG = "a very long action " * 400
MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 12, 7, 9, tzinfo=UTC)

DAILIES = [
    DailyLine("C1", OPEN, 7, None),
    DailyLine("C2", LATER, None, MONDAY),
    DailyLine("C3", ANSWERED, None, None),
    DailyLine("C4", SKIPPED, None, None),
    DailyLine("C5", DAY_OFF, None, NEXT_MONDAY),
    DailyLine("C6", NONE_TODAY, None, None),
    DailyLine("C7", PAUSED, None, None),
]
ACTION = ActionLine(3, "C1", NASTY, NASTY, date(2026, 11, 20), True, date(2026, 11, 30), True)
ROTATIONS = [
    RotationLine("C1", True, "U1", NEXT_MONDAY, "U2", NEXT_MONDAY, MONDAY, NEXT_MONDAY),
    RotationLine("C2", False, "U2", NEXT_MONDAY, "U1", NEXT_MONDAY, NEXT_MONDAY, NEXT_MONDAY),
    RotationLine("C3", False, None, None, None, None, None, None),
]
REPORT = ReportLine("C9", 4, time(16), "America/New_York", MONDAY, False, True, False, ("C1",))


def view(**parts: Any) -> HomeView:
    empty: Part[Any] = Part(())
    return HomeView(
        user_id="U1",
        tz="Europe/Berlin",
        today=date(2026, 11, 30),
        dailies=parts.get("dailies", empty),
        actions=parts.get("actions", empty),
        rotations=parts.get("rotations", empty),
        reports=parts.get("reports", empty),
        language=parts.get("language", HomeLanguage()),
    )


FULL = view(
    dailies=Part(tuple(DAILIES)),
    actions=Part((ACTION, ActionLine(4, "C2", LONG, "R", date(2026, 11, 1), False, None, False))),
    rotations=Part(tuple(ROTATIONS)),
    reports=Part((REPORT, ReportLine("C8", 0, time(9), "UTC", None, True, False, True, ()))),
)
BIGGEST = view(
    dailies=Part(tuple(DAILIES[0] for _ in range(MAX_DAILIES)), more=40),
    actions=Part(tuple(ACTION for _ in range(MAX_ACTIONS)), more=40),
    rotations=Part(tuple(ROTATIONS[0] for _ in range(MAX_ROTATIONS)), more=40),
    reports=Part(tuple(REPORT for _ in range(MAX_REPORTS)), more=40),
)
HOME_VIEWS: dict[str, dict[str, Any]] = {
    "home/home": {"home": FULL},
    "home/home#empty": {"home": view()},
    "home/home#biggest": {"home": BIGGEST},
    # The language selector: a choice made, Slack's language followed, one without a catalog.
    "home/home#chosen": {"home": view(language=HomeLanguage("ja", "ru-RU"))},
    "home/home#automatic": {"home": view(language=HomeLanguage(None, "ru-RU"))},
    "home/home#no_catalog": {"home": view(language=HomeLanguage(None, "de-DE"))},
}

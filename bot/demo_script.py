"""The demo's team and its week, as data: who does what, when, in their own time zone.

The week of Mon 23 Nov 2026 is chosen for Thanksgiving (Thu 26 Nov), a US public holiday:
the two New Yorkers have the daily's holidays of the US, so they are not asked that day.
Times are each person's local wall-clock time; prompts go out at 10:00 local, reminders at
12:00 local, and a day closes at 18:00 New York time (8 hours after the latest prompt).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta


@dataclass(frozen=True)
class Person:
    name: str
    real_name: str
    tz: str
    country: str | None = None


TEAM = (
    Person("anna", "Anna Berger", "Europe/Berlin"),
    Person("jonas", "Jonas Keller", "Europe/Berlin"),
    Person("ben", "Ben Carter", "America/New_York", country="US"),
    Person("maria", "Maria Lopez", "America/New_York", country="US"),
    Person("chitra", "Chitra Rao", "Asia/Kolkata"),
)
OWNER = "anna"

SETUP_DAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)
WEEK = tuple(MONDAY + timedelta(days=n) for n in range(5))
MON, TUE, WED, THU, FRI = WEEK


@dataclass(frozen=True)
class Act:
    """Something one person does at a local time. Texts may mention people as ``{ben}``."""

    who: str
    day: date
    at: time


@dataclass(frozen=True)
class Answer(Act):
    texts: tuple[str, ...] = ()
    form: bool = False  # through the prompt's "Answer in a form" button instead of DM replies


@dataclass(frozen=True)
class Command(Act):
    text: str = ""  # what follows `/daily`, typed in the team channel


@dataclass(frozen=True)
class Edit(Act):
    """Edits one of the person's DM replies of ``answers_of`` (by question position)."""

    answers_of: date = MONDAY
    position: int = 0
    text: str = ""


@dataclass(frozen=True)
class Day:
    day: date
    acts: list[Act] = field(default_factory=list)
    story: str = ""


def _a(who: str, day: date, hh: int, mm: int, *texts: str, form: bool = False) -> Answer:
    return Answer(who, day, time(hh, mm), texts=texts, form=form)


def _c(who: str, day: date, hh: int, mm: int, text: str) -> Command:
    return Command(who, day, time(hh, mm), text=text)


SETUP = Day(
    SETUP_DAY,
    [
        _c("anna", SETUP_DAY, 20, 0, "start"),
        _c("anna", SETUP_DAY, 20, 2, "country US {ben}"),
        _c("anna", SETUP_DAY, 20, 3, "country US {maria}"),
    ],
    "Sunday evening: anna sets up the daily in #team and gives ben and maria the US holidays.",
)

DAYS = (
    Day(
        MON,
        [
            _a(
                "chitra",
                MON,
                10,
                12,
                "Reviewed the payment API spec",
                "Start the billing export",
                "none",
            ),
            _a("anna", MON, 10, 4, "Planned the sprint", "CSV importer", "no"),
            _a(
                "jonas",
                MON,
                10,
                31,
                "Fixed the flaky login test",
                "Pair with anna on the importer",
                "-",
                form=True,
            ),
            _a(
                "ben",
                MON,
                10,
                20,
                "On-call handover notes",
                "Dashboards for the billing export",
                "nope",
            ),
            _a("maria", MON, 11, 5, "Customer call with ACME", "Write the release notes", "none"),
        ],
        "Everyone answers; jonas uses the form.",
    ),
    Day(
        TUE,
        [
            _a(
                "chitra",
                TUE,
                10,
                8,
                "Started the billing export",
                "Finish the export job",
                "Waiting for the staging database credentials from {ben}",
            ),
            _a("anna", TUE, 10, 3, "CSV importer, first version", "Tests for the importer", "no"),
            Edit(
                "anna",
                TUE,
                time(11, 40),
                answers_of=TUE,
                position=1,
                text="Tests for the importer, then review jonas' pull request",
            ),
            _a(
                "jonas",
                TUE,
                10,
                15,
                "Paired with anna on the importer",
                "Release checklist",
                "none",
            ),
            _a(
                "maria",
                TUE,
                10,
                10,
                "Release notes & changelog <draft>",
                "Plan the holiday on-call",
                "nothing",
            ),
            _c("maria", TUE, 11, 0, "status"),
            _a(
                "ben",
                TUE,
                19,
                30,
                "Dashboards are live",
                "Send chitra the staging credentials",
                "no",
            ),
        ],
        "chitra is blocked; anna edits an answer; ben is reminded at noon and answers at 19:30, "
        "after the day closed at 18:00 New York time: a late answer.",
    ),
    Day(
        WED,
        [
            _a("chitra", WED, 10, 20, "Billing export job done", "Load test the export", "none"),
            _a("anna", WED, 10, 6, "Importer tests", "Review jonas' pull request", "no"),
            _a(
                "ben",
                WED,
                10,
                25,
                "Sent the staging credentials",
                "Prepare the Friday deploy",
                "The deploy freeze needs a go from {maria}",
            ),
            _a(
                "maria",
                WED,
                10,
                40,
                "Holiday on-call plan",
                "Approve the deploy for ben",
                "no",
                form=True,
            ),
        ],
        "jonas never answers: one reminder at noon, and the day closes without him.",
    ),
    Day(
        THU,
        [
            _a("chitra", THU, 10, 5, "Load test: 2k rows/s", "Tune the export batch size", "none"),
            _a("anna", THU, 10, 2, "Reviewed jonas' pull request", "Importer error messages", "no"),
            _a(
                "jonas",
                THU,
                10,
                30,
                "Sorry, was out yesterday",
                "Release checklist, part 2",
                "none",
            ),
            _c("anna", THU, 16, 30, "status"),
        ],
        "Thanksgiving: ben and maria (US holidays) are not asked; anna checks the status.",
    ),
    Day(
        FRI,
        [
            _a("chitra", FRI, 10, 15, "Tuned the export", "Write the runbook", "none"),
            _a("anna", FRI, 10, 1, "Importer error messages", "Demo the importer", "no"),
            _a("jonas", FRI, 10, 12, "Release checklist done", "Cut the release", "no"),
            _a("ben", FRI, 10, 45, "Back from the holiday, caught up", "Friday deploy", "none"),
            _a("maria", FRI, 10, 30, "Approved the deploy", "Weekly report", "no"),
            _c("maria", FRI, 16, 0, "history {chitra} 5 days"),
        ],
        "Everyone answers; maria looks at chitra's week with /daily history.",
    ),
)

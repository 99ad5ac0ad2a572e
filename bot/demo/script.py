"""The demo's team and its week, as data: who does what, when, in their own time zone.

The week of Mon 23 Nov 2026 is chosen for Thanksgiving (Thu 26 Nov), a US public holiday:
the two New Yorkers have the daily's holidays of the US, so they are not asked that day.
Times are each person's local wall-clock time; prompts go out at 10:00 local, reminders at
12:00 local, and a day closes at 18:00 New York time (8 hours after the latest prompt).

On Friday afternoon jonas runs the week's retro in a thread of #team; the demo then follows
its actions: early reports on Monday and Tuesday, the revisit DM two weeks after the retro
(Fri 11 Dec) and the review at the start of the next retro that same afternoon.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.demo.acts import Act, Answer, Command, Day, Edit, FormItem, Item, Person, Press, Rate

TEAM = (
    Person("anna", "Anna Berger", "Europe/Berlin"),
    Person("jonas", "Jonas Keller", "Europe/Berlin"),
    Person("ben", "Ben Carter", "America/New_York", country="US"),
    Person("maria", "Maria Lopez", "America/New_York", country="US"),
    Person("chitra", "Chitra Rao", "Asia/Kolkata"),
)
OWNER = "anna"
CHANNEL_NAME = "team"  # the team's channel, where the daily and the retros run

SETUP_DAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)
WEEK = tuple(MONDAY + timedelta(days=n) for n in range(5))
MON, TUE, WED, THU, FRI = WEEK


def _a(who: str, day: date, hh: int, mm: int, *texts: str, form: bool = False) -> Answer:
    return Answer(who, day, time(hh, mm), texts=texts, form=form)


def _c(who: str, day: date, hh: int, mm: int, text: str) -> Command:
    return Command(who, day, time(hh, mm), text=text)


def _r(who: str, day: date, hh: int, mm: int, text: str) -> Command:
    return Command(who, day, time(hh, mm), text=text, slash="/retro")


def _o(who: str, day: date, hh: int, mm: int, text: str) -> Command:
    return Command(who, day, time(hh, mm), text=text, slash="/oncall")


def _w(who: str, day: date, hh: int, mm: int, text: str) -> Command:
    return Command(who, day, time(hh, mm), text=text, slash="/weekly")


def _i(who: str, day: date, hh: int, mm: int, text: str) -> Item:
    return Item(who, day, time(hh, mm), text=text)


SETUP = Day(
    SETUP_DAY,
    [
        _c("anna", SETUP_DAY, 20, 0, "start"),
        _c("anna", SETUP_DAY, 20, 2, "country US {ben}"),
        _c("anna", SETUP_DAY, 20, 3, "country US {maria}"),
        _o("anna", SETUP_DAY, 20, 5, "start {anna} {ben} {chitra}"),
        _o("anna", SETUP_DAY, 20, 6, "usergroup {oncall}"),
        _w("anna", SETUP_DAY, 20, 8, "start"),
        _w("anna", SETUP_DAY, 20, 9, "recipients {jonas}"),
        _w("anna", SETUP_DAY, 20, 10, "risk add The vendor API may slip past the release p=2 c=3"),
    ],
    "Sunday evening: anna sets up the daily in #team and gives ben and maria the US holidays. "
    "She also starts the team's on-call rotation (anna, ben, chitra; weekly, handing over on "
    "Monday at 10:00 Berlin time) and ties the @oncall user group to it. ben's shift starts "
    "in less than a day, so he gets his heads-up at once. Then she starts the weekly report "
    "of #team (Fridays at 16:00, her time), sends a copy to jonas, and adds a first risk.",
)

# ---- the retro of Friday 27 Nov ---------------------------------------------------------------
# Improvement items by a word of their text, and each person's (importance, complexity) for them.
RATINGS = {
    "review": {"anna": (5, 1), "jonas": (4, 2), "ben": (4, 1), "maria": (4, 2), "chitra": (5, 2)},
    "vault": {"anna": (4, 2), "jonas": (3, 2), "ben": (3, 2), "maria": (4, 3), "chitra": (5, 2)},
    "DMs": {"anna": (3, 1), "jonas": (4, 1), "ben": (3, 1), "maria": (3, 1), "chitra": (4, 1)},
    "automate": {"anna": (5, 5), "jonas": (5, 5), "ben": (4, 2), "maria": (4, 5), "chitra": (5, 4)},
    "notes": {"anna": (3, 2), "jonas": (2, 2), "ben": (3, 2), "maria": (4, 2), "chitra": (2, 2)},
    "freeze": {"anna": (5, 3), "jonas": (5, 3), "ben": (5, 2), "maria": (4, 3), "chitra": (4, 3)},
}


def _rate(who: str, hh: int, mm: int) -> Rate:
    ratings = tuple((word, *marks[who]) for word, marks in RATINGS.items())
    return Rate(who, FRI, time(hh, mm), ratings=ratings)


RETRO_WEEK_48: tuple[Act, ...] = (
    _r("jonas", FRI, 15, 0, "start Week 48"),
    _i("jonas", FRI, 15, 2, "+ The release checklist is written down at last"),
    _i("anna", FRI, 15, 4, "+ Pairing on the importer: two days of work in one"),
    _i("anna", FRI, 15, 5, "Pull requests wait days for a review: let's review them before lunch"),
    _i("chitra", FRI, 19, 38, "+ The load test found the batch size problem before production"),
    _i(
        "chitra",
        FRI,
        19,
        40,
        "The staging credentials took a day to reach me: keep them in the team vault",
    ),
    FormItem(
        "chitra",
        FRI,
        time(19, 45),
        text="Decisions get made in DMs and half of us miss them: post them in the channel",
        anonymous=True,
    ),
    _i("jonas", FRI, 15, 20, "A release takes a whole day by hand: automate the release checklist"),
    _i("maria", FRI, 10, 50, "+ The holiday on-call plan worked: a quiet Thanksgiving"),
    _i(
        "maria",
        FRI,
        10,
        52,
        "Release notes are written at the last minute: draft them in the sprint",
    ),
    _i(
        "ben", FRI, 11, 0, "Nobody knows the deploy freeze rules: write them down, with who says go"
    ),
    _r("jonas", FRI, 17, 10, "rate"),
    _rate("anna", 17, 12),
    _rate("jonas", 17, 14),
    _rate("ben", 11, 16),
    _rate("maria", 11, 18),
    _rate("chitra", 21, 50),
    _r("jonas", FRI, 17, 25, "pick"),
    # chitra's blocker cost a day this week: the team takes the vault over the simplest item.
    _r("jonas", FRI, 17, 28, "swap 3 {#vault}"),
    _r("jonas", FRI, 17, 30, "close"),
    _r("jonas", FRI, 17, 31, "owner 1 {anna}"),
    _r("jonas", FRI, 17, 32, "owner 2 {maria}"),
    _r("jonas", FRI, 17, 33, "owner 3 {ben}"),
    _r("jonas", FRI, 17, 35, "close"),
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
        "Everyone answers; jonas uses the form. At 10:00 Berlin time anna hands on-call over "
        "to ben: the channel is told, ben gets a DM, and @oncall now means ben.",
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
            _o("chitra", WED, 10, 30, "swap {anna}"),
            # The request that mentions chitra (a mention reads the same in every language).
            Press("anna", WED, time(9, 45), button="oncall_swap_accept", action="<@uchitra"),
        ],
        "jonas never answers: one reminder at noon, and the day closes without him. chitra "
        "asks anna to swap their next on-call shifts; anna accepts from the DM, and both "
        "are told what moved.",
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
            _o("jonas", THU, 15, 0, "who"),
        ],
        "Thanksgiving: ben and maria (US holidays) are not asked; anna checks the status; "
        "jonas asks who is on call over the holiday.",
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
            *RETRO_WEEK_48,
        ],
        "Everyone answers; maria looks at chitra's week with /daily history. At 14:00 anna "
        "gets the status DM with the proposed status and why; she leaves it, so at 16:00 the "
        "weekly report goes out with the proposal, its details in the thread and the chart, "
        "and jonas gets his copy.",
        retro_story="Afternoon: jonas runs the retro “Week 48” in a thread of #team; "
        "chitra adds one item anonymously; everyone rates; three actions get their owners.",
    ),
)

SUNDAY_AFTER = date(2026, 11, 29)
MON_AFTER, TUE_AFTER = date(2026, 11, 30), date(2026, 12, 1)
REVISIT_DAY = date(2026, 12, 11)  # the retro closed on Fri 27 Nov; owners are asked 14 days on

FOLLOW_UP = (
    Day(
        SUNDAY_AFTER,
        [
            _c("anna", SUNDAY_AFTER, 20, 0, "pause"),
            _r("anna", MON_AFTER, 9, 30, "actions"),
            Press("anna", MON_AFTER, time(9, 31), button="retro_status_done", action="review"),
            _r("maria", TUE_AFTER, 11, 0, "actions"),
            Press("maria", TUE_AFTER, time(11, 1), button="retro_status_partly", action="freeze"),
        ],
        "The next week's first days. From here the demo follows the retro only, so anna "
        "pauses the daily on Sunday evening (`/daily resume` brings it back). On Monday anna "
        "reports her action done and, after the swap, takes on-call over from ben; on "
        "Tuesday maria reports her action partly done.",
        begin=datetime(2026, 11, 29, 18, 0, tzinfo=UTC),
        end=datetime(2026, 12, 2, 0, 0, tzinfo=UTC),
    ),
    Day(
        REVISIT_DAY,
        [
            Press("ben", REVISIT_DAY, time(10, 20), button="retro_status_done", action="vault"),
            Press("ben", REVISIT_DAY, time(10, 21), button="retro_helped_yes", action="vault"),
            Press(
                "maria", REVISIT_DAY, time(10, 40), button="retro_helped_somewhat", action="freeze"
            ),
            _o("anna", REVISIT_DAY, 9, 0, "history"),
            _r("jonas", REVISIT_DAY, 17, 30, "start Week 50"),
            _i(
                "anna",
                REVISIT_DAY,
                17,
                34,
                "+ Reviews before lunch: no pull request waited overnight",
            ),
            _i(
                "maria",
                REVISIT_DAY,
                11,
                50,
                "Still unsure about the deploy freeze rules: who says go?",
            ),
            _i("chitra", REVISIT_DAY, 22, 10, "+ The staging credentials are in the vault now"),
        ],
        "Two weeks after the retro. With the daily paused, the demo skips the ticks in "
        "between, as if the bot had been down: the on-call handoff of Monday 7 Dec (anna to "
        "chitra, as swapped) is posted late, once, at the first tick. "
        "anna looks at the on-call history. At 10:00 their time ben (action still open) "
        "and maria (partly done) get the revisit DM; jonas starts the next retro, whose first "
        "reply reviews Week 48's actions, and an item that came up before is recognised.",
        begin=datetime(2026, 12, 11, 0, 0, tzinfo=UTC),
        end=datetime(2026, 12, 11, 18, 0, tzinfo=UTC),
    ),
)

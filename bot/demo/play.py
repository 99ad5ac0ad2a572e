"""`python app.py demo`: a team of five in three time zones plays a week with the real bot.

The real Bolt app runs behind the real HTTP server, with the real services and database (the
DATABASE_URL setting, so the history stays there), against the local stand-in for Slack;
people act through signed requests and the bot's clock is moved through the week, each
15-minute tick running the same `run_due` as `python app.py run-due`. No token, no network.
The week ends with a retro, whose actions the demo follows into the next weeks.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import textwrap
import time as wallclock
import traceback
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy.exc import OperationalError

from bot.demo.acts import Act, Answer, Command, Day, Edit, is_retro
from bot.demo.history import (
    charts_at,
    earlier_runs,
    history_at,
    other_workspaces,
    stored_counts,
)
from bot.demo.render import Keep, Printer, Timeline
from bot.demo.retro import RetroPlayer
from bot.demo.script import CHANNEL_NAME, DAYS, FOLLOW_UP, OWNER, SETUP, TEAM
from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.server import FakeSlack
from bot.settings import ConfigurationError, load_settings

TICK = timedelta(minutes=15)
# A day's section runs from before Kolkata's morning to after New York's evening.
DAY_STARTS_AT_UTC = timedelta(hours=2)
FORM_BUTTON = "daily_answer_form"
ITEM_NUMBER = re.compile(r"\{#(\w+)\}")


def _run_tag() -> str:
    """A fresh suffix per run, so each run's channel and people are new to the database."""
    n, digits = wallclock.time_ns() // 1_000_000, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


class Player(RetroPlayer):
    """Plays the script against the running bot and prints each day as it ends."""

    def __init__(
        self,
        bot: Bot,
        tag: str,
        charts: Path,
        earlier: Sequence[str] = (),
        locale: str = "en-US",
    ) -> None:
        self.bot = bot
        self.slack: FakeSlack = bot.slack
        # Person ids change per run too: a DM reply belongs to the latest prompt sent to
        # that person, and a previous run's Friday would otherwise be "later" than Monday.
        self.ids = {p.name: f"U{p.name.upper()}{tag}" for p in TEAM}
        self.people = {p.name: p for p in TEAM}
        self.channel = f"C{tag}"
        for person in TEAM:
            self.slack.add_user(
                self.ids[person.name],
                person.name,
                person.tz,
                real_name=person.real_name,
                locale=locale,
            )
        self.slack.add_channel(self.channel, CHANNEL_NAME, list(self.ids.values()))
        # The team's on-call user group, which the rotation keeps set to whoever is on call.
        group = self.slack.add_usergroup(f"oncall-{tag.lower()}", f"On-call {tag}")
        self.oncall_group, self.oncall_handle = group.id, group.handle
        for run in earlier:  # see bot.demo_history.earlier_runs
            for person in TEAM:
                self.slack.add_user(
                    f"U{person.name.upper()}{run}", f"{person.name}-{run}", person.tz
                )
        self.timeline = Timeline(self.slack.ws, bot.clock.now())
        self.printer = Printer(self.slack.ws, self.timeline, self.channel)
        self.replies: dict[tuple[str, date], list[tuple[str, str]]] = {}
        self.failures: list[str] = []
        self.retro_spans: list[tuple[int, int]] = []  # see RetroPlayer
        self.charts = charts

    # ---- the script -----------------------------------------------------------------------
    def instant(self, act: Act) -> datetime:
        zone = ZoneInfo(self.people[act.who].tz)
        return datetime.combine(act.day, act.at, zone).astimezone(UTC)

    def fill(self, text: str) -> str:
        text = ITEM_NUMBER.sub(lambda m: str(self.item_number(m.group(1))), text)
        names = {name: f"<@{uid}|{name}>" for name, uid in self.ids.items()}
        group = f"<!subteam^{self.oncall_group}|@{self.oncall_handle}>"
        return text.format(**names, oncall=group)

    def play(self, day: Day, start: datetime, end: datetime) -> None:
        first = self.timeline.mark(start)
        steps: list[tuple[datetime, int, Act | None]] = []
        at = start
        while at < end:
            steps.append((at, 0, None))
            at += TICK
        # An act at a tick's minute happens after that tick, as a person reacts to it.
        steps += [(self.instant(act), 1, act) for act in day.acts]
        try:
            for now, _, act in sorted(steps, key=lambda s: (s[0], s[1])):
                self.bot.clock.current = now
                if act is None:
                    self.timeline.mark(now)
                    report = self.bot.tick(now)
                    self.failures += report.failures
                    if report["daily"].days_closed:
                        self.timeline.note(
                            now,
                            self.channel,
                            "— the day closes: the bot "
                            "updates its message at the top of the thread —",
                        )
                elif is_retro(act):
                    self.retro(act, now)
                else:
                    self.do(act, now)
        finally:
            # Also when the bot got stuck: what happened until then is the best clue.
            last = self.timeline.mark(end)
            if day.retro_story:
                spans = list(self.retro_spans)

                def in_retro(seq: int) -> bool:
                    return any(a <= seq < b for a, b in spans)

                self.show(day, day.story, lambda q: first <= q < last and not in_retro(q))
                self.show(day, day.retro_story, lambda q: first <= q < last and in_retro(q))
            else:
                self.show(day, day.story, lambda q: first <= q < last)

    def do(self, act: Act, now: datetime) -> None:
        uid = self.ids[act.who]
        if isinstance(act, Command):
            self.command(uid, self.fill(act.text), now, act.slash)
        elif isinstance(act, Answer) and act.form:
            self.answer_in_form(uid, [self.fill(t) for t in act.texts], now)
        elif isinstance(act, Answer):
            cards = self.cards(uid)
            sent = []
            for minute, text in enumerate(act.texts):
                # A person types one reply a minute; the bot's clock follows them.
                self.bot.clock.current = now + timedelta(minutes=minute)
                self.timeline.mark(self.bot.clock.current)
                sent.append(self.reply(uid, self.fill(text)))
            self.replies[(act.who, act.day)] = sent
            self.wait_for_thread(uid, cards)
        elif isinstance(act, Edit):
            ts, was = self.replies[(act.who, act.answers_of)][act.position]
            text = self.fill(act.text)
            self.timeline.note(now, uid, f"(edits their reply “{was}” to “{text}”)")
            self.bot.driver.edit(uid, uid, ts, text)
            self.slack.wait_for(lambda: any(text in str(m) for m in self.thread_messages()))
            self.settle()

    def reply(self, uid: str, text: str) -> tuple[str, str]:
        before = len(self.bot_dms(uid))
        ts = self.bot.driver.dm(uid, text)
        # The bot answers every reply (next question or thanks): wait before the next one.
        self.slack.wait_for(lambda: len(self.bot_dms(uid)) > before)
        return ts, text

    def answer_in_form(self, uid: str, texts: list[str], now: datetime) -> None:
        cards = self.cards(uid)
        prompt = next(m for m in reversed(self.bot_dms(uid)) if FORM_BUTTON in str(m))
        self.timeline.note(now, uid, "(clicks [Answer in a form])")
        self.bot.driver.click(uid, prompt, FORM_BUTTON)
        (view,) = self.slack.wait_for(lambda: self.slack.open_views(uid))
        self.timeline.note(now, uid, "(fills in the form and clicks [Post answers])")
        values = {f"q{i}": {"answer": text} for i, text in enumerate(texts)}
        self.bot.driver.submit(uid, view["id"], values)
        self.wait_for_thread(uid, cards)

    def command(self, uid: str, text: str, now: datetime, slash: str = "/daily") -> None:
        self.timeline.note(now, uid, f"{slash} {text}   (typed in #{CHANNEL_NAME})")
        shown = len(self.slack.ephemerals(uid)) + len(self.slack.messages(self.channel))
        self.bot.driver.command(uid, self.channel, slash, text)
        self.slack.wait_for(
            lambda: len(self.slack.ephemerals(uid)) + len(self.slack.messages(self.channel)) > shown
        )

    # ---- the retro ------------------------------------------------------------------------
    # ---- waiting for the bot --------------------------------------------------------------
    def bot_dms(self, uid: str) -> list[dict[str, object]]:
        return [m for m in self.slack.dm_messages(uid) if m.get("bot_id")]

    def thread_messages(self) -> list[dict[str, object]]:
        return self.slack.messages(self.channel, include_replies=True)

    def cards(self, uid: str) -> int:
        """How many sets of answers of this person the team thread holds (found by their
        metadata and mention, not their words: the demo plays in any language)."""
        mention = f"<@{uid}>"
        return sum(
            (m.get("metadata") or {}).get("event_type") == "ceremony_daily_answers"  # type: ignore[union-attr]
            and mention in str(m.get("text", ""))
            for m in self.thread_messages()
        )

    def wait_for_thread(self, uid: str, before: int) -> None:
        """Until the person's answers are in the thread and the bot stopped calling Slack.

        The next tick must not start while the bot is still publishing: the simulated clock
        jumps minutes ahead, so its claim on the post would look abandoned to that tick.
        """
        self.slack.wait_for(lambda: self.cards(uid) > before)
        self.settle()

    def settle(self, quiet: float = 0.05) -> None:
        # Follow-ups such as a parent message update come after the reply; no sleep-and-hope.
        def quiet_now() -> bool:
            seen = len(self.slack.calls)
            wallclock.sleep(quiet)
            return self.bot.runtime.idle() and len(self.slack.calls) == seen

        self.slack.wait_for(quiet_now)

    # ---- printing -------------------------------------------------------------------------
    def show(self, day: Day, story: str, keep: Keep) -> None:
        title = day.day.strftime("%a %d %b %Y")
        if day.end is not None and (day.end - timedelta(minutes=1)).date() != day.day:
            title += (day.end - timedelta(minutes=1)).strftime(" – %a %d %b %Y")
        print(self.printer.heading(textwrap.fill(f"{title} — {story}", 78)))
        self.printer.new_section()
        for person in TEAM:
            holiday = (
                holidays.country_holidays(person.country).get(day.day) if (person.country) else None
            )
            extra = f", public holiday: {holiday}" if holiday else ""
            print(f"\n{person.name} ({person.real_name}, {person.tz}{extra}) saw:")
            entries = self.printer.person_entries(self.ids[person.name], keep)
            lines = self.printer.format(entries, person.tz, day.day)
            print("\n".join(lines) if lines else "  (nothing from ceremony-bot)")
        entries = self.printer.channel_entries(keep)
        print(f"\n#{CHANNEL_NAME}, seen by everyone (times in UTC):")
        lines = self.printer.format(entries, "UTC", day.day)
        print("\n".join(lines) if lines else "  (nothing new)")


class _Logged(logging.Handler):
    """Collects what the bot logs as an error: a listener that failed after its ack shows
    nothing in Slack, so the demo would otherwise look fine while something broke."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(f"logged {record.levelname} by {record.name}: {record.getMessage()}")


def _utf8_stdout() -> None:
    # The transcript has emoji and dashes; a legacy console must not crash the demo.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure and (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(errors="replace")


SLACK_LOCALES = {"en": "en-US", "ru": "ru-RU", "ja": "ja-JP"}


def run_demo(lang: str | None = None) -> int:
    if lang is not None:  # checked as DEFAULT_LOCALE is: a language with a catalog
        os.environ["DEFAULT_LOCALE"] = lang
    settings = load_settings()
    _utf8_stdout()
    try:
        others = other_workspaces(settings.database_url)
    except OperationalError as error:
        raise ConfigurationError(f"DATABASE_URL: cannot open the database ({error.orig})") from None
    if others:
        raise ConfigurationError(
            f"DATABASE_URL holds the history of workspace {others[0]}; the demo plays its "
            "scripted weeks only in a database of its own (e.g. DATABASE_URL=sqlite:///demo.db)"
        )
    began = wallclock.monotonic()
    start = datetime.combine(SETUP.day, SETUP.acts[0].at, ZoneInfo(TEAM[0].tz)).astimezone(UTC)
    print(
        "ceremony-bot demo: a team of five in Berlin, New York and Kolkata plays the week of "
        "Mon 23 Nov 2026\nagainst a local stand-in for Slack (no token, no network). "
        f"{OWNER} owns the daily."
    )
    logged = _Logged()
    logging.getLogger().addHandler(logged)
    player: Player | None = None
    try:
        with (
            FakeSlack() as slack,
            tempfile.TemporaryDirectory() as scratch,
            running_bot(
                slack,
                Path(scratch),
                start,
                database_url=settings.database_url,
                default_locale=settings.default_locale,
            ) as bot,
        ):
            earlier, paused = earlier_runs(bot, start)
            if paused:
                note = (
                    f"(The daily of {paused} of the {len(earlier)} earlier runs of the demo in "
                    "this database was still running: paused now, as `/daily pause` would, "
                    "or its prompts would come back in this run's next weeks.)"
                )
                print(textwrap.fill(note, 100))
            # `--lang ru`: the team's Slack language is Russian, so the bot speaks it to them.
            locale = SLACK_LOCALES.get(settings.default_locale, "en-US")
            charts = charts_at(settings.database_url)
            player = Player(bot, _run_tag(), charts, earlier, locale=locale)
            try:
                play_week(player, start)
            except TimeoutError as error:
                player.failures.append(f"the bot did not react in time: {error}")
            except Exception as error:
                # The summary and where the history is still matter; the trace goes to stderr.
                traceback.print_exc()
                player.failures.append(f"the demo stopped: {error!r}")
            answers, total, dailies, retros, items = stored_counts(bot, player.channel)
    except OperationalError as error:
        if player is not None:
            raise
        # As for `serve`: a database that cannot be opened is a setting to fix, not a crash.
        raise ConfigurationError(f"DATABASE_URL: cannot open the database ({error.orig})") from None
    finally:
        logging.getLogger().removeHandler(logged)
    assert player is not None  # the block above either made it or raised
    player.failures += logged.errors
    print(f"\n{'─' * 78}")
    print(
        f"Stored {answers} answers for #{CHANNEL_NAME} ({player.channel}); the database now "
        f"holds {total} answers of {dailies} {'daily' if dailies == 1 else 'dailies'} "
        "(each run of the demo adds one);\n"
        f"and {retros} retros with {items} items for #{CHANNEL_NAME}."
    )
    print(
        f"Slack stand-in: {len(slack.violations)} violations of Slack's contracts; "
        f"{len(slack.calls)} Web API calls; failures: {len(player.failures)}; "
        f"{wallclock.monotonic() - began:.1f} s."
    )
    for problem in [*slack.violations, *player.failures]:
        print(f"  ! {problem}")
    print(f"History stored in {history_at(settings.database_url)}")
    return 1 if slack.violations or player.failures else 0


def play_week(player: Player, start: datetime) -> None:
    monday = datetime.combine(DAYS[0].day, datetime.min.time(), UTC) + DAY_STARTS_AT_UTC
    player.play(SETUP, start, monday)
    for day in (*DAYS, *FOLLOW_UP):
        begin = day.begin or datetime.combine(day.day, datetime.min.time(), UTC) + DAY_STARTS_AT_UTC
        player.play(day, begin, day.end or begin + timedelta(days=1))

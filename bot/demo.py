"""`python app.py demo`: a team of five in three time zones plays a week with the real bot.

The real Bolt app runs behind the real HTTP server, with the real services and database (the
DATABASE_URL setting, so the history stays there), against the local stand-in for Slack;
people act through signed requests and the bot's clock is moved through the week, each
15-minute tick running the same `run_due` as `python app.py run-due`. No token, no network.
The week ends with a retro, whose actions the demo follows into the next weeks.
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
import textwrap
import time as wallclock
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.demo_render import Keep, Printer, Timeline
from bot.demo_script import (
    DAYS,
    FOLLOW_UP,
    OWNER,
    SETUP,
    TEAM,
    Act,
    Answer,
    Command,
    Day,
    Edit,
    FormItem,
    Item,
    Press,
    Rate,
    is_retro,
)
from bot.settings import ConfigurationError, load_settings
from bot.standin.harness import Bot, running_bot
from bot.standin.models import BOT_USER_ID, TEAM_ID
from bot.standin.server import FakeSlack
from ceremonies.daily_setup import change_daily
from storage.models import Answer as AnswerRow
from storage.models import Daily, Participant, Prompt
from storage.models_retro import Retro, RetroItem

TICK = timedelta(minutes=15)
# A day's section runs from before Kolkata's morning to after New York's evening.
DAY_STARTS_AT_UTC = timedelta(hours=2)
CHANNEL_NAME = "team"
FORM_BUTTON = "daily_answer_form"
RETRO_PARENT = "Retrospective: "  # how the text of a retro's parent message starts
ITEM_NUMBER = re.compile(r"\{#(\w+)\}")
CHART_WAIT = 30.0  # seconds; drawing the matrix chart takes a moment


def _run_tag() -> str:
    """A fresh suffix per run, so each run's channel and people are new to the database."""
    n, digits = wallclock.time_ns() // 1_000_000, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


class Player:
    """Plays the script against the running bot and prints each day as it ends."""

    def __init__(self, bot: Bot, tag: str, charts: Path, earlier: Sequence[str] = ()) -> None:
        self.bot = bot
        self.slack: FakeSlack = bot.slack
        # Person ids change per run too: a DM reply belongs to the latest prompt sent to
        # that person, and a previous run's Friday would otherwise be "later" than Monday.
        self.ids = {p.name: f"U{p.name.upper()}{tag}" for p in TEAM}
        self.people = {p.name: p for p in TEAM}
        self.channel = f"C{tag}"
        for person in TEAM:
            self.slack.add_user(
                self.ids[person.name], person.name, person.tz, real_name=person.real_name
            )
        self.slack.add_channel(self.channel, CHANNEL_NAME, list(self.ids.values()))
        for run in earlier:  # see _earlier_runs
            for person in TEAM:
                self.slack.add_user(
                    f"U{person.name.upper()}{run}", f"{person.name}-{run}", person.tz
                )
        self.timeline = Timeline(self.slack.ws, bot.clock.now())
        self.printer = Printer(self.slack.ws, self.timeline, self.channel)
        self.replies: dict[tuple[str, date], list[tuple[str, str]]] = {}
        self.failures: list[str] = []
        # What happened for the retro's acts, by stand-in sequence numbers [first, last).
        self.retro_spans: list[tuple[int, int]] = []
        self.charts = charts  # the charts' names start with this path

    # ---- the script -----------------------------------------------------------------------
    def instant(self, act: Act) -> datetime:
        zone = ZoneInfo(self.people[act.who].tz)
        return datetime.combine(act.day, act.at, zone).astimezone(UTC)

    def fill(self, text: str) -> str:
        text = ITEM_NUMBER.sub(lambda m: str(self.item_number(m.group(1))), text)
        return text.format(**{name: f"<@{uid}|{name}>" for name, uid in self.ids.items()})

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
                    if report.days_closed:
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
            self.command(uid, self.fill(act.text), now)
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

    def command(self, uid: str, text: str, now: datetime) -> None:
        self.timeline.note(now, uid, f"/daily {text}   (typed in #{CHANNEL_NAME})")
        shown = len(self.slack.ephemerals(uid)) + len(self.slack.messages(self.channel))
        self.bot.driver.command(uid, self.channel, "/daily", text)
        self.slack.wait_for(
            lambda: len(self.slack.ephemerals(uid)) + len(self.slack.messages(self.channel)) > shown
        )

    # ---- the retro ------------------------------------------------------------------------
    def retro(self, act: Act, now: datetime) -> None:
        """One act of the retro; everything the bot does for it is kept apart for printing."""
        first = self.timeline.mark(now)
        before = self.retro_replies()
        try:
            self.retro_act(act, self.ids[act.who], now)
            self.note_changes(before, now)
        finally:
            self.retro_spans.append((first, self.timeline.mark(now)))

    def retro_act(self, act: Act, uid: str, now: datetime) -> None:
        driver = self.bot.driver
        if isinstance(act, Command):
            text = self.fill(act.text)
            self.timeline.note(now, uid, f"/retro {text}   (typed in #{CHANNEL_NAME})")
            uploads = len(self.slack.calls_to("files.completeUploadExternal"))
            self.react(lambda: driver.command(uid, self.channel, "/retro", text))
            if text == "pick":
                # The chart comes last: drawing it takes a moment, then the parent is updated.
                self.slack.wait_for(
                    lambda: len(self.slack.calls_to("files.completeUploadExternal")) > uploads,
                    timeout=CHART_WAIT,
                )
                self.settle()
                self.save_charts()
        elif isinstance(act, Item):
            text = self.fill(act.text)
            self.timeline.note(now, uid, f"(replies in the retro's thread) {text}")
            parent = self.retro_parent()
            self.react(lambda: driver.post(uid, self.channel, text, thread_ts=str(parent["ts"])))
        elif isinstance(act, FormItem):
            self.timeline.note(now, uid, "(clicks [Add item] on the retro's message)")
            self.react(lambda: driver.click(uid, self.retro_parent(), "retro_add_item"))
            (view,) = self.slack.wait_for(lambda: self.slack.open_views(uid))
            values = {
                "text": {"value": self.fill(act.text)},
                "kind": {"value": act.kind},
                "anonymous": {"value": ["anonymous"] if act.anonymous else []},
            }
            self.react(lambda: driver.submit(uid, view["id"], values))
        elif isinstance(act, Rate):
            self.timeline.note(now, uid, "(clicks [Rate items] on the retro's message)")
            self.react(lambda: driver.click(uid, self.retro_parent(), "retro_rate"))
            (view,) = self.slack.wait_for(lambda: self.slack.open_views(uid))
            page: dict[str, Any] | None = view
            while page is not None:
                self.react(driver.submit, uid, page["id"], self.ratings_for(page, act))
                still = self.slack.open_views(uid)
                page = still[-1] if still else None
        elif isinstance(act, Press):
            target, label = self.button(uid, act)
            self.timeline.note(now, uid, f"(clicks [{label}])")
            self.react(lambda: driver.click(uid, target, act.button))

    def react(self, action: Callable[..., object], *args: Any) -> None:
        """Does it, then waits until the bot has reacted and stopped calling Slack."""
        calls = len(self.slack.calls)
        action(*args)
        self.slack.wait_for(lambda: len(self.slack.calls) > calls)
        self.settle()

    def retro_parent(self) -> dict[str, Any]:
        return next(
            m
            for m in reversed(self.slack.messages(self.channel))
            if m.get("bot_id") and str(m.get("text", "")).startswith(RETRO_PARENT)
        )

    def retro_replies(self) -> dict[str, list[str]]:
        """The bot's replies in the current retro's thread, as they read now, by ts."""
        if not any(
            str(m.get("text", "")).startswith(RETRO_PARENT)
            for m in self.slack.messages(self.channel)
        ):
            return {}
        ts = str(self.retro_parent()["ts"])
        out = {}
        with self.slack.ws.lock:
            for msg in self.slack.ws.replies(self.channel, ts):
                if msg.user == BOT_USER_ID and not msg.deleted:
                    out[msg.ts] = self.printer.message_lines(msg)
        return out

    def note_changes(self, before: dict[str, list[str]], now: datetime) -> None:
        """A reply the bot edits is shown as first posted, and each change where it happened."""
        for ts, lines in self.retro_replies().items():
            self.printer.first_posted.setdefault(ts, lines)
            if ts not in before or lines == before[ts]:
                continue
            was = set(before[ts])
            changed: list[str] = []
            for n, line in enumerate(lines):
                if line in was:
                    continue
                # "Owner: @anna" says little without the action it belongs to.
                if line.startswith("Owner:") and n and lines[n - 1] not in changed:
                    changed.append(lines[n - 1])
                changed.append(line)
            if changed:
                title = f"(the bot edits its reply of {self.local_stamp(ts)}:)"
                self.timeline.note(now, self.channel, title, *changed, reply=True)

    def local_stamp(self, ts: str) -> str:
        with self.slack.ws.lock:
            msg = self.slack.ws.message(self.channel, ts)
        seq = msg.seq if msg else 0
        return self.timeline.when(seq).strftime("%H:%M UTC")

    def item_number(self, word: str) -> int:
        """The number the retro's thread shows for the item with this word."""
        for lines in self.retro_replies().values():
            for line in lines:
                found = re.match(r"#(\d+) (.*)", line)
                if found and word.lower() in found.group(2).lower():
                    return int(found.group(1))
        raise LookupError(f"no item about {word!r} in the retro's thread")

    @staticmethod
    def ratings_for(view: dict[str, Any], act: Rate) -> dict[str, dict[str, str]]:
        """The person's marks for the items on this page of the rating modal."""
        values: dict[str, dict[str, str]] = {}
        about = ""
        for block in view["blocks"]:
            if block["type"] == "section":
                about = str(block["text"]["text"]).lower()
            elif block["type"] == "input":
                field = block["block_id"].split("_")[0]
                _, importance, complexity = next(r for r in act.ratings if r[0].lower() in about)
                mark = importance if field == "importance" else complexity
                values[block["block_id"]] = {"value": str(mark)}
        return values

    def button(self, uid: str, act: Press) -> tuple[dict[str, Any], str]:
        """The bot's latest message to this person with the button, checked to be about the
        right action (the stand-in presses the first button with that action_id)."""
        candidates = [*self.slack.ephemerals(uid), *self.bot_dms(uid)]
        for target in sorted(candidates, key=lambda m: float(str(m["ts"])), reverse=True):
            about = ""
            for block in target.get("blocks") or []:
                if block.get("type") == "section":
                    about += str(block.get("text", {}).get("text", "")).lower()
                for element in block.get("elements") or []:
                    if element.get("action_id") == act.button:
                        if act.action.lower() not in about:
                            raise LookupError(
                                f"the first {act.button} of {uid}'s message is not about "
                                f"{act.action!r}"
                            )
                        return target, str(element["text"]["text"])
        raise LookupError(f"{uid} has no message with the button {act.button}")

    def save_charts(self) -> None:
        """The PNGs the bot uploaded, next to the database, so a person can look at them;
        each run replaces the last run's."""
        with self.slack.ws.lock:
            uploads = [f for f in self.slack.ws.files.values() if f.data]
        for upload in uploads:
            if upload.id not in self.printer.saved:
                name = upload.filename.replace("_", "-")
                where = self.charts.with_name(f"{self.charts.name}-{name}")
                where.write_bytes(upload.data or b"")
                self.printer.saved[upload.id] = where

    # ---- waiting for the bot --------------------------------------------------------------
    def bot_dms(self, uid: str) -> list[dict[str, object]]:
        return [m for m in self.slack.dm_messages(uid) if m.get("bot_id")]

    def thread_messages(self) -> list[dict[str, object]]:
        return self.slack.messages(self.channel, include_replies=True)

    def cards(self, uid: str) -> int:
        """How many sets of answers of this person the team thread holds."""
        card = f"Standup of <@{uid}>"
        return sum(str(m.get("text", "")).startswith(card) for m in self.thread_messages())

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


def _earlier_runs(bot: Bot, now: datetime) -> tuple[list[str], int]:
    """(the tags of the earlier runs of the demo in this database, how many of them still
    had their daily running).

    Every run plays the same weeks of 2026, and since the demo follows a retro into the next
    weeks, an earlier run's daily would wake up there with prompts for people and channels
    this stand-in never met. Runs since then pause their daily on the Sunday after the week;
    an older or interrupted one is paused here as `/daily pause` would (without Slack). Its
    people are made known to the stand-in too, so a revisit DM for one of its open actions
    reaches them (unseen) instead of failing.
    """
    with Session(bot.runtime.engine) as session:
        rows = session.execute(
            select(Daily.channel_id, Daily.paused, Participant.user_id).join(
                Participant, Participant.daily_id == Daily.id
            )
        ).all()
    tags, running = set(), set()
    for channel, paused, user in rows:
        tag = channel[1:]
        if channel.startswith("C") and user == f"U{OWNER.upper()}{tag}":
            tags.add(tag)
            if not paused:
                running.add(channel)
    for channel in sorted(running):
        change_daily(
            bot.runtime.services.uow_factory,
            TEAM_ID,
            channel,
            now,
            lambda daily: setattr(daily, "paused", True),
        )
    return sorted(tags), len(running)


def _charts_at(database_url: str) -> Path:
    """Where the demo saves the charts: next to an SQLite database file and named after it
    (``ceremony-bot.db`` -> ``ceremony-bot-retro-matrix.png``); else in the current directory."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().with_suffix("")
    return Path.cwd() / "ceremony-bot-demo"


def _where(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(Path(url.database).resolve())
    return url.render_as_string(hide_password=True)


def _stored(bot: Bot, channel: str) -> tuple[int, int, int, int, int]:
    """(answers of this run, answers in the database, dailies in the database, retros and
    retro items of this run)."""
    with Session(bot.runtime.engine) as session:
        this_run = session.scalar(
            select(func.count(AnswerRow.id))
            .join(Prompt, AnswerRow.prompt_id == Prompt.id)
            .join(Daily, Prompt.daily_id == Daily.id)
            .where(Daily.channel_id == channel)
        )
        answers = session.scalar(select(func.count(AnswerRow.id)))
        dailies = session.scalar(select(func.count(Daily.id)))
        retros = session.scalar(select(func.count(Retro.id)).where(Retro.channel_id == channel))
        items = session.scalar(
            select(func.count(RetroItem.id))
            .join(Retro, RetroItem.retro_id == Retro.id)
            .where(Retro.channel_id == channel)
        )
    return this_run or 0, answers or 0, dailies or 0, retros or 0, items or 0


def _utf8_stdout() -> None:
    # The transcript has emoji and dashes; a legacy console must not crash the demo.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure and (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(errors="replace")


def run_demo() -> int:
    settings = load_settings()
    _utf8_stdout()
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
            running_bot(slack, Path(scratch), start, database_url=settings.database_url) as bot,
        ):
            earlier, paused = _earlier_runs(bot, start)
            if paused:
                note = (
                    f"(The daily of {paused} of the {len(earlier)} earlier runs of the demo in "
                    "this database was still running: paused now, as `/daily pause` would, "
                    "or its prompts would come back in this run's next weeks.)"
                )
                print(textwrap.fill(note, 100))
            player = Player(bot, _run_tag(), _charts_at(settings.database_url), earlier)
            try:
                play_week(player, start)
            except TimeoutError as error:
                player.failures.append(f"the bot did not react in time: {error}")
            except Exception as error:
                # The summary and where the history is still matter; the trace goes to stderr.
                traceback.print_exc()
                player.failures.append(f"the demo stopped: {error!r}")
            answers, total, dailies, retros, items = _stored(bot, player.channel)
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
    print(f"History stored in {_where(settings.database_url)}")
    return 1 if slack.violations or player.failures else 0


def play_week(player: Player, start: datetime) -> None:
    monday = datetime.combine(DAYS[0].day, datetime.min.time(), UTC) + DAY_STARTS_AT_UTC
    player.play(SETUP, start, monday)
    for day in (*DAYS, *FOLLOW_UP):
        begin = day.begin or datetime.combine(day.day, datetime.min.time(), UTC) + DAY_STARTS_AT_UTC
        player.play(day, begin, day.end or begin + timedelta(days=1))

"""The demo player's retro part: plays the retro's acts and notes what the bot did for them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.demo.acts import Act, Command, FormItem, Item, Press, Rate
from bot.demo.render import Printer, Timeline
from bot.demo.script import CHANNEL_NAME
from bot.demo.standin.harness import Bot
from bot.demo.standin.models import BOT_USER_ID
from bot.demo.standin.server import FakeSlack

RETRO_HEADER = ":mag: "  # how a retro's parent message's header starts, in every language


def is_retro_parent(message: dict[str, Any]) -> bool:
    blocks = message.get("blocks") or []
    first = blocks[0] if blocks else {}
    return (
        bool(message.get("bot_id"))
        and first.get("type") == "header"
        and str(first.get("text", {}).get("text", "")).startswith(RETRO_HEADER)
    )


CHART_WAIT = 30.0  # seconds; drawing the matrix chart takes a moment


class RetroPlayer:
    """The retro's acts, mixed into `bot.demo.Player`, which provides what is declared here."""

    bot: Bot
    slack: FakeSlack
    ids: dict[str, str]
    channel: str
    timeline: Timeline
    printer: Printer
    # What happened for the retro's acts, by stand-in sequence numbers [first, last).
    retro_spans: list[tuple[int, int]]
    charts: Path  # the charts' names start with this path
    fill: Callable[[str], str]
    settle: Callable[[], None]
    bot_dms: Callable[[str], list[dict[str, object]]]

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
        return next(m for m in reversed(self.slack.messages(self.channel)) if is_retro_parent(m))

    def retro_replies(self) -> dict[str, list[str]]:
        """The bot's replies in the current retro's thread, as they read now, by ts."""
        if not any(is_retro_parent(m) for m in self.slack.messages(self.channel)):
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

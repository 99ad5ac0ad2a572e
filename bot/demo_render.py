"""Printing the demo: what each person saw in one day, as plain readable text.

The stand-in's ``transcript(user)`` is one flat list over the whole run with Slack's raw
markup (``<@U…>``, ``*bold*``, ``:emoji:``) and wall-clock thread ids; the demo wants one
section per simulated day, times in each person's own zone and names instead of ids. So it
walks the same workspace records the transcript uses, and maps the stand-in's global
sequence numbers to the simulated instants recorded while the week was played.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.standin.models import BOT_NAME, BOT_USER_ID
from bot.standin.render import render_blocks, render_view, text_of
from bot.standin.state import Workspace

# Slack shows these as pictures; a terminal can show the same pictures.
EMOJI = {
    "rotating_light": "🚨",
    "white_check_mark": "✅",
    "wave": "👋",
    "sunrise": "🌅",
    "double_vertical_bar": "⏸",
    "arrow_forward": "▶",
    "palm_tree": "🌴",
    "warning": "⚠",
}
_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^>|]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
_QUESTION = re.compile(r"^(:[a-z0-9_+-]+: )?\*[^*\n]+\?\*$")
RULE = "═" * 78


@dataclass(frozen=True)
class Entry:
    """One thing a person saw or did, at a simulated instant."""

    seq: int
    at: datetime
    author: str
    lines: list[str]
    reply: bool = False


class Timeline:
    """Maps the stand-in's sequence numbers (its only global order) to simulated instants.

    Every scripted action and every tick first calls ``mark(now)``; whatever the stand-in
    records afterwards, including the bot's asynchronous follow-ups, happened "at" that time.
    """

    def __init__(self, ws: Workspace, start: datetime) -> None:
        self.ws = ws
        self._seqs: list[int] = [0]
        self._instants: list[datetime] = [start]
        # Things users did that leave no message behind: commands, clicks, edits.
        self.notes: list[tuple[int, str, list[str]]] = []

    def mark(self, now: datetime) -> int:
        seq = self.ws.next_seq()
        self._seqs.append(seq)
        self._instants.append(now)
        return seq

    def note(self, now: datetime, user_id: str, text: str) -> None:
        self.notes.append((self.mark(now), user_id, [text]))

    def when(self, seq: int) -> datetime:
        return self._instants[bisect.bisect_right(self._seqs, seq) - 1]


def _pair_questions(lines: list[str]) -> list[str]:
    """A bold question and the answer under it read best side by side, as one line."""
    out: list[str] = []
    for line in lines:
        if out and _QUESTION.match(out[-1]) and not _QUESTION.match(line):
            out[-1] = f"{out[-1]}  {line}"
        else:
            out.append(line)
    return out


class Printer:
    """Renders day sections from the workspace for the people of the demo."""

    def __init__(self, ws: Workspace, timeline: Timeline, channel_id: str) -> None:
        self.ws = ws
        self.timeline = timeline
        self.channel_id = channel_id

    # ---- text cleanup ---------------------------------------------------------------------
    def _name(self, user_id: str) -> str:
        user = self.ws.users.get(user_id)
        return user.name if user else user_id

    def clean(self, line: str) -> str:
        """Slack mrkdwn as a reader would see it rendered: names, plain emphasis, pictures."""

        def mention(match: re.Match[str]) -> str:
            sigil, ref, label = match.groups()
            if sigil == "@":
                return f"@{self._name(ref)}"
            if sigil == "#":
                channel = self.ws.channels.get(ref)
                return f"#{label or (channel.name if channel else ref)}"
            return f"@{label or ref.split('^')[0]}"

        line = _LINK.sub(lambda m: m.group(2) or m.group(1), line)
        line = _MENTION.sub(mention, line)
        line = _BOLD.sub(r"\1", line)
        line = _ITALIC.sub(r"\1", line)
        line = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), line)
        return html.unescape(line)

    def _lines(self, text: str, blocks: list[Any] | None) -> list[str]:
        if not blocks:
            return [self.clean(line) for line in text.splitlines() if line.strip()] or [""]
        out: list[str] = []
        for block in blocks:
            raw = [line for line in render_blocks([block]) if line.strip()]
            out += [self.clean(line) for line in _pair_questions(raw)]
        return out or [""]

    # ---- what one person saw --------------------------------------------------------------
    def person_entries(self, user_id: str, first: int, last: int) -> list[Entry]:
        """Their DM with the bot, what was shown only to them, their modals and actions."""
        when = self.timeline.when
        out: list[Entry] = []
        with self.ws.lock:
            dm = self.ws.find_dm(user_id)
            for msg in dm.messages if dm else []:
                if first <= msg.seq < last and not msg.deleted:
                    author = BOT_NAME if msg.user == BOT_USER_ID else self._name(msg.user)
                    lines = self._lines(msg.text, msg.blocks)
                    if msg.edited and msg.user != BOT_USER_ID:
                        lines[-1] += "   (edited)"
                    out.append(Entry(msg.seq, when(msg.seq), author, lines))
            for eph in self.ws.ephemerals:
                if eph.user == user_id and first <= eph.seq < last and not eph.deleted:
                    lines = ["(only visible to you)", *self._lines(eph.text, eph.blocks)]
                    out.append(Entry(eph.seq, when(eph.seq), BOT_NAME, lines))
            for seq, uid, action, view in self.ws.view_log:
                if uid == user_id and first <= seq < last:
                    out.append(Entry(seq, when(seq), "form", self._view_lines(action, view)))
        for seq, uid, lines in self.timeline.notes:
            if uid == user_id and first <= seq < last:
                lines = [self.clean(line) for line in lines]
                out.append(Entry(seq, when(seq), self._name(uid), lines))
        return sorted(out, key=lambda e: e.seq)

    def _view_lines(self, action: str, view: dict[str, Any]) -> list[str]:
        if action != "closed":
            return [f"({action})", *(self.clean(line) for line in render_view(view))]
        # After a submission the stored state holds what the person typed.
        labels = {
            b.get("block_id"): text_of(b.get("label"))
            for b in view.get("blocks", [])
            if isinstance(b, dict) and b.get("type") == "input"
        }
        lines = [f"(closed) {text_of(view.get('title'))}"]
        for block_id, entries in (view.get("state") or {}).get("values", {}).items():
            for entry in entries.values():
                lines.append(f"{labels.get(block_id, block_id)}  →  {entry.get('value', '')}")
        return lines

    # ---- the team channel -----------------------------------------------------------------
    def channel_entries(self, first: int, last: int) -> list[Entry]:
        when = self.timeline.when
        out: list[Entry] = []
        with self.ws.lock:
            channel = self.ws.channels[self.channel_id]
            for msg in channel.messages:
                if first <= msg.seq < last and not msg.deleted:
                    author = BOT_NAME if msg.user == BOT_USER_ID else self._name(msg.user)
                    lines = self._lines(msg.text, msg.blocks)
                    if msg.edited and not msg.is_reply:
                        lines[0] += "   (as last updated)"
                    out.append(Entry(msg.seq, when(msg.seq), author, lines, msg.is_reply))
        for seq, uid, lines in self.timeline.notes:
            if uid == self.channel_id and first <= seq < last:
                out.append(Entry(seq, when(seq), "", lines))
        return sorted(out, key=lambda e: e.seq)

    # ---- layout ---------------------------------------------------------------------------
    @staticmethod
    def heading(title: str) -> str:
        return f"\n{RULE}\n{title}\n{RULE}"

    @staticmethod
    def format(entries: list[Entry], tz: str, day: object, indent: str = "  ") -> list[str]:
        zone = ZoneInfo(tz)
        width = max([len(BOT_NAME), *(len(e.author) for e in entries)])
        stamps = []
        for entry in entries:
            local = entry.at.astimezone(zone)
            stamps.append(local.strftime("%H:%M" if local.date() == day else "%a %H:%M"))
        wide = max([0, *(len(s) for s in stamps)])
        out: list[str] = []
        for entry, stamp in zip(entries, stamps, strict=True):
            arrow = "  ↳ " if entry.reply else ""
            lead = f"{indent}{arrow}{stamp:>{wide}}  {entry.author:<{width}}  "
            pad = " " * len(lead)
            out.append(lead + entry.lines[0])
            out.extend(pad + line for line in entry.lines[1:])
        return out

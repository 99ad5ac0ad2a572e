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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo.standin.models import BOT_NAME, BOT_USER_ID, Message
from bot.demo.standin.render import render_blocks, render_element, render_view, text_of
from bot.demo.standin.state import Workspace

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
    "mag": "🔍",
    "pencil": "📝",
    "bar_chart": "📊",
    "dart": "🎯",
    "checkered_flag": "🏁",
    "zap": "⚡",
    "feather": "🪶",
    "star": "⭐",
    "thumbsup": "👍",
    "hammer_and_wrench": "🛠",
    "calendar": "📅",
    "repeat": "🔁",
    "large_yellow_circle": "🟡",
    "x": "❌",
    "tada": "🎉",
    "arrows_counterclockwise": "🔄",
    "bell": "🔔",
    "sos": "🆘",
    "memo": "📝",
    "arrow_up": "⬆",
    "clipboard": "📋",
    "eyes": "👀",
    "heavy_check_mark": "✔",
    "inbox_tray": "📥",
    "large_green_circle": "🟢",
    "large_orange_circle": "🟠",
    "new": "🆕",
    "no_entry": "⛔",
    "red_circle": "🔴",
    "thread": "🧵",
    "white_circle": "⚪",
    "pencil2": "✏",
    "hourglass_flowing_sand": "⏳",
    "alarm_clock": "⏰",
    "pager": "📟",
    "zzz": "💤",
    "speech_balloon": "💬",
}
_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^>|]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
_QUESTION = re.compile(r"^(:[a-z0-9_+-]+: )?\*[^*\n]+\?\*$")
_RATED = re.compile(r"^(importance|complexity)_(\w+)$")
RULE = "═" * 78

# Which stand-in records a section shows, by their sequence numbers.
Keep = Callable[[int], bool]


@dataclass(frozen=True)
class Entry:
    """One thing a person saw or did, at a simulated instant."""

    seq: int
    at: datetime
    author: str
    lines: list[str]
    reply: bool = False


@dataclass(frozen=True)
class Note:
    seq: int
    user_id: str  # or a channel id
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
        # Things users did that leave no message behind: commands, clicks, edits; and, for a
        # channel, what the bot changed in a thread (``reply``).
        self.notes: list[Note] = []

    def mark(self, now: datetime) -> int:
        seq = self.ws.next_seq()
        self._seqs.append(seq)
        self._instants.append(now)
        return seq

    def note(self, now: datetime, user_id: str, *lines: str, reply: bool = False) -> None:
        self.notes.append(Note(self.mark(now), user_id, list(lines), reply))

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
        # A thread reply the bot kept updating reads best as first posted, its later changes
        # as notes where they happened: message ts -> lines as first posted.
        self.first_posted: dict[str, list[str]] = {}
        # Files the bot uploaded, saved by the demo: file id -> where.
        self.saved: dict[str, Path] = {}
        # Forms already shown in full in this section (the same rating form for everyone).
        self._forms_shown: dict[tuple[str, ...], str] = {}

    def new_section(self) -> None:
        self._forms_shown.clear()

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
            return f"@{(label or ref.split('^')[0]).lstrip('@')}"

        line = line.replace("```", "")
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

    def message_lines(self, msg: Message) -> list[str]:
        lines = self._lines(msg.text, msg.blocks) if (msg.text or msg.blocks) else []
        for f in msg.files or []:
            upload = self.ws.files.get(str(f.get("id")))
            size = len(upload.data or b"") if upload else 0
            where = self.saved.get(str(f.get("id")))
            lines.append(f"[image: {f.get('title') or f.get('name')}, {size:,} bytes of PNG]")
            if where:
                lines.append(f"(the demo saved it to {where})")
        return lines or [""]

    # ---- what one person saw --------------------------------------------------------------
    def person_entries(self, user_id: str, keep: Keep) -> list[Entry]:
        """Their DM with the bot, what was shown only to them, their modals and actions."""
        when = self.timeline.when
        out: list[Entry] = []
        with self.ws.lock:
            dm = self.ws.find_dm(user_id)
            for msg in dm.messages if dm else []:
                if keep(msg.seq) and not msg.deleted:
                    author = BOT_NAME if msg.user == BOT_USER_ID else self._name(msg.user)
                    lines = self.message_lines(msg)
                    if msg.edited and msg.user != BOT_USER_ID:
                        lines[-1] += "   (edited)"
                    out.append(Entry(msg.seq, when(msg.seq), author, lines))
            for eph in self.ws.ephemerals:
                if eph.user == user_id and keep(eph.seq) and not eph.deleted:
                    lines = ["(only visible to you)", *self._lines(eph.text, eph.blocks)]
                    out.append(Entry(eph.seq, when(eph.seq), BOT_NAME, lines))
            for seq, uid, action, view in self.ws.view_log:
                if uid == user_id and keep(seq):
                    lines = self._view_lines(action, view, self._name(uid))
                    out.append(Entry(seq, when(seq), "form", lines))
        for note in self.timeline.notes:
            if note.user_id == user_id and keep(note.seq):
                lines = [self.clean(line) for line in note.lines]
                out.append(Entry(note.seq, when(note.seq), self._name(user_id), lines))
        return sorted(out, key=lambda e: e.seq)

    def _view_lines(self, action: str, view: dict[str, Any], who: str) -> list[str]:
        blocks = [b for b in view.get("blocks", []) if isinstance(b, dict)]
        if any(_RATED.match(str(b.get("block_id", ""))) for b in blocks):
            return self._rating_lines(action, view, blocks, who)
        if action != "closed":
            return [f"({action})", *(self.clean(line) for line in render_view(view))]
        # After a submission the stored state holds what the person typed or picked.
        labels = {
            b.get("block_id"): text_of(b.get("label")) for b in blocks if b.get("type") == "input"
        }
        lines = [f"(closed) {text_of(view.get('title'))}"]
        for block_id, entries in (view.get("state") or {}).get("values", {}).items():
            for entry in entries.values():
                lines.append(f"{labels.get(block_id, block_id)}  →  {_state_text(entry)}")
        return lines

    def _rating_lines(
        self, action: str, view: dict[str, Any], blocks: list[dict[str, Any]], who: str
    ) -> list[str]:
        """A rating modal has two selects per item: one line per item reads better, and the
        same form again for the next person only needs saying so."""
        title = text_of(view.get("title"))
        if action != "closed":
            head = f"({action}) == {title} ==  [{text_of(view.get('submit'))}]"
            lines = []
            for block in blocks:
                if block.get("type") == "context":
                    lines += [self.clean(render_element(e)) for e in block.get("elements", [])]
                elif block.get("type") == "section":
                    item = self.clean(text_of(block.get("text")))
                    lines.append(f"{item}   Importance [1–5 v]  Complexity [1–5 v]")
            first = self._forms_shown.setdefault(tuple(lines), who)
            if first != who:
                items = sum(b.get("type") == "section" for b in blocks)
                return [f"{head}  the same {items} items as for {first} above"]
            return [head, *lines]
        values = (view.get("state") or {}).get("values", {})
        numbers = {}
        for block in blocks:
            rated = _RATED.match(str(block.get("block_id", "")))
            if rated:
                numbers[rated.group(2)] = text_of(block.get("label")).rsplit(" ", 1)[-1]
        marks = []
        for item_id, number in numbers.items():
            importance, complexity = (
                _state_text(next(iter(values.get(f"{field}_{item_id}", {}).values()), {}))
                for field in ("importance", "complexity")
            )
            marks.append(f"{number} {importance}/{complexity}")
        return [f"(closed) {title}: importance/complexity", " · ".join(marks)]

    # ---- the team channel -----------------------------------------------------------------
    def channel_entries(self, keep: Keep) -> list[Entry]:
        when = self.timeline.when
        out: list[Entry] = []
        with self.ws.lock:
            channel = self.ws.channels[self.channel_id]
            for msg in channel.messages:
                if keep(msg.seq) and not msg.deleted:
                    author = BOT_NAME if msg.user == BOT_USER_ID else self._name(msg.user)
                    lines = list(self.first_posted.get(msg.ts) or self.message_lines(msg))
                    if msg.edited and not msg.is_reply:
                        lines[0] += "   (as last updated)"
                    out.append(Entry(msg.seq, when(msg.seq), author, lines, msg.is_reply))
        for note in self.timeline.notes:
            if note.user_id == self.channel_id and keep(note.seq):
                out.append(Entry(note.seq, when(note.seq), "", note.lines, note.reply))
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
            out.append((lead + entry.lines[0]).rstrip())
            out.extend((pad + line).rstrip() for line in entry.lines[1:])
        return out


def _state_text(entry: dict[str, Any]) -> str:
    """What a person typed or picked in one input of a submitted modal."""
    if "value" in entry:
        return str(entry.get("value") or "")
    if "selected_option" in entry:
        return text_of((entry.get("selected_option") or {}).get("text")) or "–"
    if "selected_options" in entry:
        picked = [text_of(o.get("text")) for o in entry.get("selected_options") or []]
        return ", ".join(picked) or "(none)"
    for key in ("selected_user", "selected_date", "selected_time", "selected_channel"):
        if key in entry:
            return str(entry.get(key) or "–")
    return ""

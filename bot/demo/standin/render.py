"""Plain-text rendering of Block Kit and of what one user sees (``FakeSlack.transcript``)."""

from __future__ import annotations

from typing import Any

from bot.demo.standin.models import BOT_USER_ID, SELECT_ELEMENTS, TEXT_INPUT_ELEMENTS, Message
from bot.demo.standin.state import Workspace

_SELECTS = SELECT_ELEMENTS
_INPUTS = TEXT_INPUT_ELEMENTS | {"file_input"}


def text_of(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        if isinstance(obj.get("text"), str):
            return obj["text"]
        if isinstance(obj.get("text"), dict):
            return text_of(obj["text"])
    return ""


def _option_label(option: Any) -> str:
    return text_of(option.get("text")) if isinstance(option, dict) else ""


def render_element(el: Any) -> str:
    """One interactive or context element as a short bracketed label."""
    if not isinstance(el, dict):
        return ""
    etype = el.get("type")
    if etype in ("plain_text", "mrkdwn"):
        return text_of(el)
    if etype == "button":
        return f"[{text_of(el.get('text'))}]"
    if etype == "image":
        return f"[image: {el.get('alt_text', '')}]"
    if etype in _SELECTS:
        chosen = el.get("initial_option") or {}
        label = _option_label(chosen) or text_of(el.get("placeholder")) or "Select an item"
        return f"[{label} v]"
    if etype == "overflow":
        return "[...]"
    if etype in ("checkboxes", "radio_buttons"):
        picked = {o.get("value") for o in el.get("initial_options", []) if isinstance(o, dict)}
        if isinstance(el.get("initial_option"), dict):
            picked.add(el["initial_option"].get("value"))
        return " ".join(
            f"[{'x' if o.get('value') in picked else ' '}] {_option_label(o)}"
            for o in el.get("options", [])
            if isinstance(o, dict)
        )
    if etype in ("datepicker", "timepicker", "datetimepicker"):
        initial = el.get("initial_date") or el.get("initial_time") or el.get("initial_date_time")
        return f"[{initial or text_of(el.get('placeholder')) or etype}]"
    if etype in _INPUTS:
        initial = el.get("initial_value")
        return f"[{initial or text_of(el.get('placeholder')) or '...'}]"
    return f"[{etype}]"


def _rich_text(node: Any) -> str:
    if isinstance(node, list):
        return "".join(_rich_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    ntype = node.get("type")
    if ntype == "text":
        return str(node.get("text", ""))
    if ntype == "link":
        return str(node.get("text") or node.get("url", ""))
    if ntype == "user":
        return f"<@{node.get('user_id')}>"
    if ntype == "channel":
        return f"<#{node.get('channel_id')}>"
    if ntype == "emoji":
        return f":{node.get('name')}:"
    if ntype == "broadcast":
        return f"@{node.get('range')}"
    inner = _rich_text(node.get("elements", []))
    if ntype in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
        return inner + "\n"
    if ntype == "rich_text_list":
        return "".join(f"- {_rich_text(e).rstrip()}\n" for e in node.get("elements", []))
    return inner


def render_blocks(blocks: list[Any]) -> list[str]:
    """Blocks as lines of plain text, roughly as a Slack client would show them."""
    lines: list[str] = []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        btype = block.get("type")
        if btype == "section":
            if block.get("text"):
                lines += text_of(block["text"]).splitlines()
            fields = [text_of(f) for f in block.get("fields", [])]
            if fields:
                lines.append(" | ".join(fields))
            if block.get("accessory"):
                lines.append(render_element(block["accessory"]))
        elif btype == "header":
            lines.append(f"## {text_of(block.get('text'))}")
        elif btype == "divider":
            lines.append("----")
        elif btype == "context":
            lines.append(" · ".join(render_element(e) for e in block.get("elements", [])))
        elif btype == "actions":
            lines.append(" ".join(render_element(e) for e in block.get("elements", [])))
        elif btype == "input":
            optional = " (optional)" if block.get("optional") else ""
            lines.append(
                f"{text_of(block.get('label'))}{optional}: {render_element(block.get('element'))}"
            )
            if block.get("hint"):
                lines.append(f"  ({text_of(block['hint'])})")
        elif btype == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif btype == "rich_text":
            lines += _rich_text(block.get("elements", [])).rstrip("\n").splitlines()
        elif btype == "markdown":
            lines += str(block.get("text", "")).splitlines()
        else:
            lines.append(f"[{btype} block]")
    return lines


def render_view(view: dict[str, Any]) -> list[str]:
    lines = []
    if view.get("type") == "modal":
        buttons = " ".join(f"[{text_of(view.get(k))}]" for k in ("close", "submit") if view.get(k))
        lines.append(f"== {text_of(view.get('title'))} ==  {buttons}".rstrip())
    return lines + render_blocks(view.get("blocks") or [])


def _body(text: str, blocks: list[Any] | None, files: list[Any] | None = None) -> list[str]:
    lines = render_blocks(blocks) if blocks else text.splitlines() or [""]
    lines += [f"[file: {f.get('name')}]" for f in files or []]
    return lines


def _entry(header: str, body: list[str]) -> str:
    first, rest = (body[0], body[1:]) if body else ("", [])
    return "\n".join([f"{header} {first}".rstrip(), *(f"    {line}" for line in rest)])


def transcript(ws: Workspace, user_id: str) -> str:
    """Everything ``user_id`` would see, in order: messages in their DM with the bot and in
    channels they belong to (thread replies included), their ephemerals, and the modals and
    Home tab shown to them."""
    entries: list[tuple[int, str]] = []

    def name(uid: str) -> str:
        user = ws.users.get(uid)
        return user.name if user else uid

    with ws.lock:
        for channel in ws.channels.values():
            if user_id not in channel.members:
                continue
            where = "DM" if channel.is_im else f"#{channel.name}"
            for msg in channel.messages:
                if msg.deleted:
                    continue
                entries.append((msg.seq, _message_entry(where, msg, name(msg.user))))
        for eph in ws.ephemerals:
            if eph.user == user_id and not eph.deleted:
                channel = ws.channels.get(eph.channel)
                where = "DM" if channel is None or channel.is_im else f"#{channel.name}"
                header = f"[{where}, only visible to you] {name(BOT_USER_ID)}:"
                entries.append((eph.seq, _entry(header, _body(eph.text, eph.blocks))))
        for seq, uid, action, view in ws.view_log:
            if uid != user_id:
                continue
            label = "home tab" if view.get("type") == "home" else f"modal {action}"
            body = render_view(view) if action != "closed" else [text_of(view.get("title"))]
            entries.append((seq, _entry(f"[{label}]", body)))
    entries.sort(key=lambda e: e[0])
    return "\n".join(text for _, text in entries)


def _message_entry(where: str, msg: Message, author: str) -> str:
    if msg.is_reply:
        where = f"{where} thread {msg.thread_ts}"
    edited = " (edited)" if msg.edited else ""
    return _entry(f"[{where}] {author}{edited}:", _body(msg.text, msg.blocks, msg.files))

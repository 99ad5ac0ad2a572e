"""Builders for the payloads Slack sends to an app (shapes from the reference payloads).

Pure functions: element lookup in blocks, ``actions[]`` entries, ``state.values`` entries,
Events API envelopes. ``ValueError`` means the test asked for something a real user could not
do in Slack's UI (an unknown option, an empty required input...).
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from typing import Any

from bot.demo.standin.models import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, User

VERIFICATION_TOKEN = "legacy-verification-token"
_event_ids = itertools.count(1)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}$")


def user_obj(user: User, team_id: str = TEAM_ID) -> dict[str, Any]:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": team_id}


def team_obj(team_id: str = TEAM_ID) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def event_callback(event: dict[str, Any], team_id: str = TEAM_ID) -> dict[str, Any]:
    """An Events API ``event_callback`` envelope with a unique event_id."""
    n = next(_event_ids)
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:8].upper()}{n:04d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def rich_text_blocks(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def _children(block: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            out.append(block[key])
    if block.get("type") in ("actions", "context_actions") and isinstance(
        block.get("elements"), list
    ):
        out += [e for e in block["elements"] if isinstance(e, dict)]
    return out


def find_action(
    blocks: list[dict[str, Any]], action_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(block, element) for the interactive element with ``action_id``."""
    for block in blocks:
        for element in _children(block):
            if element.get("action_id") == action_id:
                return block, element
    known = [e.get("action_id") for b in blocks for e in _children(b)]
    raise ValueError(f"no element with action_id {action_id!r}; present: {known}")


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    opts = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        opts += group.get("options") or []
    return opts


def _option(element: dict[str, Any], value: Any) -> dict[str, Any]:
    if element.get("type") in ("external_select", "multi_external_select"):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    for opt in _options(element):
        if opt.get("value") == value:
            return {k: opt[k] for k in ("text", "value", "description") if k in opt}
    allowed = [o.get("value") for o in _options(element)]
    raise ValueError(
        f"{element.get('action_id')!r}: {value!r} is not an option; options are {allowed}"
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _check_text_input(element: dict[str, Any], value: str) -> None:
    if element.get("type") == "number_input":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{element.get('action_id')!r}: {value!r} is not a number") from None
        if not element.get("is_decimal_allowed") and not number.is_integer():
            raise ValueError(f"{element.get('action_id')!r}: decimals are not allowed")
        return
    low, high = element.get("min_length"), element.get("max_length")
    if low is not None and len(value) < low:
        raise ValueError(f"{element.get('action_id')!r}: shorter than min_length {low}")
    if high is not None and len(value) > high:
        raise ValueError(f"{element.get('action_id')!r}: longer than max_length {high}")


def state_value(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The ``state.values[block_id][action_id]`` entry Slack sends for ``element``
    holding ``value`` (None means left empty)."""
    etype = element.get("type")
    out: dict[str, Any] = {"type": etype}
    if etype in ("static_select", "external_select", "radio_buttons", "overflow"):
        out["selected_option"] = None if value is None else _option(element, value)
    elif etype in ("multi_static_select", "multi_external_select", "checkboxes"):
        picked = [_option(element, v) for v in _as_list(value)]
        limit = element.get("max_selected_items")
        if limit is not None and len(picked) > limit:
            raise ValueError(f"{element.get('action_id')!r}: more than {limit} selected")
        out["selected_options"] = picked
    elif etype in ("users_select", "conversations_select", "channels_select"):
        key = {
            "users_select": "selected_user",
            "conversations_select": "selected_conversation",
            "channels_select": "selected_channel",
        }[etype]
        out[key] = value
    elif etype in ("multi_users_select", "multi_conversations_select", "multi_channels_select"):
        key = {
            "multi_users_select": "selected_users",
            "multi_conversations_select": "selected_conversations",
            "multi_channels_select": "selected_channels",
        }[etype]
        out[key] = _as_list(value)
    elif etype == "datepicker":
        if value is not None and not _DATE_RE.match(str(value)):
            raise ValueError(f"{element.get('action_id')!r}: date must be YYYY-MM-DD")
        out["selected_date"] = value
    elif etype == "timepicker":
        if value is not None and not _TIME_RE.match(str(value)):
            raise ValueError(f"{element.get('action_id')!r}: time must be HH:MM")
        out["selected_time"] = value
        if element.get("timezone"):
            out["timezone"] = element["timezone"]
    elif etype == "datetimepicker":
        out["selected_date_time"] = None if value is None else int(value)
    elif etype == "rich_text_input":
        out["rich_text_value"] = None if value is None else rich_text_blocks(str(value))[0]
    elif etype == "file_input":
        out["files"] = _as_list(value)
    else:
        if value is not None:
            _check_text_input(element, str(value))
        out["value"] = None if value is None else str(value)
    return out


def initial_value(element: dict[str, Any]) -> Any:
    """The value an element starts with (initial_option, initial_value...), or None."""
    if "initial_option" in element:
        return element["initial_option"].get("value")
    if "initial_options" in element:
        return [o.get("value") for o in element["initial_options"]]
    for key in (
        "initial_value",
        "initial_user",
        "initial_users",
        "initial_conversation",
        "initial_conversations",
        "initial_channel",
        "initial_channels",
        "initial_date",
        "initial_time",
        "initial_date_time",
    ):
        if key in element:
            return element[key]
    return None


def is_empty(entry: dict[str, Any]) -> bool:
    """True when a state entry holds no value (what makes a required input block submit)."""
    values = [v for k, v in entry.items() if k not in ("type", "timezone")]
    return all(v in (None, "", []) for v in values)


def action_entry(
    block: dict[str, Any], element: dict[str, Any], value: Any, selected: Any
) -> dict[str, Any]:
    """One ``actions[]`` entry of a block_actions payload."""
    etype = element.get("type")
    action: dict[str, Any] = {
        "action_id": element.get("action_id"),
        "block_id": block.get("block_id"),
        "type": etype,
    }
    if etype == "button":
        if value is not None and value != element.get("value"):
            raise ValueError(
                f"button {element.get('action_id')!r} has value "
                f"{element.get('value')!r}; a user cannot send {value!r}"
            )
        action["text"] = element.get("text")
        if "value" in element:
            action["value"] = element["value"]
        if "style" in element:
            action["style"] = element["style"]
    elif etype == "workflow_button":
        action["text"] = element.get("text")
    else:
        chosen = selected if selected is not None else value
        entry = state_value(element, chosen)
        if etype == "overflow" and chosen is None:
            raise ValueError("an overflow click needs selected=<option value>")
        action.update({k: v for k, v in entry.items() if k != "type"})
        if "placeholder" in element:
            action["placeholder"] = element["placeholder"]
    action["action_ts"] = f"{time.time():.6f}"
    return action

"""Web API contracts for the Slack stand-in.

Loads Slack's method specs (``bot/demo/standin/reference/methods/*.json``) and checks the arguments
of an outgoing call the way the reference README's ``check_call`` does, plus the Block Kit,
view, text-length and "would ping" checks. Values may be given as Python objects (what a caller
passes to ``WebClient``) or as wire values (form fields are strings, JSON bodies keep types).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from bot.demo.standin.blockkit import (
    MESSAGE_BLOCK_LIMIT,
    REFERENCE_DIR,
    check_blocks,
    check_view,
    describe_error,
    find_pings,
)
from bot.demo.standin.models import TEAM_ID

# slack_sdk adds WebClient(team_id=...) to every call as a default parameter (Bolt's
# per-request client always does); Slack accepts it on every method.
GLOBAL_ARGS = frozenset({"team_id"})
# The app manifest at the repository root: the scopes Slack grants the bot token at install.
MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yml"
UPDATE_TEXT_LIMIT = 4000
TRUNCATE_TEXT_LIMIT = 40000

_METHOD_RE = re.compile(r"^[A-Za-z]+(\.[A-Za-z0-9]+)+$")  # oauth.v2.access
JSON_ARGS = frozenset(
    {"blocks", "attachments", "metadata", "view", "files", "unfurled_attachments"}
)
_DECODE_ERRORS = {
    "blocks": "invalid_blocks_format",
    "metadata": "invalid_metadata_format",
    "attachments": "invalid_attachments",
}
_MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
_VIEW_KINDS = {
    "views.open": ("modal",),
    "views.push": ("modal",),
    "views.update": ("modal", "home"),
    "views.publish": ("home",),
}


@cache
def method_spec(method: str) -> dict[str, Any] | None:
    """Slack's spec for ``method`` (desc, rate_limits, args schema, errors...), or None."""
    if not _METHOD_RE.match(method):
        return None
    path = REFERENCE_DIR / "methods" / f"{method}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _args_validator(method: str) -> Draft202012Validator:
    spec = method_spec(method)
    assert spec is not None
    return Draft202012Validator(spec["args"])


@cache
def _prop_validator(method: str, name: str) -> Draft202012Validator:
    spec = method_spec(method)
    assert spec is not None
    return Draft202012Validator(spec["args"]["properties"][name])


@dataclass
class CallCheck:
    """Outcome of checking one call: decoded args, violations and the error Slack would give."""

    method: str
    args: dict[str, Any] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    pings: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def fail(self, error: str, message: str) -> None:
        self.violations.append(f"{self.method}: {message}")
        if self.error is None:
            self.error = error

    @property
    def all_violations(self) -> list[str]:
        return self.violations + self.pings


def _string_candidates(value: str) -> list[Any]:
    out: list[Any] = []
    with contextlib.suppress(ValueError):
        out.append(json.loads(value))
    if value in ("1", "true"):
        out.append(True)
    elif value in ("0", "false"):
        out.append(False)
    return out


def _is_list_arg(method: str, name: str) -> bool:
    """An array argument Slack takes as a comma-separated string (``users=U1,U2``); the
    JSON-typed ones (``files``...) are JSON text on the wire instead."""
    spec = method_spec(method)
    assert spec is not None
    return spec["args"]["properties"][name].get("type") == "array" and name not in JSON_ARGS


def _decode_arg(check: CallCheck, name: str, value: Any) -> Any:
    """Return the semantic value of one argument, recording schema violations."""
    validator = _prop_validator(check.method, name)
    candidates: list[Any] = [value]
    if isinstance(value, list | dict):
        candidates.append(json.dumps(value))
    elif isinstance(value, str):
        candidates += _string_candidates(value)
        if _is_list_arg(check.method, name):
            candidates.append([part.strip() for part in value.split(",") if part.strip()])
    wire = next((c for c in candidates if validator.is_valid(c)), _MISSING)
    if wire is _MISSING:
        err = next(iter(validator.iter_errors(value)))
        check.fail("invalid_arguments", f"argument {name!r}: {describe_error(err, name)}")
        return value
    if name in JSON_ARGS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            check.fail(
                _DECODE_ERRORS.get(name, "invalid_arguments"),
                f"argument {name!r} is not valid JSON",
            )
            return None
    return value if wire is value or isinstance(wire, str) else wire


_MISSING: Any = object()


def _check_metadata(check: CallCheck, metadata: Any) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        check.fail("invalid_metadata_format", "metadata must be a JSON object")
        return
    if "entities" in metadata and "event_type" not in metadata:
        return
    if not isinstance(metadata.get("event_type"), str) or not isinstance(
        metadata.get("event_payload"), dict
    ):
        check.fail(
            "invalid_metadata_schema",
            "metadata needs a string event_type and an object event_payload",
        )


def _check_text(check: CallCheck) -> None:
    text = check.args.get("text")
    if not isinstance(text, str):
        return
    if check.method == "chat.update" and len(text) > UPDATE_TEXT_LIMIT:
        check.fail(
            "msg_too_long", f"text is {len(text)} chars (chat.update limit {UPDATE_TEXT_LIMIT})"
        )
    elif len(text) > TRUNCATE_TEXT_LIMIT:
        check.violations.append(
            f"{check.method}: warning message_truncated: text is "
            f"{len(text)} chars (Slack truncates at {TRUNCATE_TEXT_LIMIT})"
        )
        check.warnings.append("message_truncated")
        check.args["text"] = text[:TRUNCATE_TEXT_LIMIT]


def check_content(check: CallCheck) -> None:
    """Block Kit, view, metadata, text and ping checks on already-decoded args."""
    args = check.args
    method = check.method
    if args.get("blocks") is not None:
        limit = 100 if method.startswith("views.") else MESSAGE_BLOCK_LIMIT
        problems = check_blocks(args["blocks"], limit=limit)
        code = "invalid_blocks_format" if not isinstance(args["blocks"], list) else "invalid_blocks"
        for msg in problems:
            check.fail(code, msg)
    attachments = args.get("attachments")
    if isinstance(attachments, list):
        for i, att in enumerate(attachments):
            if isinstance(att, dict) and att.get("blocks") is not None:
                for msg in check_blocks(att["blocks"], where=f"attachments[{i}].blocks"):
                    check.fail("invalid_attachments", msg)
    if "metadata" in args:
        _check_metadata(check, args["metadata"])
    if "view" in args and method in _VIEW_KINDS:
        for msg in check_view(args["view"], kinds=_VIEW_KINDS[method]):
            check.fail("invalid_arguments", msg)
    if (
        method in _MESSAGE_METHODS
        and not any(args.get(k) for k in ("text", "blocks", "attachments", "markdown_text"))
        and method != "chat.update"
    ):
        check.fail("no_text", "no text, blocks or attachments")
    if (
        method in ("chat.postMessage", "chat.postEphemeral")
        and args.get("blocks")
        and not (args.get("text") or args.get("markdown_text"))
    ):
        check.violations.append(
            f"{method}: blocks without a top-level text fallback "
            "(notifications and screen readers would show nothing)"
        )
    _check_text(check)
    check.pings += [f"{method}: would ping: {p}" for p in find_pings(args)]


def inspect_call(method: str, args: dict[str, Any], workspace: str = TEAM_ID) -> CallCheck:
    """Check one Web API call; ``args`` excludes or includes ``token`` (either is fine)."""
    check = CallCheck(method)
    spec = method_spec(method)
    if spec is None:
        check.fail("unknown_method", "unknown method")
        return check
    props = spec["args"].get("properties", {})
    for name in sorted(set(args) - set(props) - GLOBAL_ARGS):
        check.fail("invalid_arguments", f"unknown argument {name!r}")
    team = args.get("team_id")
    if team is not None and team != workspace:
        check.fail("team_not_found", f"team_id {team!r} is not this workspace ({workspace})")
    for name, value in args.items():
        # team_id is checked against the workspace above; its schemas are not used because
        # usergroups.list's says maxLength 0, which would refuse the id Bolt sends on every call.
        if name in GLOBAL_ARGS and name in props:
            check.args[name] = value
        elif name in props and name != "token":
            check.args[name] = _decode_arg(check, name, value)
    for name in spec["args"].get("required", []):
        if name != "token" and name not in args:
            check.fail("invalid_arguments", f"missing required argument {name!r}")
    if check.error is None:
        wire = {"token": "xoxb-test"}
        for name, value in check.args.items():
            if name in GLOBAL_ARGS:
                continue
            ok = _prop_validator(method, name).is_valid(value)
            wire[name] = value if ok or not isinstance(value, list | dict) else json.dumps(value)
        for err in _args_validator(method).iter_errors(wire):
            check.fail("invalid_arguments", describe_error(err, "args"))
    check_content(check)
    return check


def manifest_bot_scopes(path: Path = MANIFEST) -> frozenset[str] | None:
    """``oauth_config.scopes.bot`` of the app manifest, or None when there is none (a wheel
    carries no manifest). Reads block lists, the manifest's style, so no YAML library is
    needed at run time."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    keys: list[tuple[int, str]] = []
    found: set[str] = set()
    for line in lines:
        body = line.split(" #", 1)[0].strip()
        if not body or body.startswith("#"):
            continue
        if body.startswith("- "):
            if [k for _, k in keys] == ["oauth_config", "scopes", "bot"]:
                found.add(body[2:].strip().strip("\"'"))
            continue
        indent = len(line) - len(line.lstrip())
        while keys and keys[-1][0] >= indent:
            keys.pop()
        keys.append((indent, body.split(":", 1)[0].strip()))
    return frozenset(found)


def granted_scopes(methods: Iterable[str]) -> frozenset[str]:
    """The bot token's scopes: what the manifest asks for, as Slack grants at install. Without
    a manifest, every bot scope ``methods`` need, so a wheel's demo still runs."""
    from_manifest = manifest_bot_scopes()
    if from_manifest is not None:
        return from_manifest
    return frozenset(
        s for m in methods for s in (method_spec(m) or {}).get("scope", {}).get("bot", [])
    )


def missing_scope(method: str, granted: Collection[str]) -> str | None:
    """The first bot scope ``method``'s spec requires that ``granted`` lacks, or None."""
    needed = (method_spec(method) or {}).get("scope", {}).get("bot", [])
    return next((s for s in needed if s not in granted), None)


def check_call(method: str, args: dict[str, Any]) -> list[str]:
    """Violation strings for one outgoing Web API call (empty when the call is clean)."""
    return inspect_call(method, args).all_violations


def check_message_body(body: dict[str, Any], *, where: str = "response_url") -> CallCheck:
    """Check a message body sent to a response_url or returned in an ack."""
    allowed = {
        "text",
        "blocks",
        "attachments",
        "response_type",
        "replace_original",
        "delete_original",
        "unfurl_links",
        "unfurl_media",
        "thread_ts",
        "metadata",
        "mrkdwn",
        "parse",
        "link_names",
    }
    check = CallCheck(where, args=dict(body))
    for name in sorted(set(body) - allowed):
        check.fail("invalid_arguments", f"unknown field {name!r}")
    rtype = body.get("response_type")
    if rtype is not None and rtype not in ("ephemeral", "in_channel"):
        check.fail(
            "invalid_arguments", f"response_type must be ephemeral or in_channel, got {rtype!r}"
        )
    if body.get("blocks") is not None:
        for msg in check_blocks(body["blocks"], limit=MESSAGE_BLOCK_LIMIT):
            check.fail("invalid_blocks", msg)
    if "metadata" in body:
        _check_metadata(check, body["metadata"])
    if not body.get("delete_original") and not any(
        body.get(k) for k in ("text", "blocks", "attachments")
    ):
        check.fail("no_text", "no text, blocks or attachments")
    _check_text(check)
    check.pings += [f"{where}: would ping: {p}" for p in find_pings(body)]
    return check

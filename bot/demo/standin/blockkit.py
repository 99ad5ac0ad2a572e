"""Block Kit checks for the Slack stand-in: schema validation, size limits and ping detection.

The schema is the community Block Kit JSON Schema in ``bot/demo/standin/reference``. Each block is
validated against the ``$defs`` entry for its own type (equivalent to the schema's discriminated
``oneOf`` but much faster, and it gives readable messages). Limits that Slack enforces and that
matter to us are also checked explicitly so violations say exactly what is wrong.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

# Shipped inside the package, so an installed wheel checks calls as strictly as a checkout.
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
SECTION_TEXT_LIMIT = 3000
SECTION_FIELDS_LIMIT = 10
SECTION_FIELD_TEXT_LIMIT = 2000
HEADER_TEXT_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
ID_LIMIT = 255
VIEW_TEXT_LIMIT = 24
PRIVATE_METADATA_LIMIT = 3000

PING_MARKERS = ("<!channel", "<!here", "<!everyone", "<!subteam^")
TEXT_KEYS = frozenset({"text", "markdown_text", "initial_comment"})

_MAX_MESSAGE = 240


@cache
def blockkit_schema() -> dict[str, Any]:
    """The Block Kit JSON Schema (root validates an array of 1-100 blocks)."""
    path = REFERENCE_DIR / "blockkit.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def def_validator(name: str) -> Draft202012Validator:
    """A validator for one ``$defs`` entry, e.g. ``section_block`` or ``modal_view``."""
    defs = blockkit_schema()["$defs"]
    if name not in defs:
        raise KeyError(name)
    return Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": defs})


@cache
def blocks_validator() -> Draft202012Validator:
    """The validator for the schema root (an array of blocks), as in the reference README."""
    return Draft202012Validator(blockkit_schema())


def _fmt_path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _is_discriminator_miss(err: ValidationError) -> bool:
    return err.validator in ("const", "enum") and list(err.relative_path) == ["type"]


def _most_specific(err: ValidationError) -> ValidationError:
    """Follow oneOf/anyOf branches whose ``type`` matched to the innermost error."""
    while err.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in err.context:
            key = sub.relative_schema_path[0] if sub.relative_schema_path else 0
            branches.setdefault(key, []).append(sub)
        viable = [errs for errs in branches.values() if not any(map(_is_discriminator_miss, errs))]
        if not viable:
            return err
        pool = [e for errs in viable for e in errs]
        err = max(pool, key=lambda e: (len(e.absolute_path), e.validator != "additionalProperties"))
    return err


def describe_error(err: ValidationError, prefix: str = "") -> str:
    """A one-line, readable message for a schema error."""
    best = _most_specific(err)
    path = prefix + _fmt_path(best.absolute_path)
    if best.context and isinstance(best.instance, dict) and "type" in best.instance:
        return f"{path}: element type {best.instance['type']!r} is not allowed here"
    return f"{path}: {_short(best.message)}"


_block_cache: dict[str, tuple[str, ...]] = {}
_block_cache_lock = threading.Lock()


def _schema_check_block(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"{where}: a block must be an object"]
    btype = block.get("type")
    if not isinstance(btype, str):
        return [f"{where}: block has no 'type'"]
    try:
        validator = def_validator(f"{btype}_block")
    except KeyError:
        return [f"{where}: unknown block type {btype!r}"]
    key = json.dumps(block, sort_keys=True)
    with _block_cache_lock:
        cached = _block_cache.get(key)
    if cached is None:
        cached = tuple(describe_error(e, "") for e in validator.iter_errors(block))
        with _block_cache_lock:
            if len(_block_cache) > 4096:
                _block_cache.clear()
            _block_cache[key] = cached
    return [f"{where}{msg}" for msg in cached]


def _text_of(obj: Any) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return obj["text"]
    return None


def _limit(where: str, what: str, value: str | None, limit: int) -> list[str]:
    if value is not None and len(value) > limit:
        return [f"{where}: {what} is {len(value)} chars (limit {limit})"]
    return []


def _walk_elements(node: Any, where: str) -> list[str]:
    """Limits on buttons and ids anywhere below a block."""
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "button":
            out += _limit(where, "button text", _text_of(node.get("text")), BUTTON_TEXT_LIMIT)
            value = node.get("value")
            out += _limit(
                where, "button value", value if isinstance(value, str) else None, BUTTON_VALUE_LIMIT
            )
        for key in ("action_id", "block_id"):
            val = node.get(key)
            out += _limit(where, key, val if isinstance(val, str) else None, ID_LIMIT)
        for key, val in node.items():
            if isinstance(val, dict | list):
                out += _walk_elements(val, f"{where}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            out += _walk_elements(item, f"{where}[{i}]")
    return out


def _limit_check_block(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict):
        return []
    out: list[str] = []
    btype = block.get("type")
    if btype == "section":
        out += _limit(where, "section text", _text_of(block.get("text")), SECTION_TEXT_LIMIT)
        fields = block.get("fields")
        if isinstance(fields, list):
            if len(fields) > SECTION_FIELDS_LIMIT:
                out.append(f"{where}: {len(fields)} section fields (limit {SECTION_FIELDS_LIMIT})")
            for i, f in enumerate(fields):
                out += _limit(
                    f"{where}.fields[{i}]", "field text", _text_of(f), SECTION_FIELD_TEXT_LIMIT
                )
    elif btype == "header":
        out += _limit(where, "header text", _text_of(block.get("text")), HEADER_TEXT_LIMIT)
    out += _walk_elements(block, where)
    return out


def check_blocks(
    blocks: Any,
    *,
    limit: int = MESSAGE_BLOCK_LIMIT,
    where: str = "blocks",
    allow_empty: bool = True,
) -> list[str]:
    """Violations for a list of blocks on a surface allowing ``limit`` blocks."""
    if not isinstance(blocks, list):
        return [f"{where}: must be an array of blocks"]
    out: list[str] = []
    if not blocks and not allow_empty:
        out.append(f"{where}: must contain at least 1 block")
    if len(blocks) > limit:
        out.append(f"{where}: {len(blocks)} blocks (limit {limit})")
    for i, block in enumerate(blocks):
        at = f"{where}[{i}]"
        explicit = _limit_check_block(block, at)
        out += explicit or _schema_check_block(block, at)
    return out


def _placeholder(block: Any) -> dict[str, Any]:
    if isinstance(block, dict) and block.get("type") == "input":
        return {
            "type": "input",
            "label": {"type": "plain_text", "text": "x"},
            "element": {"type": "plain_text_input"},
        }
    return {"type": "divider"}


def check_view(
    view: Any, *, kinds: tuple[str, ...] = ("modal", "home"), where: str = "view"
) -> list[str]:
    """Violations for a view object sent to views.open/push/update/publish."""
    if not isinstance(view, dict):
        return [f"{where}: must be an object"]
    kind = view.get("type")
    if kind not in kinds:
        return [f"{where}.type: must be one of {list(kinds)}, got {kind!r}"]
    out: list[str] = []
    covered: list[str] = []
    for key in ("title", "submit", "close"):
        found = _limit(f"{where}.{key}", f"{key} text", _text_of(view.get(key)), VIEW_TEXT_LIMIT)
        covered += [f"{where}.{key}"] if found else []
        out += found
    meta = view.get("private_metadata")
    found = _limit(
        f"{where}.private_metadata",
        "private_metadata",
        meta if isinstance(meta, str) else None,
        PRIVATE_METADATA_LIMIT,
    )
    covered += [f"{where}.private_metadata"] if found else []
    out += found
    blocks = view.get("blocks")
    shell = dict(view)
    if isinstance(blocks, list):
        shell["blocks"] = [_placeholder(b) for b in blocks]
    for err in def_validator(f"{kind}_view").iter_errors(shell):
        msg = describe_error(err, where)
        if not any(msg.startswith(c) for c in covered):
            out.append(msg)
    if isinstance(blocks, list):
        out += check_blocks(blocks, limit=VIEW_BLOCK_LIMIT, where=f"{where}.blocks")
    return out


def find_pings(value: Any, where: str = "") -> list[str]:
    """Places in outgoing content that would notify many people (@channel, @here, groups)."""
    out: list[str] = []
    if isinstance(value, dict):
        if value.get("type") in ("broadcast", "usergroup") and isinstance(
            value.get("range", value.get("usergroup_id")), str
        ):
            out.append(f"{where or '(root)'}: rich_text {value['type']} element")
        for key, val in value.items():
            at = f"{where}.{key}" if where else key
            if key in TEXT_KEYS and isinstance(val, str):
                out += [f"{at}: contains {m}" for m in PING_MARKERS if m in val]
            elif isinstance(val, dict | list):
                out += find_pings(val, at)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += find_pings(item, f"{where}[{i}]")
    return out

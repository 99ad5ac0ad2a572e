"""The layer rules, checked by parsing every module's imports (DESIGN.md, "Layout").

- ceremonies/ imports nothing of Slack, SQL, templates or our outer layers;
- a ceremony imports the shared core and nothing of another ceremony, except the weekly
  report and the Home tab, which read the others only through their read-only `queries`
  modules;
- handlers/ never reach storage/ or bot/; storage/ never reaches handlers/ or bot/;
- in handlers/ and storage/ too, one ceremony's package never imports another's;
- no module imports itself back through a circle of module-level imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("ceremonies", "handlers", "storage", "bot")
CEREMONIES = ("daily", "retro", "oncall", "weekly", "home")
SHARED = "core"
# What reads the other ceremonies, through their read-only `queries` modules only.
READERS = ("weekly", "home")
OUTSIDE_WORLD = ("slack_bolt", "slack_sdk", "sqlalchemy", "jinja2", "alembic")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Iterator[tuple[str, Path]]:
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            yield module_name(path), path


def imports(path: Path, *, module_level_only: bool = False) -> set[str]:
    """Every module `path` imports, as absolute dotted names (`from a import b` gives a.b)."""
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    if module_level_only:
        # What runs at import, plus `if TYPE_CHECKING:` blocks: a circle of type-only
        # imports is still a circle for a reader.
        nodes = [*tree.body, *(n for top in tree.body if isinstance(top, ast.If) for n in top.body)]
    else:
        nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def ceremony_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in CEREMONIES else None


def layer_of(module: str) -> str:
    return module.split(".")[0]


ALL = dict(modules())


@pytest.mark.parametrize("module", sorted(m for m in ALL if layer_of(m) == "ceremonies"))
def test_the_rules_import_nothing_of_the_outside(module: str) -> None:
    bad = {
        name
        for name in imports(ALL[module])
        if name.split(".")[0] in OUTSIDE_WORLD or layer_of(name) in ("bot", "handlers", "storage")
    }
    assert not bad, f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize("module", sorted(m for m in ALL if ceremony_of(m)))
def test_a_ceremony_imports_no_other_ceremony(module: str) -> None:
    own, layer = ceremony_of(module), layer_of(module)
    bad = set()
    for name in imports(ALL[module]):
        other = ceremony_of(name)
        if layer_of(name) not in LAYERS or other is None or other == own:
            continue
        reads_history = own in READERS and layer == "ceremonies" and ".queries" in name
        if not reads_history:
            bad.add(name)
    assert not bad, f"{module} reaches into {sorted(bad)} (go through core or a query port)"


@pytest.mark.parametrize("module", sorted(m for m in ALL if layer_of(m) in ("handlers", "storage")))
def test_handlers_and_storage_stay_out_of_each_other_and_the_wiring(module: str) -> None:
    forbidden = {"handlers": ("storage", "bot"), "storage": ("handlers", "bot")}[layer_of(module)]
    bad = {name for name in imports(ALL[module]) if layer_of(name) in forbidden}
    assert not bad, f"{module} imports {sorted(bad)}"


def test_no_circle_of_module_level_imports() -> None:
    graph = {
        module: {
            name
            for name in imports(path, module_level_only=True)
            if name in ALL and name != module and not module.startswith(f"{name}.")
        }
        for module, path in ALL.items()
    }
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        trail.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*trail[trail.index(target) :], target]
            if target not in state and (circle := visit(target)):
                return circle
        state[module] = 2
        trail.pop()
        return None

    for module in sorted(graph):
        if module not in state:
            circle = visit(module)
            assert circle is None, " -> ".join(circle)


def test_the_checks_see_the_whole_tree() -> None:
    # Guards the guard: a rule over nothing would pass silently.
    assert {"ceremonies.daily.delivery", "ceremonies.retro.flow", "ceremonies.core.ports"} <= set(
        ALL
    )
    assert "sqlalchemy" in " ".join(imports(ALL["storage.db"]))

"""The listeners of slash commands and events run in the thread that answers Slack; work
that must start at once (a modal to open) goes to a pool beside the ack, never in them."""

from __future__ import annotations

import ast
import contextvars
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import handlers
from bot.ack_first import listener_runs_here, prompt_acks
from bot.pool import ThreadPool
from bot.runtime import ListenerExecutor
from bot.services import Services
from handlers import only_acks
from handlers.kit import guarded

marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")


@pytest.fixture
def executor() -> Any:
    pool = ListenerExecutor(2, "test")
    yield pool
    pool.shutdown()


def test_a_listener_that_only_acks_runs_in_the_dispatching_thread(executor: Any) -> None:
    with prompt_acks({}, listener_here=True):
        assert listener_runs_here()
        future = executor.submit(threading.get_ident)
    assert future.done()
    assert future.result() == threading.get_ident()
    assert executor.idle


def test_other_listeners_run_in_the_pool(executor: Any) -> None:
    with prompt_acks({}):
        assert not listener_runs_here()
        future = executor.submit(threading.get_ident)
    assert future.result(timeout=5) != threading.get_ident()


def test_a_thread_that_inherited_the_dispatch_hands_its_work_to_the_pool(executor: Any) -> None:
    outside = ThreadPool(1, "outside")
    with prompt_acks({}, listener_here=True):
        inherited = contextvars.copy_context()
        # A thread running in a copy of the dispatch's context is not where it answers.
        ran_in = outside.submit(inherited.run, lambda: executor.submit(threading.get_ident))
        inner = ran_in.result(timeout=5)
    assert inner.result(timeout=5) not in (threading.get_ident(), None)
    outside.shutdown()


def test_a_listener_run_here_keeps_its_error_and_its_context_to_itself(executor: Any) -> None:
    def listener() -> None:
        marker.set("set by the listener")
        raise ValueError("broken listener")

    with prompt_acks({}, listener_here=True):
        future = executor.submit(listener)
    assert isinstance(future.exception(), ValueError)
    assert marker.get() == "unset"
    assert executor.idle


@pytest.mark.parametrize(
    ("body", "runs_here"),
    [
        ({"command": "/daily", "text": "skip"}, True),
        ({"type": "event_callback", "event": {"type": "message"}}, True),
        ({"type": "block_actions", "actions": []}, False),  # may open a modal after its ack
        ({"type": "view_submission", "view": {}}, False),
        ({"type": "shortcut"}, False),
        ({"command": ["not", "a", "command"]}, False),
        ("a string", False),
    ],
)
def test_which_listeners_only_ack(body: Any, runs_here: bool) -> None:
    assert only_acks(body) is runs_here


def test_work_that_must_start_at_once_goes_beside_the_ack_not_after_a_lull() -> None:
    started: list[str] = []
    replies: list[dict[str, Any]] = []
    pool = ListenerExecutor(1, "soon")
    services = Services(
        uow_factory=None,  # type: ignore[arg-type]
        chat=None,  # type: ignore[arg-type]
        clock=None,  # type: ignore[arg-type]
        renderer=None,  # type: ignore[arg-type]
        defer=lambda work: started.append("after a lull"),
        start=lambda work: pool.bind(work)(),
    )

    def open_modal() -> dict[str, Any]:
        time.sleep(0.2)
        return {"text": "opened"}

    begun = time.monotonic()
    guarded(services, lambda **reply: replies.append(reply), open_modal, soon=True)
    assert time.monotonic() - begun < 0.1  # the listener, and so the ack, does not wait
    deadline = time.monotonic() + 5
    while not replies and time.monotonic() < deadline:
        time.sleep(0.01)
    assert replies == [{"text": "opened"}]
    assert started == []
    pool.shutdown()


def _direct_calls(function: ast.FunctionDef) -> Iterator[ast.Call]:
    """The calls in `function`'s own body: not in the functions and lambdas it defines,
    which it hands to later work."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        pending.extend(ast.iter_child_nodes(node))


def _listeners_that_run_here() -> Iterator[tuple[str, ast.FunctionDef]]:
    for path in sorted(Path(handlers.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                called = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(called, ast.Attribute) and called.attr in ("command", "event"):
                    yield f"{path.parent.name}/{path.name}:{node.name}", node


def test_command_and_event_listeners_leave_slack_calls_to_work_after_the_ack() -> None:
    """Their listener runs in the thread that answers Slack: a call to Slack in it (a modal,
    a reply) would hold the ack back until Slack answered."""
    listeners = dict(_listeners_that_run_here())
    assert len(listeners) >= 8  # the four slash commands' and the events'
    for name, listener in listeners.items():
        for call in _direct_calls(listener):
            target = call.func
            owner = target.value if isinstance(target, ast.Attribute) else target
            assert not (isinstance(owner, ast.Name) and owner.id in ("client", "respond")), (
                f"{name} calls Slack ({ast.unparse(call)[:60]}) before its ack is sent: "
                "use services.later, or guarded(..., soon=True) for a modal"
            )

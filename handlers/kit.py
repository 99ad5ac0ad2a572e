"""What every handler is given: the service layer's collaborators and a renderer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ceremonies.core.errors import Refusal
from ceremonies.core.parsing import InvalidInput
from ceremonies.core.ports import Chat, Clock, UnitOfWorkFactory

log = logging.getLogger("handlers")


class Renderer(Protocol):
    def render(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]: ...
    def view(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]: ...
    def text(self, template: str, **context: Any) -> str: ...


def run_now(work: Callable[[], object]) -> None:
    work()


@dataclass(frozen=True)
class Services:
    uow_factory: UnitOfWorkFactory
    chat: Chat
    clock: Clock
    renderer: Renderer
    default_tz: str = "UTC"
    # Where work after an ack runs. The bot hands it to a small pool of its own so that slow
    # work competes as little as possible with the next request's ack (one process, one GIL).
    defer: Callable[[Callable[[], object]], object] = run_now

    def later(self, work: Callable[[], object]) -> None:
        """Runs `work` after the ack; an error is logged, never shown as a trace."""

        def logged() -> None:
            try:
                work()
            except Exception:
                log.exception("work after the ack failed")

        self.defer(logged)


def refusal_message(services: Services, code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return services.renderer.render("common/refusal", {"code": code, **params})


def invalid_text(services: Services, error: InvalidInput) -> str:
    return services.renderer.text("common/invalid", code=error.code, **error.params)


def invalid_message(services: Services, error: InvalidInput) -> dict[str, Any]:
    return services.renderer.render("common/invalid", {"code": error.code, **error.params})


def oops_message(services: Services) -> dict[str, Any]:
    return services.renderer.render("common/oops", {})


def ephemeral(payload: dict[str, Any]) -> dict[str, Any]:
    return {"response_type": "ephemeral", **payload}


def guarded(
    services: Services,
    reply: Callable[..., Any],
    work: Callable[[], dict[str, Any]],
    *,
    now: bool = False,
) -> None:
    """Runs work after the ack; whatever happens the user reads a sentence, never a trace.

    `now` keeps it in the listener, for work that must use a trigger_id within 3 seconds.
    """
    if not now:
        services.later(lambda: guarded(services, reply, work, now=True))
        return
    try:
        payload = work()
    except Refusal as refusal:
        payload = ephemeral(refusal_message(services, refusal.code, refusal.params))
    except InvalidInput as error:
        payload = ephemeral(invalid_message(services, error))
    except Exception:
        log.exception("handler failed")
        payload = ephemeral(oops_message(services))
    if payload:
        reply(**payload)

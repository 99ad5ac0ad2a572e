"""What every handler is given: the service layer's collaborators and a renderer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ceremonies.errors import Refusal
from ceremonies.parsing import InvalidInput
from ceremonies.ports import Chat, Clock, UnitOfWorkFactory

log = logging.getLogger("handlers")


class Renderer(Protocol):
    def render(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]: ...
    def view(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]: ...
    def text(self, template: str, **context: Any) -> str: ...


@dataclass(frozen=True)
class Services:
    uow_factory: UnitOfWorkFactory
    chat: Chat
    clock: Clock
    renderer: Renderer
    default_tz: str = "UTC"


def refusal_message(services: Services, code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return services.renderer.render("common/refusal", {"code": code, **params})


def invalid_message(services: Services, error: InvalidInput) -> dict[str, Any]:
    return services.renderer.render("common/invalid", {"message": str(error)})


def oops_message(services: Services) -> dict[str, Any]:
    return services.renderer.render("common/oops", {})


def ephemeral(payload: dict[str, Any]) -> dict[str, Any]:
    return {"response_type": "ephemeral", **payload}


def guarded(
    services: Services, reply: Callable[..., Any], work: Callable[[], dict[str, Any]]
) -> None:
    """Runs work after the ack; whatever happens the user reads a sentence, never a trace."""
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

"""`/retro`: acknowledge at once, then run the step and answer the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, Respond

from ceremonies.core.parsing import InvalidInput
from ceremonies.core.request import Request
from ceremonies.retro import actions as retro_actions
from ceremonies.retro import choice as retro_choice
from ceremonies.retro import flow as retro_flow
from ceremonies.retro import rating as retro_rating
from handlers.kit import (
    Services,
    SlashCommand,
    ephemeral,
    guarded,
    invalid_message,
    refusal_message,
    request_from,
)
from handlers.retro.parser import RetroRequest, parse_retro_command


def _request(services: Services, command: SlashCommand, *, admin: bool = True) -> Request:
    # Admins may run any retro, so a step asks Slack whether the caller is one.
    return request_from(services, command.team_id, command.channel_id, command.user_id, admin=admin)


def register(app: App, services: Services) -> None:
    @app.command("/retro")
    def on_retro(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        try:
            command = SlashCommand.model_validate(body)
        except ValidationError:
            ack(**ephemeral(services.renderer.render("common/malformed", {})))
            return
        try:
            request = parse_retro_command(command.text)
        except InvalidInput as error:
            ack(**ephemeral(invalid_message(services, error)))
            return
        if request.action == "help":
            ack(**ephemeral(services.renderer.render("retro/help", {})))
            return
        if command.in_dm:
            ack(**ephemeral(refusal_message(services, "needs_channel", {"action": request.action})))
            return
        ack()
        guarded(services, respond, lambda: _ACTIONS[request.action](services, command, request))


Step = Callable[[Services, Request, RetroRequest], object]


def _step(
    run: Step, *, admin: bool = True
) -> Callable[[Services, SlashCommand, RetroRequest], dict[str, Any]]:
    def handler(services: Services, command: SlashCommand, request: RetroRequest) -> dict[str, Any]:
        run(services, _request(services, command, admin=admin), request)
        return {}

    return handler


def _start(s: Services, q: Request, r: RetroRequest) -> object:
    return retro_flow.start_retro(s.uow_factory, s.chat, q, r.title)


def _rate(s: Services, q: Request, r: RetroRequest) -> object:
    return retro_rating.start_rating(s.uow_factory, s.chat, q)


def _pick(s: Services, q: Request, r: RetroRequest) -> object:
    return retro_choice.pick(s.uow_factory, s.chat, q)


def _owner(s: Services, q: Request, r: RetroRequest) -> object:
    assert r.user_id is not None
    return retro_choice.set_owner(s.uow_factory, s.chat, q, r.numbers[0], r.user_id)


def _swap(s: Services, q: Request, r: RetroRequest) -> object:
    return retro_choice.swap_action(s.uow_factory, s.chat, q, r.numbers[0], r.numbers[1])


def _drop(s: Services, q: Request, r: RetroRequest) -> object:
    return retro_choice.drop_action(s.uow_factory, s.chat, q, r.numbers[0])


def _close(s: Services, q: Request, r: RetroRequest) -> object:
    return close_and_tell_home(s, q)


def close_and_tell_home(services: Services, request: Request) -> None:
    """Closes the retro; its actions are now open, on their owners' Home tabs too."""
    retro_choice.close(services.uow_factory, services.chat, request)
    owners = {
        a["owner_id"]
        for a in retro_actions.open_actions(
            services.uow_factory, request.team_id, request.channel_id
        )
        if a["owner_id"]
    }
    services.home_changed(request.team_id, sorted(owners))


def _facilitator(s: Services, q: Request, r: RetroRequest) -> object:
    assert r.user_id is not None
    return retro_flow.hand_over(s.uow_factory, s.chat, q, r.user_id)


def _carry(s: Services, q: Request, r: RetroRequest) -> object:
    with s.uow_factory() as uow:
        retro = retro_flow.open_retro_here(uow, q.team_id, q.channel_id)
    return retro_flow.carry_backlog(s.uow_factory, s.chat, q, retro.id)


def _actions(services: Services, command: SlashCommand, request: RetroRequest) -> dict[str, Any]:
    actions = retro_actions.open_actions(services.uow_factory, command.team_id, command.channel_id)
    return ephemeral(services.renderer.render("retro/actions_list", {"actions": actions}))


def _history(services: Services, command: SlashCommand, request: RetroRequest) -> dict[str, Any]:
    records = retro_actions.history(services.uow_factory, command.team_id, command.channel_id)
    return ephemeral(services.renderer.render("retro/history", {"records": records}))


_ACTIONS: dict[str, Callable[[Services, SlashCommand, RetroRequest], dict[str, Any]]] = {
    "start": _step(_start, admin=False),
    "rate": _step(_rate),
    "pick": _step(_pick),
    "owner": _step(_owner),
    "swap": _step(_swap),
    "drop": _step(_drop),
    "close": _step(_close),
    "facilitator": _step(_facilitator),
    "carry": _step(_carry),
    "actions": _actions,
    "history": _history,
}

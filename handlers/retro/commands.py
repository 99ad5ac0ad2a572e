"""`/retro`: acknowledge at once, then run the step and answer the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, Respond

from ceremonies.core.parsing import InvalidInput
from ceremonies.retro import actions as retro_actions
from ceremonies.retro import choice as retro_choice
from ceremonies.retro import flow as retro_flow
from ceremonies.retro import rating as retro_rating
from ceremonies.retro.flow import Actor
from handlers.kit import (
    Services,
    SlashCommand,
    ephemeral,
    guarded,
    invalid_message,
    refusal_message,
)
from handlers.retro.parser import RetroRequest, parse_retro_command


def actor_of(services: Services, team_id: str, user_id: str) -> Actor:
    return Actor(user_id, services.chat.profile(team_id, user_id).is_admin)


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


def _start(services: Services, command: SlashCommand, request: RetroRequest) -> dict[str, Any]:
    retro_flow.start_retro(
        services.uow_factory,
        services.chat,
        command.team_id,
        command.channel_id,
        command.user_id,
        request.title,
        services.clock.now(),
    )
    return {}


def _step(
    run: Callable[[Services, SlashCommand, RetroRequest, Actor], object],
) -> Callable[..., Any]:
    def handler(services: Services, command: SlashCommand, request: RetroRequest) -> dict[str, Any]:
        run(services, command, request, actor_of(services, command.team_id, command.user_id))
        return {}

    return handler


def _rate(s: Services, c: SlashCommand, r: RetroRequest, a: Actor) -> object:
    return retro_rating.start_rating(s.uow_factory, s.chat, c.team_id, c.channel_id, a)


def _pick(s: Services, c: SlashCommand, r: RetroRequest, a: Actor) -> object:
    return retro_choice.pick(s.uow_factory, s.chat, c.team_id, c.channel_id, a, s.clock.now())


def _owner(s: Services, c: SlashCommand, r: RetroRequest, a: Actor) -> object:
    assert r.user_id is not None
    return retro_choice.set_owner(
        s.uow_factory, s.chat, c.team_id, c.channel_id, a, r.numbers[0], r.user_id
    )


def _swap(s: Services, c: SlashCommand, r: RetroRequest, a: Actor) -> object:
    return retro_choice.swap_action(
        s.uow_factory, s.chat, c.team_id, c.channel_id, a, r.numbers[0], r.numbers[1], s.clock.now()
    )


def _drop(s: Services, c: SlashCommand, r: RetroRequest, a: Actor) -> object:
    return retro_choice.drop_action(
        s.uow_factory, s.chat, c.team_id, c.channel_id, a, r.numbers[0], s.clock.now()
    )


def _close(s: Services, c: SlashCommand, r: RetroRequest, a: Actor) -> object:
    return retro_choice.close(s.uow_factory, s.chat, c.team_id, c.channel_id, a, s.clock.now())


def _facilitator(s: Services, c: SlashCommand, r: RetroRequest, a: Actor) -> object:
    assert r.user_id is not None
    return retro_flow.hand_over(s.uow_factory, s.chat, c.team_id, c.channel_id, a, r.user_id)


def _carry(s: Services, c: SlashCommand, r: RetroRequest, a: Actor) -> object:
    with s.uow_factory() as uow:
        retro = retro_flow.open_retro_here(uow, c.team_id, c.channel_id)
    return retro_flow.carry_backlog(s.uow_factory, s.chat, c.team_id, retro.id, a, s.clock.now())


def _actions(services: Services, command: SlashCommand, request: RetroRequest) -> dict[str, Any]:
    actions = retro_actions.open_actions(services.uow_factory, command.team_id, command.channel_id)
    return ephemeral(services.renderer.render("retro/actions_list", {"actions": actions}))


def _history(services: Services, command: SlashCommand, request: RetroRequest) -> dict[str, Any]:
    records = retro_actions.history(services.uow_factory, command.team_id, command.channel_id)
    return ephemeral(services.renderer.render("retro/history", {"records": records}))


_ACTIONS: dict[str, Callable[[Services, SlashCommand, RetroRequest], dict[str, Any]]] = {
    "start": _start,
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

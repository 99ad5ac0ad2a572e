"""`/weekly`: acknowledge at once, then do the work and answer the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ceremonies.core.parsing import InvalidInput
from ceremonies.core.request import Request
from ceremonies.weekly import reading, register, setup
from ceremonies.weekly.delivery import names_of
from ceremonies.weekly.pages import detail_messages, summary_context
from handlers.kit import (
    Services,
    SlashCommand,
    ephemeral,
    guarded,
    invalid_message,
    refusal_message,
    request_from,
)
from handlers.weekly.forms import open_settings_modal
from handlers.weekly.parser import NEEDS_CHANNEL, WeeklyRequest, parse_weekly_command

Action = Callable[[Services, SlashCommand, WeeklyRequest], dict[str, Any]]
# A response_url takes five messages: the preview's summary and up to four of its details.
PREVIEW_DETAILS = 4


def register_commands(app: App, services: Services) -> None:
    @app.command("/weekly")
    def on_weekly(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        try:
            command = SlashCommand.model_validate(body)
        except ValidationError:
            ack(**ephemeral(services.renderer.render("common/malformed", {})))
            return
        try:
            request = parse_weekly_command(command.text)
        except InvalidInput as error:
            ack(**ephemeral(invalid_message(services, error)))
            return
        if request.action == "help":
            ack(**ephemeral(services.renderer.render("weekly/help", {})))
            return
        if command.in_dm and request.action in NEEDS_CHANNEL:
            refusal = refusal_message(services, "needs_channel", {"action": request.action})
            ack(**ephemeral(refusal))
            return
        ack()
        if request.action == "settings":
            guarded(
                services, respond, lambda: open_settings_modal(services, client, command), soon=True
            )
            return
        if request.action == "preview":
            guarded(services, respond, lambda: _preview(services, command, respond))
            return
        guarded(services, respond, lambda: _ACTIONS[request.action](services, command, request))


def _request(services: Services, command: SlashCommand) -> Request:
    return request_from(services, command.team_id, command.channel_id, command.user_id)


def _key(command: SlashCommand) -> str:
    # The response_url is unique per invocation: a replayed request carries the same one.
    return f"weekly:{command.team_id}:{command.response_url or command.trigger_id}"


def settings_reply(
    services: Services,
    command: SlashCommand,
    settings: setup.WeeklySettings,
    change: str,
    *,
    public: bool = False,
) -> dict[str, Any]:
    people = {settings.owner_id, *settings.recipients}
    names = names_of(services.chat, command.team_id, people)
    context = {"settings": settings, "change": change, "names": names, "channels": {}}
    # What the whole channel reads is in the channel's language; a reply to one, theirs.
    renderer = (
        services.renderer.in_channel(command.team_id, command.channel_id)
        if public
        else services.renderer
    )
    payload = renderer.render("weekly/settings_summary", context)
    return {"response_type": "in_channel" if public else "ephemeral", **payload}


def _start(services: Services, command: SlashCommand, request: WeeklyRequest) -> dict[str, Any]:
    settings = setup.start_report(services.uow_factory, services.chat, _request(services, command))
    return settings_reply(services, command, settings, "started", public=True)


def _add(services: Services, command: SlashCommand, request: WeeklyRequest) -> dict[str, Any]:
    assert request.channel_id is not None
    asked = _request(services, command)
    settings = setup.add_source(services.uow_factory, services.chat, asked, request.channel_id)
    return settings_reply(services, command, settings, "sources")


def _remove(services: Services, command: SlashCommand, request: WeeklyRequest) -> dict[str, Any]:
    assert request.channel_id is not None
    settings = setup.remove_source(
        services.uow_factory, _request(services, command), request.channel_id
    )
    return settings_reply(services, command, settings, "sources")


def _time(services: Services, command: SlashCommand, request: WeeklyRequest) -> dict[str, Any]:
    assert request.weekday is not None and request.at is not None
    settings = setup.set_time(
        services.uow_factory, _request(services, command), request.weekday, request.at
    )
    return settings_reply(services, command, settings, "time")


def _recipients(
    services: Services, command: SlashCommand, request: WeeklyRequest
) -> dict[str, Any]:
    settings = setup.set_recipients(
        services.uow_factory, services.chat, _request(services, command), list(request.user_ids)
    )
    return settings_reply(services, command, settings, "recipients")


def _pause(paused: bool) -> Action:
    def run(services: Services, command: SlashCommand, request: WeeklyRequest) -> dict[str, Any]:
        settings = setup.set_paused(services.uow_factory, _request(services, command), paused)
        return settings_reply(services, command, settings, "paused" if paused else "resumed")

    return run


def _preview(services: Services, command: SlashCommand, respond: Respond) -> dict[str, Any]:
    seen = reading.preview(services.uow_factory, services.chat, _request(services, command))
    report = seen.composed.report
    details = detail_messages(report, seen.report_id, seen.names, preview=True)
    context = summary_context(report, seen.names, None, {}, bool(details))
    for template, detail in details[:PREVIEW_DETAILS]:
        respond(**ephemeral(services.renderer.render(template, detail)))
    return ephemeral(services.renderer.render("weekly/report", context))


def _risk(services: Services, command: SlashCommand, request: WeeklyRequest) -> dict[str, Any]:
    asked, risk = _request(services, command), request.risk
    assert risk is not None
    if risk.action == "list":
        risks = register.list_risks(services.uow_factory, asked)
        return ephemeral(
            services.renderer.render("weekly/risk_list", {"risks": risks, "names": {}})
        )
    if risk.action == "add":
        assert risk.p is not None and risk.c is not None
        saved = register.add_risk(
            services.uow_factory, asked, risk.text, risk.p, risk.c, risk.owner_id, _key(command)
        )
        change = "added"
    elif risk.action == "update":
        assert risk.number is not None
        saved = register.update_risk(
            services.uow_factory, asked, risk.number, risk.p, risk.c, risk.owner_id
        )
        change = "updated"
    else:
        assert risk.number is not None
        saved = register.close_risk(services.uow_factory, asked, risk.number)
        change = "closed"
    context = {"risk": saved, "change": change, "names": {}}
    channel = services.renderer.in_channel(command.team_id, command.channel_id)
    return {"response_type": "in_channel", **channel.render("weekly/risk_saved", context)}


_ACTIONS: dict[str, Action] = {
    "start": _start,
    "add": _add,
    "remove": _remove,
    "time": _time,
    "recipients": _recipients,
    "pause": _pause(True),
    "resume": _pause(False),
    "risk": _risk,
}

"""`/oncall`: acknowledge at once, then do the work and answer the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, Respond

from ceremonies.core.errors import Refusal
from ceremonies.core.parsing import InvalidInput
from ceremonies.core.ports import DeliveryError
from ceremonies.core.request import Request
from ceremonies.core.time_model import local_date, wall_clock_instant
from ceremonies.oncall import changes, exchanges, reports, setup
from handlers.kit import (
    Services,
    SlashCommand,
    ephemeral,
    guarded,
    invalid_message,
    refusal_message,
    request_from,
)
from handlers.oncall.actions import shifts_moved
from handlers.oncall.parser import NEEDS_CHANNEL, OncallRequest, parse_oncall_command

Action = Callable[[Services, SlashCommand, OncallRequest], dict[str, Any]]


def register(app: App, services: Services) -> None:
    @app.command("/oncall")
    def on_oncall(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        try:
            command = SlashCommand.model_validate(body)
        except ValidationError:
            ack(**ephemeral(services.renderer.render("common/malformed", {})))
            return
        try:
            today = local_date(services.default_tz, services.clock.now())
            request = parse_oncall_command(command.text, today)
        except InvalidInput as error:
            ack(**ephemeral(invalid_message(services, error)))
            return
        if request.action == "help":
            ack(**ephemeral(services.renderer.render("oncall/help", {})))
            return
        if command.in_dm and request.action in NEEDS_CHANNEL:
            refusal = refusal_message(services, "oncall_needs_channel", {"action": request.action})
            ack(**ephemeral(refusal))
            return
        ack()

        def work() -> dict[str, Any]:
            reply = _ACTIONS[request.action](services, command, request)
            if request.action in MOVES_SHIFTS:
                also = [command.user_id, *request.user_ids]
                shifts_moved(services, command.team_id, command.channel_id, also)
            return reply

        guarded(services, respond, work)


# What can change who is on call when (and so their people's Home tabs).
MOVES_SHIFTS = frozenset(
    {"start", "handoff", "shift", "timezone", "add", "remove", "order", "away", "override"}
)


def _request(services: Services, command: SlashCommand, *, admin: bool = False) -> Request:
    return request_from(services, command.team_id, command.channel_id, command.user_id, admin=admin)


def _key(command: SlashCommand) -> str:
    # The response_url is unique per invocation: a replayed request carries the same one.
    return f"oncall:{command.team_id}:{command.response_url or command.trigger_id}"


def _caller_tz(services: Services, command: SlashCommand) -> str:
    return services.chat.profile(command.team_id, command.user_id).tz


def _settings_reply(
    services: Services,
    settings: setup.Settings,
    change: str,
    *,
    public: SlashCommand | None = None,
) -> dict[str, Any]:
    """Ephemeral, or (`public`: the command posted in its channel) in the channel's language."""
    renderer = (
        services.renderer.in_channel(public.team_id, public.channel_id)
        if public
        else services.renderer
    )
    payload = renderer.render("oncall/settings", {"settings": settings, "change": change})
    return {"response_type": "in_channel" if public else "ephemeral", **payload}


def _start(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    settings = setup.start_rotation(
        services.uow_factory, services.chat, _request(services, command), list(request.user_ids)
    )
    return _settings_reply(services, settings, "started", public=command)


def _edit(change: str, edit: Callable[[OncallRequest], Callable[[Any], Any]]) -> Action:
    def run(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
        settings = setup.change_rotation(
            services.uow_factory, services.chat, _request(services, command), edit(request)
        )
        return _settings_reply(services, settings, change)

    return run


def _handoff_edit(request: OncallRequest) -> Callable[[Any], Any]:
    def edit(version: Any) -> Any:
        day = version.handoff_day if request.handoff_day is None else request.handoff_day
        return replace(version, handoff_day=day, handoff_time=request.handoff_time)

    return edit


def _add(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    assert request.user_id is not None
    asked = _request(services, command)
    settings = setup.add_member(services.uow_factory, services.chat, asked, request.user_id)
    return _settings_reply(services, settings, "added")


def _remove(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    assert request.user_id is not None
    asked = _request(services, command)
    settings = setup.remove_member(services.uow_factory, services.chat, asked, request.user_id)
    return _settings_reply(services, settings, "removed")


def _order(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    asked = _request(services, command)
    order = list(request.user_ids)
    settings = setup.reorder(services.uow_factory, services.chat, asked, order)
    return _settings_reply(services, settings, "order")


def _country(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    settings = setup.set_country(
        services.uow_factory, _request(services, command), request.user_id, request.country
    )
    return _settings_reply(services, settings, "country")


def _who(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    answer = reports.who(services.uow_factory, _request(services, command))
    tz = _caller_tz(services, command)
    return ephemeral(services.renderer.render("oncall/who", {"w": answer, "tz": tz}))


def _schedule(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    coming = reports.schedule(services.uow_factory, _request(services, command), request.count or 6)
    context = {
        "coming": coming,
        "tz": _caller_tz(services, command),
        "channel_id": command.channel_id,
    }
    return ephemeral(services.renderer.render("oncall/schedule", context))


def _history(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    past = reports.history(services.uow_factory, _request(services, command), request.count or 4)
    context = {"history": past, "tz": _caller_tz(services, command)}
    return ephemeral(services.renderer.render("oncall/history", context))


def _away(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    assert request.days is not None
    who = request.user_id or command.user_id
    told = changes.away(
        services.uow_factory,
        services.chat,
        _request(services, command, admin=True),
        who,
        request.days,
    )
    context = {"what": "away", "user_id": who, "days": str(request.days), "notified": told}
    return ephemeral(services.renderer.render("oncall/changed", context))


def _override(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    assert request.user_id is not None
    asked = _request(services, command)
    window = None
    if request.window is not None:
        settings = setup.settings(services.uow_factory, asked)
        tz = settings.current.tz
        start, end = request.window
        window = (
            wall_clock_instant(tz, start.date(), start.time()),
            wall_clock_instant(tz, end.date(), end.time()),
        )
    shift = changes.override(
        services.uow_factory, services.chat, asked, request.user_id, window, _key(command)
    )
    context = {
        "what": "override",
        "shift": shift,
        "tz": _caller_tz(services, command),
        "notified": [],
    }
    channel = services.renderer.in_channel(command.team_id, command.channel_id)
    return {"response_type": "in_channel", **channel.render("oncall/changed", context)}


def _note(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    shift = changes.add_note(
        services.uow_factory, _request(services, command), request.text, _key(command)
    )
    context = {"what": "note", "shift": shift, "tz": _caller_tz(services, command), "notified": []}
    return ephemeral(services.renderer.render("oncall/changed", context))


def _usergroup(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    assert request.usergroup_id is not None
    asked = _request(services, command)
    current = reports.who(services.uow_factory, asked).now
    try:
        if current is not None:
            services.chat.set_usergroup_members(
                command.team_id, request.usergroup_id, [current.user_id]
            )
    except DeliveryError as error:
        raise Refusal("oncall_usergroup_refused", reason=error.reason) from None
    settings = setup.set_usergroup(
        services.uow_factory, asked, request.usergroup_id, request.usergroup_handle
    )
    return _settings_reply(services, settings, "usergroup")


def _calendar(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    secret = setup.calendar_secret(services.uow_factory, _request(services, command))
    base = services.public_url.rstrip("/") or "http://localhost:3000"
    url = f"{base}/oncall/{secret}.ics"
    return ephemeral(services.renderer.render("oncall/calendar", {"url": url}))


def _swap(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    assert request.user_id is not None
    asked = exchanges.ask_swap(
        services.uow_factory,
        services.chat,
        _request(services, command),
        request.user_id,
        _key(command),
    )
    context = {"swap": asked, "tz": _caller_tz(services, command)}
    return ephemeral(services.renderer.render("oncall/swap_asked", context))


def _cover(services: Services, command: SlashCommand, request: OncallRequest) -> dict[str, Any]:
    asked = exchanges.ask_cover(
        services.uow_factory,
        _request(services, command, admin=request.user_id is not None),
        request.user_id,
        request.days,
        _key(command),
    )
    channel = services.renderer.in_channel(command.team_id, command.channel_id)
    payload = channel.render("oncall/cover_request", {"cover": asked})
    return {"response_type": "in_channel", **payload}


_ACTIONS: dict[str, Action] = {
    "start": _start,
    "handoff": _edit("handoff", _handoff_edit),
    "shift": _edit("shift", lambda r: lambda v: replace(v, shift=r.shift)),
    "timezone": _edit("timezone", lambda r: lambda v: replace(v, tz=r.tz)),
    "add": _add,
    "remove": _remove,
    "order": _order,
    "country": _country,
    "who": _who,
    "schedule": _schedule,
    "history": _history,
    "away": _away,
    "override": _override,
    "note": _note,
    "usergroup": _usergroup,
    "calendar": _calendar,
    "swap": _swap,
    "cover": _cover,
}

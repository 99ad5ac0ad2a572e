"""`/daily`: acknowledge at once, then do the work and answer the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ceremonies.core import language_choice
from ceremonies.core.languages import AUTOMATIC, native_name
from ceremonies.core.parsing import InvalidInput
from ceremonies.core.request import Request
from ceremonies.core.time_model import local_date
from ceremonies.daily import reports as daily_reports
from ceremonies.daily import setup as daily_setup
from ceremonies.daily.rules import DEFAULT_QUESTIONS
from handlers.daily.forms import open_settings_modal
from handlers.daily.parser import NEEDS_CHANNEL, DailyRequest, parse_daily_command
from handlers.kit import (
    Services,
    SlashCommand,
    ephemeral,
    guarded,
    invalid_message,
    refusal_message,
    request_from,
)


def register(app: App, services: Services) -> None:
    @app.command("/daily")
    def on_daily(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        try:
            command = SlashCommand.model_validate(body)
        except ValidationError:
            ack(**ephemeral(services.renderer.render("common/malformed", {})))
            return
        caller_tz = services.default_tz
        try:
            today = local_date(caller_tz, services.clock.now())
            request = parse_daily_command(command.text, today, services.languages)
        except InvalidInput as error:
            ack(**ephemeral(invalid_message(services, error)))
            return
        if request.action == "help":
            ack(**ephemeral(services.renderer.render("daily/help", {})))
            return
        if command.in_dm and request.action in NEEDS_CHANNEL:
            ack(**ephemeral(refusal_message(services, "needs_channel", {"action": request.action})))
            return
        if request.action == "settings":
            ack()
            guarded(
                services, respond, lambda: open_settings_modal(services, client, command), soon=True
            )
            return
        ack()
        guarded(services, respond, lambda: _dispatch(services, command, request))


def _request(services: Services, command: SlashCommand) -> Request:
    return request_from(services, command.team_id, command.channel_id, command.user_id)


def _dispatch(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    handler = _ACTIONS[request.action]
    return handler(services, command, request)


def _settings_reply(
    services: Services,
    settings: daily_setup.DailySettings,
    change: str,
    *,
    public: bool = False,
    team_id: str = "",
) -> dict[str, Any]:
    # What the whole channel reads is in the channel's language; a reply to one, theirs.
    renderer = (
        services.renderer.in_channel(team_id, settings.channel_id) if public else services.renderer
    )
    payload = renderer.render("daily/settings_summary", {"settings": settings, "change": change})
    return {"response_type": "in_channel" if public else "ephemeral", **payload}


def _start(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    # The default questions are stored as written (language-neutral): each prompt and post
    # asks them in its reader's language (bot/rendering.py's `asked`).
    settings = daily_setup.start_daily(
        services.uow_factory, services.chat, _request(services, command), DEFAULT_QUESTIONS
    )
    return _settings_reply(services, settings, "started", public=True, team_id=command.team_id)


def _change(
    attribute: str, value_of: Callable[[DailyRequest], Any], change: str
) -> Callable[..., Any]:
    def run(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
        value = value_of(request)
        settings = daily_setup.change_daily(
            services.uow_factory,
            _request(services, command),
            lambda daily: setattr(daily, attribute, value),
        )
        return _settings_reply(services, settings, change)

    return run


def _add(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    settings = daily_setup.add_participant(
        services.uow_factory,
        services.chat,
        _request(services, command),
        request.user_id or command.user_id,
    )
    return _settings_reply(services, settings, "added")


def _remove(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    settings = daily_setup.remove_participant(
        services.uow_factory, _request(services, command), request.user_id or command.user_id
    )
    return _settings_reply(services, settings, "removed")


def _skip(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    skipped = daily_setup.skip_today(services.uow_factory, _request(services, command))
    services.home_changed(command.team_id, [command.user_id])
    return ephemeral(services.renderer.render("daily/skipped", {"local_date": skipped}))


def _country(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    asked = _request(services, command)
    if request.user_id:
        settings = daily_setup.set_participant_country(
            services.uow_factory, asked, request.user_id, request.country
        )
    else:
        settings = daily_setup.change_daily(
            services.uow_factory, asked, lambda daily: setattr(daily, "country", request.country)
        )
    return _settings_reply(services, settings, "country")


def _away(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    assert request.absence is not None
    who = request.user_id or command.user_id
    asked = _request(services, command)
    days = daily_setup.add_absence(services.uow_factory, services.chat, asked, who, request.absence)
    services.absence_added(asked, who, request.absence)
    return ephemeral(services.renderer.render("daily/away", {"user_id": who, "absence": days}))


def _status(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    status = daily_reports.status(services.uow_factory, command.team_id, command.channel_id)
    return ephemeral(services.renderer.render("daily/status", {"status": status}))


def _history(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    days = daily_reports.history(
        services.uow_factory,
        _request(services, command),
        request.user_id,
        request.days,
        services.chat.profile(command.team_id, command.user_id).tz,
    )
    return ephemeral(
        services.renderer.render(
            "daily/history",
            {
                "days": days,
                "user_id": request.user_id,
                "count": request.days,
                "channel_id": command.channel_id,
            },
        )
    )


def _language(services: Services, command: SlashCommand, request: DailyRequest) -> dict[str, Any]:
    """Shows one's language and the channel's; with a code, sets one's own (in a DM, or with
    `me`) or the channel's; `auto` clears that choice. Replied to in the language that now
    applies, so the reply itself confirms it."""
    team_id, user_id = command.team_id, command.user_id
    channel_id = None if command.in_dm else command.channel_id
    mine = command.in_dm or request.for_me
    changed = request.language is not None
    if changed:
        code = None if request.language == AUTOMATIC else request.language
        language_choice.choose(
            services.uow_factory,
            team_id,
            user_id=user_id if mine else None,
            channel_id=None if mine else channel_id,
            code=code,
        )
    status = language_choice.status(
        services.uow_factory, team_id, user_id, channel_id, services.languages
    )
    if changed and mine:
        services.renderer.speak(status.person.code)
        services.home_changed(team_id, [user_id])
    elif changed and status.channel is not None:
        services.renderer.speak(status.channel.code)
    context = {
        "status": status,
        "change": ("person" if mine else "channel") if changed else None,
        "names": {code: native_name(code) for code in status.available},
    }
    return ephemeral(services.renderer.render("daily/language", context))


_ACTIONS: dict[str, Callable[[Services, SlashCommand, DailyRequest], dict[str, Any]]] = {
    "start": _start,
    "time": _change("prompt_time", lambda r: r.prompt_time, "time"),
    "days": _change("weekdays", lambda r: r.weekdays, "days"),
    "questions": _change("questions", lambda r: list(r.questions or ()), "questions"),
    "pause": _change("paused", lambda r: True, "paused"),
    "resume": _change("paused", lambda r: False, "resumed"),
    "add": _add,
    "remove": _remove,
    "skip": _skip,
    "country": _country,
    "away": _away,
    "status": _status,
    "history": _history,
    "language": _language,
}

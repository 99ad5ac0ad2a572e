"""The retro's events: replies in a retro's thread are items, and edits change them."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Written
from ceremonies.retro import flow as retro_flow
from handlers.kit import MessageEvent, Services, in_dm, log, read_message, request_from


def _in_channel(event: dict[str, Any]) -> bool:
    return not in_dm(event)


def register(app: App, services: Services) -> None:
    @app.event("message", matchers=[_in_channel])
    def on_channel_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        message = read_message(event)
        if message is not None:
            team_id = str(body.get("team_id", ""))
            services.later(lambda: _route(services, client, team_id, message))


def _route(services: Services, client: WebClient, team_id: str, event: MessageEvent) -> None:
    if event.subtype == "message_changed":
        edited = event.message
        if edited is None or edited.bot_id or not edited.user:
            return
        retro_flow.edit_item(
            services.uow_factory,
            request_from(services, team_id, event.channel, edited.user),
            Written(edited.ts, edited.text),
        )
    elif event.by_person() and event.user and event.thread_ts and event.thread_ts != event.ts:
        _thread_reply(services, client, team_id, event, event.user, event.thread_ts)


def _thread_reply(
    services: Services,
    client: WebClient,
    team_id: str,
    event: MessageEvent,
    user: str,
    thread_ts: str,
) -> None:
    channel = event.channel
    try:
        outcome = retro_flow.item_in_thread(
            services.uow_factory,
            services.chat,
            request_from(services, team_id, channel, user),
            thread_ts,
            Written(event.ts, event.text),
        )
    except Refusal as refusal:
        payload = services.renderer.render(
            "common/refusal", {"code": refusal.code, **refusal.params}
        )
    else:
        if outcome is None or not outcome.kept_for_later:
            return
        payload = services.renderer.render("retro/kept_for_later", {"phase": outcome.phase})
    try:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **payload)
    except Exception:
        log.exception("could not tell %s about their retro item", user)

"""The retro's events: replies in a retro's thread are items, and edits change them."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Written
from ceremonies.retro import flow as retro_flow
from handlers.kit import Services, in_dm, log, request_from, written_by_person


def _in_channel(event: dict[str, Any]) -> bool:
    return not in_dm(event)


def register(app: App, services: Services) -> None:
    @app.event("message", matchers=[_in_channel])
    def on_channel_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        services.later(lambda: _route(services, client, body.get("team_id", ""), event))


def _route(services: Services, client: WebClient, team_id: str, event: dict[str, Any]) -> None:
    if event.get("subtype") == "message_changed":
        edited = event.get("message") or {}
        if edited.get("bot_id") or not edited.get("user"):
            return
        retro_flow.edit_item(
            services.uow_factory,
            request_from(services, team_id, event.get("channel", ""), edited["user"]),
            Written(edited["ts"], edited.get("text", "")),
        )
    elif (
        written_by_person(event)
        and event.get("thread_ts")
        and event.get("thread_ts") != event.get("ts")
    ):
        _thread_reply(services, client, team_id, event)


def _thread_reply(
    services: Services, client: WebClient, team_id: str, event: dict[str, Any]
) -> None:
    user, channel = event["user"], event["channel"]
    try:
        outcome = retro_flow.item_in_thread(
            services.uow_factory,
            services.chat,
            request_from(services, team_id, channel, user),
            event["thread_ts"],
            Written(event["ts"], event.get("text", "")),
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
        client.chat_postEphemeral(
            channel=channel, user=user, thread_ts=event["thread_ts"], **payload
        )
    except Exception:
        log.exception("could not tell %s about their retro item", user)

"""Every `message` event, routed: DMs feed the dailies, thread replies feed the retros."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from ceremonies.core.errors import Refusal
from ceremonies.daily import answers as daily_answers
from ceremonies.retro import flow as retro_flow
from handlers.kit import Services, log

# Message subtypes that are still a person writing; everything else (joins, bot posts…) is not.
PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def register(app: App, services: Services) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        services.later(lambda: _route(services, client, body.get("team_id", ""), event))


def _route(services: Services, client: WebClient, team_id: str, event: dict[str, Any]) -> None:
    subtype = event.get("subtype")
    if subtype == "message_changed":
        _edited(services, team_id, event)
        return
    if subtype not in PERSON_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return
    if event.get("channel_type") == "im":
        daily_answers.take_dm_reply(
            services.uow_factory,
            services.chat,
            team_id,
            event["user"],
            event["channel"],
            event["ts"],
            event.get("text", ""),
            services.clock.now(),
        )
    elif event.get("thread_ts") and event.get("thread_ts") != event.get("ts"):
        _thread_reply(services, client, team_id, event)


def _edited(services: Services, team_id: str, event: dict[str, Any]) -> None:
    edited = event.get("message") or {}
    if edited.get("bot_id") or not edited.get("user"):
        return
    if event.get("channel_type") == "im":
        daily_answers.take_edit(
            services.uow_factory,
            services.chat,
            team_id,
            edited["user"],
            edited["ts"],
            edited.get("text", ""),
            services.clock.now(),
        )
    else:
        retro_flow.edit_item(
            services.uow_factory, team_id, edited["user"], edited["ts"], edited.get("text", "")
        )


def _thread_reply(
    services: Services, client: WebClient, team_id: str, event: dict[str, Any]
) -> None:
    user, channel = event["user"], event["channel"]
    try:
        outcome = retro_flow.item_in_thread(
            services.uow_factory,
            services.chat,
            team_id,
            channel,
            event["thread_ts"],
            user,
            event.get("text", ""),
            event["ts"],
            services.clock.now(),
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

"""The weekly report's buttons and modals: Add status, Acknowledge, Add to risks, settings."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ceremonies.core.errors import Refusal
from ceremonies.core.parsing import InvalidInput, parse_clock_time
from ceremonies.core.text import escape
from ceremonies.weekly import register as risk_register
from ceremonies.weekly import setup, statuses
from ceremonies.weekly.report import Submission
from ceremonies.weekly.status import STATUSES
from handlers.kit import (
    Services,
    SlashCommand,
    ephemeral,
    guarded,
    invalid_text,
    refusal_message,
    request_from,
    team_of,
    trigger_of,
)

ADD_STATUS = "weekly_add_status"
STATUS_FORM = "weekly_status"
ACKNOWLEDGE = "weekly_acknowledge"
TO_RISKS = "weekly_blocker_to_risk"
SETTINGS_FORM = "weekly_settings"
TEXT_FIELDS = ("highlights", "plans", "decisions")


def _user(body: dict[str, Any]) -> str:
    return str(body["user"]["id"])


def _value(body: dict[str, Any]) -> str:
    return str(body["actions"][0]["value"])


def register_forms(app: App, services: Services) -> None:
    @app.action(ADD_STATUS)
    def on_add_status(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id = team_of(body)
        try:
            report_id, week_label = _value(body).split("|", 1)
            form = statuses.status_form(
                services.uow_factory,
                request_from(services, team_id, "", _user(body)),
                int(report_id),
                week_label,
            )
            view = services.renderer.view(
                "weekly/status_modal",
                {
                    "report_id": form.report_id,
                    "week_label": form.week_label,
                    "proposal_status": form.proposal_status,
                    "submission": form.submission,
                    "channel_id": form.channel_id,
                    "channels": {},
                },
            )
        except Refusal as refusal:
            view = services.renderer.view("common/notice_modal", {"code": refusal.code})
        client.views_open(trigger_id=trigger_of(body), view=view)

    @app.view(STATUS_FORM)
    def on_submit_status(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        values = view["state"]["values"]
        meta = json.loads(view["private_metadata"])
        status = (values["status"]["value"].get("selected_option") or {}).get("value")
        texts = {f: values.get(f, {}).get("value", {}).get("value") or "" for f in TEXT_FIELDS}
        errors = {
            f: services.renderer.text("weekly/text_too_long", limit=statuses.MAX_TEXT)
            for f, text in texts.items()
            if len(text) > statuses.MAX_TEXT
        }
        if status not in STATUSES:
            errors["status"] = services.renderer.text("weekly/status_required")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        submission = Submission(status, *(escape(texts[f].strip()) for f in TEXT_FIELDS))
        request = request_from(services, team_of(body), "", _user(body))
        user_id = _user(body)

        def submit() -> None:
            try:
                statuses.submit_status(
                    services.uow_factory, request, int(meta["report_id"]), meta["week"], submission
                )
            except Refusal as refusal:  # a modal has no reply: the status DM's person is told
                payload = refusal_message(services, refusal.code, refusal.params)
                client.chat_postMessage(channel=user_id, **payload)

        services.later(submit)

    @app.action(ACKNOWLEDGE)
    def on_acknowledge(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        delivery_id, decision = (int(part) for part in _value(body).split(":", 1))
        request = request_from(services, team_of(body), "", _user(body))

        def work() -> dict[str, Any]:
            statuses.acknowledge(
                services.uow_factory, services.chat, request, delivery_id, decision
            )
            return {}

        guarded(services, respond, work)

    @app.action(TO_RISKS)
    def on_to_risks(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        report_id, channel_id, user_id, first = _value(body).split("|", 3)
        blocker = risk_register.BlockerRef(channel_id, user_id, date.fromisoformat(first))
        request = request_from(services, team_of(body), channel_id, _user(body))
        key = f"weekly_risk:{team_of(body)}:{trigger_of(body)}"

        def work() -> dict[str, Any]:
            saved = risk_register.blocker_to_risk(
                services.uow_factory, request, int(report_id), blocker, key
            )
            context = {"risk": saved, "change": "added", "names": {}}
            return ephemeral(services.renderer.render("weekly/risk_saved", context))

        guarded(services, respond, work)

    @app.view(SETTINGS_FORM)
    def on_submit_settings(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        values = view["state"]["values"]
        meta = json.loads(view["private_metadata"])
        try:
            at = parse_clock_time(values["time"]["value"].get("selected_time") or "")
        except InvalidInput as error:
            ack(response_action="errors", errors={"time": invalid_text(services, error)[:150]})
            return
        weekday = int((values["weekday"]["value"].get("selected_option") or {})["value"])
        recipients = list(values["recipients"]["value"].get("selected_users") or [])
        sources = list(values["sources"]["value"].get("selected_conversations") or [])
        ack()
        team_id, user_id = team_of(body), _user(body)
        request = request_from(services, team_id, "", user_id)

        def apply() -> None:
            try:
                setup.apply_settings(
                    services.uow_factory,
                    services.chat,
                    request,
                    int(meta["report_id"]),
                    weekday=weekday,
                    at=at,
                    recipients=recipients,
                    sources=sources,
                )
            except Refusal as refusal:  # a modal has no reply: tell the person where they are
                payload = refusal_message(services, refusal.code, refusal.params)
                client.chat_postEphemeral(channel=meta["channel_id"], user=user_id, **payload)

        services.later(apply)


def open_settings_modal(
    services: Services, client: WebClient, command: SlashCommand
) -> dict[str, Any]:
    settings = setup.settings(
        services.uow_factory,
        request_from(services, command.team_id, command.channel_id, command.user_id),
    )
    view = services.renderer.view(
        "weekly/settings_modal",
        {"settings": settings, "report_id": settings.report_id, "channel_id": command.channel_id},
    )
    client.views_open(trigger_id=command.trigger_id, view=view)
    return {}

"""The daily's modals: answering in a form and editing the settings."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ceremonies.core.errors import Refusal
from ceremonies.core.parsing import InvalidInput, parse_clock_time, parse_country, parse_questions
from ceremonies.core.text import escape, unescape
from ceremonies.daily import answers as daily_answers
from ceremonies.daily import setup as daily_setup
from handlers.kit import Services, SlashCommand, invalid_text, request_from, team_of, trigger_of

ANSWER_FORM = "daily_answer_form"
SETTINGS_FORM = "daily_settings"


def register(app: App, services: Services) -> None:
    @app.action(ANSWER_FORM)
    def on_open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        team_id = team_of(body)
        try:
            prompt_id = int(body["actions"][0]["value"])
            form = daily_answers.form_for(services.uow_factory, team_id, user_id, prompt_id)
            view = services.renderer.view(
                "daily/answer_form",
                {"form": form, "answers": [unescape(a) for a in form.answers]},
            )
        except (Refusal, ValueError, KeyError):
            view = services.renderer.view("common/notice_modal", {"code": "not_your_prompt"})
        client.views_open(trigger_id=trigger_of(body), view=view)

    @app.view(ANSWER_FORM)
    def on_submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        texts = [
            (values[block]["answer"].get("value") or "").strip()
            for block in sorted(values, key=lambda b: int(b.removeprefix("q")))
        ]
        empty = [f"q{i}" for i, text in enumerate(texts) if not text]
        if empty:
            ack(
                response_action="errors",
                errors={b: services.renderer.text("daily/answer_required") for b in empty},
            )
            return
        ack()

        def store() -> None:
            daily_answers.submit_form(
                services.uow_factory,
                services.chat,
                request_from(services, team_of(body), "", body["user"]["id"]),
                int(view["private_metadata"]),
                [escape(t) for t in texts],
            )
            services.home_changed(team_of(body), [body["user"]["id"]])

        services.later(store)

    @app.view(SETTINGS_FORM)
    def on_submit_settings(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        errors: dict[str, str] = {}
        changes: dict[str, Any] = {}
        fields = {
            "time": lambda: parse_clock_time(values["time"]["value"].get("selected_time") or ""),
            "questions": lambda: [
                services.renderer.source_of(question)
                for question in parse_questions(
                    " | ".join(
                        line
                        for line in (values["questions"]["value"].get("value") or "").splitlines()
                        if line.strip()
                    )
                )
            ],
            "country": lambda: parse_country(values["country"]["value"].get("value") or "none"),
        }
        for block, parse in fields.items():
            try:
                changes[block] = parse()
            except InvalidInput as error:
                errors[block] = invalid_text(services, error)[:150]
        days = frozenset(
            int(o["value"]) for o in values["days"]["value"].get("selected_options") or []
        )
        if not days:
            errors["days"] = services.renderer.text("daily/days_required")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        paused = bool(values["paused"]["value"].get("selected_options"))

        def apply(daily: Any) -> None:
            daily.prompt_time = changes["time"]
            daily.questions = changes["questions"]
            daily.country = changes["country"]
            daily.weekdays = days
            daily.paused = paused

        services.later(
            lambda: daily_setup.change_daily(
                services.uow_factory,
                request_from(services, team_of(body), view["private_metadata"], body["user"]["id"]),
                apply,
            )
        )


def open_settings_modal(
    services: Services, client: WebClient, command: SlashCommand
) -> dict[str, Any]:
    settings = daily_setup.show_settings(
        services.uow_factory,
        request_from(services, command.team_id, command.channel_id, command.user_id),
    )
    view = services.renderer.view("daily/settings_modal", {"settings": settings})
    client.views_open(trigger_id=command.trigger_id, view=view)
    return {}

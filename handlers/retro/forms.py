"""The retro's buttons and modals: add an item, rate, choose, owners, outcomes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Request
from ceremonies.core.text import escape
from ceremonies.retro import actions as retro_actions
from ceremonies.retro import choice as retro_choice
from ceremonies.retro import flow as retro_flow
from ceremonies.retro import rating as retro_rating
from handlers.kit import (
    Services,
    ephemeral,
    guarded,
    in_a_view,
    log,
    refusal_message,
    request_from,
    team_of,
    trigger_of,
)
from handlers.retro.commands import close_and_tell_home

STATUS_BUTTON = re.compile(r"^retro_(status|helped)_\w+$")


def _channel(body: dict[str, Any]) -> str:
    return (body.get("channel") or {}).get("id", "")


def register(app: App, services: Services) -> None:
    def button(
        action_id: str | re.Pattern[str],
        work: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
    ) -> None:
        @app.action(action_id)
        def handle(
            ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
        ) -> None:
            ack()
            guarded(services, respond, lambda: work(body, action))

    def asked(body: dict[str, Any], *, admin: bool = True) -> Request:
        """The clicking person's request; admin=True asks Slack whether they run the workspace."""
        return request_from(
            services, team_of(body), _channel(body), body["user"]["id"], admin=admin
        )

    def step(
        run: Callable[..., object],
    ) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
        def work(body: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
            run(body, action)
            return {}

        return work

    uow, chat = services.uow_factory, services.chat
    button("retro_start_rating", step(lambda b, a: retro_rating.start_rating(uow, chat, asked(b))))
    button("retro_choose", step(lambda b, a: retro_choice.pick(uow, chat, asked(b))))
    button("retro_close", step(lambda b, a: close_and_tell_home(services, asked(b))))
    button(
        "retro_carry",
        step(lambda b, a: retro_flow.carry_backlog(uow, chat, asked(b), int(a["value"]))),
    )

    # Every control carries its retro's id: a button left on an old retro's message must
    # not change the retro running now.
    def owner(b: dict[str, Any], a: dict[str, Any]) -> object:
        retro_id, position = map(int, a["block_id"].removeprefix("action_").split("_"))
        return retro_choice.set_owner(
            uow, chat, asked(b), position, a["selected_user"], retro_id=retro_id
        )

    def swap(b: dict[str, Any], a: dict[str, Any]) -> object:
        retro_id, position, number = map(int, a["selected_option"]["value"].split(":"))
        return retro_choice.swap_action(uow, chat, asked(b), position, number, retro_id=retro_id)

    def drop(b: dict[str, Any], a: dict[str, Any]) -> object:
        retro_id, position = map(int, a["value"].split(":"))
        return retro_choice.drop_action(uow, chat, asked(b), position, retro_id=retro_id)

    button("retro_owner", step(owner))
    button("retro_swap", step(swap))
    button("retro_drop", step(drop))

    def outcome(body: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
        action_id, value = action["value"].split(":")
        field = "status" if action["action_id"].startswith("retro_status") else "helped"
        reported = retro_actions.report(
            uow, asked(body, admin=False), int(action_id), **{field: value}
        )
        services.home_changed(team_of(body), [body["user"]["id"]])
        if in_a_view(body):
            return {}  # pressed on the Home tab, which now shows it: nowhere to reply
        return ephemeral(services.renderer.render("retro/reported", reported))

    @app.action(STATUS_BUTTON)
    def on_outcome(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        # A button on the Home tab has no response_url: a refusal there is only logged
        # (Home shows each person their own actions, so it is a stale button at most).
        reply = _logged_reply if in_a_view(body) else respond
        guarded(services, reply, lambda: outcome(body, action))

    @app.action("retro_add_item")
    def open_add_item(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        view = services.renderer.view("retro/add_item_modal", {"retro_id": int(action["value"])})
        client.views_open(trigger_id=trigger_of(body), view=view)

    @app.view("retro_add_item")
    def add_item(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view["state"]["values"]
        text = (values["text"]["value"].get("value") or "").strip()
        if not text:
            ack(
                response_action="errors",
                errors={"text": services.renderer.text("retro/item_required")},
            )
            return
        ack()

        def store() -> None:
            anonymous = bool(values["anonymous"]["value"].get("selected_options"))
            kind = (values["kind"]["value"].get("selected_option") or {}).get("value", "improve")
            user = body["user"]["id"]
            try:
                outcome = retro_flow.add_item(
                    uow,
                    chat,
                    asked(body, admin=False),
                    int(view["private_metadata"]),
                    escape(text),
                    kind,
                    anonymous=anonymous,
                    # The same submission replayed after a crash must not add it twice.
                    request_key=f"view:{view.get('id')}:{body.get('trigger_id')}",
                    announce=True,
                )
            except Refusal as refusal:
                log.info("retro item refused: %s", refusal.code)
                return
            if outcome.kept_for_later and outcome.item is not None:
                with uow() as unit:
                    retro = unit.retros.retro(outcome.item.retro_id)
                    channel = retro.channel_id if retro else ""
                client.chat_postEphemeral(
                    channel=channel,
                    user=user,
                    **services.renderer.render("retro/kept_for_later", {"phase": outcome.phase}),
                )

        services.later(store)

    @app.action("retro_rate")
    def open_rating(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        try:
            page = retro_rating.rating_page(
                uow, team_of(body), int(action["value"]), body["user"]["id"], 1
            )
        except Refusal as refusal:
            respond(**ephemeral(refusal_message(services, refusal.code, refusal.params)))
            return
        client.views_open(
            trigger_id=trigger_of(body),
            view=services.renderer.view("retro/rating_modal", {"page": page}),
        )

    @app.view("retro_rate")
    def rate(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = json.loads(view["private_metadata"])
        values = view["state"]["values"]
        ratings = []
        for block, state in values.items():
            field, _, item_id = block.partition("_")
            if field == "importance":
                complexity = values[f"complexity_{item_id}"]["value"]["selected_option"]["value"]
                importance = state["value"]["selected_option"]["value"]
                ratings.append((int(item_id), importance, complexity))
        user, team = body["user"]["id"], team_of(body)
        try:
            retro_rating.submit_ratings(
                uow, chat, asked(body, admin=False), meta["retro_id"], ratings
            )
            if meta["page"] >= _pages(meta, view):
                ack()
                return
            page = retro_rating.rating_page(uow, team, meta["retro_id"], user, meta["page"] + 1)
        except Refusal as refusal:
            first = next(iter(values), "")
            text = services.renderer.text(
                "retro/refusal_in_form", code=refusal.code, **refusal.params
            )
            ack(response_action="errors", errors={first: text[:150]})
            return
        ack(
            response_action="update",
            view=services.renderer.view("retro/rating_modal", {"page": page}),
        )


def _logged_reply(**payload: Any) -> None:
    log.info("a reply to a button on a view was not shown: %s", payload.get("text", "")[:200])


def _pages(meta: dict[str, Any], view: dict[str, Any]) -> int:
    """The page count travels with the view: in its metadata (the title is translated, so
    its words and their order are the translator's), or in a title like "Rate items 2/3"
    of a modal opened before the count was in the metadata."""
    if "pages" in meta:
        return int(meta["pages"])
    return int(view["title"]["text"].rsplit("/", 1)[-1])

"""The on-call buttons: Accept / Decline on a swap, "Take it" on a cover."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from slack_bolt import Ack, App, Respond

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request
from ceremonies.oncall import exchanges, setup
from handlers.kit import Services, guarded, team_of

SWAP_ACCEPT = "oncall_swap_accept"
SWAP_DECLINE = "oncall_swap_decline"
COVER_TAKE = "oncall_cover_take"


def _pressed(body: dict[str, Any], action: dict[str, Any]) -> tuple[str, Actor, int]:
    """Who pressed which request's button; a value that is not an id is a malformed payload."""
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, str):
        raise ValueError("the button press names no user")
    return team_of(body), Actor(user_id), int(str(action.get("value", "")))


def shifts_moved(
    services: Services, team_id: str, channel_id: str, also: Iterable[str] = ()
) -> None:
    """The channel's rotation changed who is on call when: its people (and `also`, e.g. who
    was just removed) may read it on their Home tabs."""
    people = set(also)
    with suppress(Refusal):  # no rotation there (any more): only `also`
        request = Request(team_id, channel_id, Actor(""), services.clock.now())
        settings = setup.settings(services.uow_factory, request)
        people.update(settings.current.members)
        if settings.pending is not None:
            people.update(settings.pending.members)
    services.home_changed(team_id, sorted(people))


def register(app: App, services: Services) -> None:
    def swap_answer(accept: bool) -> Any:
        def handle(
            ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
        ) -> None:
            ack()

            def work() -> dict[str, Any]:
                team_id, actor, swap_id = _pressed(body, action)
                swap = exchanges.answer_swap(
                    services.uow_factory,
                    services.chat,
                    team_id,
                    actor,
                    swap_id,
                    accept,
                    services.clock.now(),
                )
                if accept:
                    shifts_moved(services, team_id, swap.channel_id)
                context = {"swap": swap, "accepted": accept}
                return services.renderer.render("oncall/swap_answered", context)

            guarded(services, respond, work)

        return handle

    app.action(SWAP_ACCEPT)(swap_answer(True))
    app.action(SWAP_DECLINE)(swap_answer(False))

    @app.action(COVER_TAKE)
    def take(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()

        def work() -> dict[str, Any]:
            team_id, actor, cover_id = _pressed(body, action)
            cover = exchanges.take_cover(
                services.uow_factory,
                services.chat,
                team_id,
                actor,
                cover_id,
                services.clock.now(),
            )
            shifts_moved(services, team_id, cover.channel_id, [actor.user_id])
            context = {"cover": cover, "taker_id": actor.user_id}
            return services.renderer.render("oncall/cover_taken", context)

        guarded(services, respond, work)

"""The Bolt app: request signing, routing, retried-event deduplication, every listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError

from bot.runtime import Runtime
from handlers import register_listeners
from handlers.kit import Services

log = logging.getLogger(__name__)


def build_app(runtime: Runtime) -> App:
    settings = runtime.settings
    app = App(
        client=runtime.client,
        signing_secret=settings.slack_signing_secret or "",
        # Our handlers ack first and keep working after; the default.
        process_before_response=False,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=True,
        listener_executor=runtime.listener_executor,
    )
    services = runtime.services
    app.use(_skip_retried_events(services))
    register_listeners(app, services)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        if isinstance(error, BoltUnhandledRequestError):
            # Unknown actions or events: acknowledged, so Slack does not retry them.
            return BoltResponse(status=200, body="")
        log.error("unhandled error for %s", body.get("type"), exc_info=error)
        return BoltResponse(status=500, body="")

    return app


def _skip_retried_events(services: Services):  # type: ignore[no-untyped-def]
    def middleware(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id:
            with services.uow_factory() as uow:
                first = uow.events.remember(body.get("team_id", ""), event_id, services.clock.now())
                uow.commit()
            if not first:
                return BoltResponse(status=200, body="")
        next()
        return None

    return middleware

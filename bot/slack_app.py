"""The Bolt app: request signing, the inbox (stored before the ack), routing, every listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError

from bot.inbox import DurableApp, current_failed, replay_gone_trigger
from bot.runtime import Runtime
from handlers import register_listeners

log = logging.getLogger(__name__)


def build_app(runtime: Runtime) -> App:
    settings = runtime.settings
    app = DurableApp(
        client=runtime.client,
        signing_secret=settings.slack_signing_secret or "",
        # Our handlers ack first and keep working after; the default.
        process_before_response=False,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=True,
        listener_executor=runtime.listener_executor,
    )
    services = runtime.services
    # After Bolt's own signature check: only genuine requests are stored, each before its ack.
    app.use(runtime.inbox.middleware)
    register_listeners(app, services)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        if isinstance(error, BoltUnhandledRequestError):
            # Unknown actions or events: acknowledged, so Slack does not retry them.
            return BoltResponse(status=200, body="")
        if replay_gone_trigger(error):
            log.info("a replayed request only opened a modal; its trigger is gone")
            return BoltResponse(status=200, body="")
        log.error("unhandled error for %s", body.get("type"), exc_info=error)
        current_failed(error)
        return BoltResponse(status=500, body="")

    return app

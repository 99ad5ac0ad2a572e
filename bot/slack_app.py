"""The Bolt app: request signing, the inbox (stored before the ack), routing, every listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError

from bot.inbox import DurableApp, InboxMiddleware, is_bad_payload, report_failure
from bot.rendering import Renderer
from bot.runtime import Runtime
from handlers import only_acks, register_listeners

log = logging.getLogger(__name__)


def build_app(runtime: Runtime) -> App:
    settings = runtime.settings
    oauth: dict[str, Any] = {}
    if runtime.installations is not None:
        from bot.installs import oauth_settings

        oauth["oauth_settings"] = oauth_settings(settings, runtime.installations, runtime.engine)
    app = DurableApp(
        client=runtime.client,
        signing_secret=settings.slack_signing_secret or "",
        **oauth,
        # Our handlers ack first and keep working after; the default.
        process_before_response=False,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=True,
        listener_executor=runtime.listener_executor,
        listener_here=only_acks,
    )
    services = runtime.services
    # After Bolt's own signature check: only genuine requests are stored, each before its ack.
    app.use(InboxMiddleware(runtime.inbox))
    register_listeners(app, services)
    if runtime.team_clients is not None:
        from bot.installs import listen_for_uninstalls

        listen_for_uninstalls(
            app, runtime.engine, runtime.team_clients.forget, runtime.services.clock
        )

    @app.error
    def on_error(error: Exception, body: Any) -> BoltResponse:
        if isinstance(error, BoltUnhandledRequestError):
            # Unknown actions or events: acknowledged, so Slack does not retry them.
            log.debug("no listener for a %s", kind_of(body))
            return BoltResponse(status=200, body="")
        report_failure(error, f"a {kind_of(body)}")
        if is_bad_payload(error):
            return unreadable(body, services.renderer)
        return BoltResponse(status=500, body="")

    return app


def kind_of(body: Any) -> str:
    if not isinstance(body, dict):
        return "request"
    return str(body.get("type") or ("command" if "command" in body else "request"))[:40]


def unreadable(body: Any, renderer: Renderer) -> BoltResponse:
    """The answer to a payload of the wrong shape: 2xx, and a sentence where someone waits."""
    if not isinstance(body, dict):
        return BoltResponse(status=200, body="")
    if "command" in body:
        message = {"response_type": "ephemeral", **renderer.render("common/malformed", {})}
        return BoltResponse(status=200, body=message)
    view = body.get("view")
    blocks = view.get("blocks") if isinstance(view, dict) else None
    inputs = [
        b["block_id"]
        for b in blocks or []
        if isinstance(b, dict) and b.get("type") == "input" and isinstance(b.get("block_id"), str)
    ]
    if body.get("type") == "view_submission" and inputs:
        errors = {inputs[0]: renderer.text("common/malformed_in_form")}
        return BoltResponse(status=200, body={"response_action": "errors", "errors": errors})
    return BoltResponse(status=200, body="")

"""`serve`: the checks at start, the front door (HTTP, or Socket Mode with /healthz on PORT),
the in-process clock, and a clean stop on SIGTERM or SIGINT."""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot.calendar_feed import feed_for
from bot.collector import LullCollections
from bot.due import jobs_with_replay
from bot.runtime import Runtime, build_runtime
from bot.scheduler import start_scheduler
from bot.server import HttpServer, make_wsgi_app
from bot.settings import ConfigurationError, Settings
from bot.slack_app import build_app
from ceremonies.core.stopping import request_stop
from storage.migrate import upgrade

log = logging.getLogger(__name__)

# How long a stop may take: what was acknowledged and the tick in progress finish within it;
# what does not is left claimed, and the next tick (any replica's) takes it over.
STOP_WITHIN = 20.0  # seconds


class Door(Protocol):
    """Where Slack's requests come in."""

    def stop_taking(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class HttpDoor:
    server: HttpServer

    def stop_taking(self) -> None:
        self.server.stop_accepting()

    def close(self) -> None:
        self.server.stop()


@dataclass
class SocketDoor:
    handler: Any  # AcksFirstSocketModeHandler
    side: HttpServer  # /healthz, /metrics and the calendar feeds

    def stop_taking(self) -> None:
        self.handler.close()  # no more envelopes; an ack not sent is retried by Slack

    def close(self) -> None:
        self.side.stop()


def serve(settings: Settings) -> int:
    runtime = build_runtime(settings, migrate=False)
    # In this order, each a one-line exit 2: no database, then a wrong token; then migrate.
    with runtime.engine.connect():
        pass
    if not settings.oauth:  # with many workspaces, each install's token is checked by Bolt
        check_bot_token(runtime.client)
    upgrade(runtime.engine)
    warn_on_old_python()
    app = build_app(runtime)
    # What start-up built lives as long as the process: kept out of the collector's full
    # passes, a full collection under load pauses every request ~20 ms instead of ~180 ms;
    # and those passes wait for a lull in requests.
    gc.collect()
    gc.freeze()
    LullCollections(runtime.gate.after_acks).install()
    stopping = threading.Event()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: stopping.set())
    clock = (
        start_scheduler(runtime.services, jobs_with_replay(app, runtime.inbox))
        if settings.scheduler_enabled
        else None
    )
    door = _open_door(settings, runtime, app)
    stopping.wait()
    return _stop(door, clock, runtime)


def warn_on_old_python() -> None:
    """The package requires Python 3.12 (pyproject.toml says why: issue 13's crashes on
    3.11); run from a checkout with an older interpreter, the bot says so at start."""
    if sys.version_info < (3, 12):  # noqa: UP036 - a checkout can still be run on 3.11
        log.warning(
            "Python %d.%d: fan-outs have crashed on this version in our soak tests; run the "
            "bot on Python 3.12 or newer (the container image does)",
            *sys.version_info[:2],
        )


def check_bot_token(client: Any) -> None:
    """A wrong or revoked token is found at start, not by every command failing later."""
    try:
        client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error", "refused")
        raise ConfigurationError(f"SLACK_BOT_TOKEN: Slack refused it ({reason})") from None
    except OSError as error:  # no route, DNS, TLS: the Web API cannot be reached
        raise ConfigurationError(
            f"SLACK_API_URL: cannot reach Slack at {client.base_url} ({error})"
        ) from None


def _open_door(settings: Settings, runtime: Runtime, app: Any) -> Door:
    endpoints = {
        "database_ok": runtime.database_ok,
        "calendar": feed_for(runtime.services),
        "last_slack_contact": lambda: runtime.slack_contact.last,
    }
    if not settings.slack_app_token:
        server = HttpServer(
            make_wsgi_app(app, gate=runtime.gate, **endpoints), "0.0.0.0", settings.port
        )
        server.start_in_background()
        log.info("listening on :%d", server.port)
        return HttpDoor(server)
    from bot.socket_mode import AcksFirstSocketModeHandler

    side = HttpServer(make_wsgi_app(None, **endpoints), "0.0.0.0", settings.port)
    side.start_in_background()
    handler = AcksFirstSocketModeHandler(app, settings.slack_app_token, runtime.gate)
    try:
        handler.connect()
    except SlackApiError as error:
        side.stop()
        reason = error.response.get("error", "refused")
        raise ConfigurationError(f"SLACK_APP_TOKEN: Slack refused it ({reason})") from None
    log.info("connected in Socket Mode; /healthz on :%d", side.port)
    return SocketDoor(handler, side)


def _stop(door: Door, clock: Any, runtime: Runtime) -> int:
    log.info(
        "stopping: no new requests; finishing what was acknowledged and the tick in "
        "progress (at most %.0f s)",
        STOP_WITHIN,
    )
    done = threading.Event()

    def wind_down() -> None:
        request_stop()  # the tick in progress finishes what it claimed and claims no more
        if clock is not None:
            clock.pause()  # no new tick
        door.stop_taking()
        runtime.gate.close(STOP_WITHIN)  # requests being answered get their ack; no new one
        if clock is not None:
            clock.shutdown(wait=True)  # the tick in progress
        runtime.shutdown()  # the work each acknowledged request left for after its ack
        door.close()
        done.set()

    threading.Thread(target=wind_down, name="stop", daemon=True).start()
    if done.wait(STOP_WITHIN):
        log.info("stopped")
        return 0
    log.warning(
        "stopped after %.0f s with work unfinished: it stays claimed, and the next tick "
        "takes it over",
        STOP_WITHIN,
    )
    logging.shutdown()
    os._exit(0)  # the threads still working would otherwise hold the exit

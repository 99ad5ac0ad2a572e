"""The real bot (Bolt app behind waitress, real database) wired to the stand-in Slack.

Used by the end-to-end tests, the benchmarks and the offline demo alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from slack_bolt import App

from bot.calendar_feed import feed_for
from bot.demo.standin.driver import SlackDriver
from bot.demo.standin.models import BOT_TOKEN, TEAM_ID
from bot.demo.standin.server import FakeSlack
from bot.due import DueRun, jobs_with_replay, run_all_due
from bot.runtime import Runtime, build_runtime
from bot.server import HttpServer, make_wsgi_app
from bot.settings import Settings
from bot.slack_app import build_app

SIGNING_SECRET = "standin-signing-secret"


class SettableClock:
    """The bot's clock, moved by whoever plays the scenario; Slack's signatures use real time."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


TEAM = TEAM_ID


@dataclass
class Bot:
    slack: FakeSlack
    driver: SlackDriver
    runtime: Runtime
    clock: SettableClock
    server: HttpServer
    app: App

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def tick(self, at: datetime | None = None) -> DueRun:
        if at is not None:
            self.clock.current = at
        services = self.runtime.services
        jobs = jobs_with_replay(self.app, self.runtime.inbox)
        return run_all_due(services.uow_factory, services.chat, self.clock.now(), jobs)


def settings_for(slack: FakeSlack, database_url: str) -> Settings:
    return Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=database_url,
        scheduler_enabled=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@contextmanager
def running_bot(
    slack: FakeSlack,
    tmp_path: Path,
    now: datetime,
    database_url: str | None = None,
    **overrides: object,
) -> Iterator[Bot]:
    clock = SettableClock(now)
    settings = settings_for(slack, database_url or f"sqlite:///{tmp_path / 'bot.db'}")
    settings = settings.model_copy(update=overrides)
    runtime = build_runtime(settings, clock=clock)
    app = build_app(runtime)
    wsgi = make_wsgi_app(
        app,
        runtime.database_ok,
        runtime.gate,
        calendar=feed_for(runtime.services),
        last_slack_contact=lambda: runtime.slack_contact.last,
    )
    server = HttpServer(wsgi, "127.0.0.1", 0)
    server.start_in_background()
    driver = SlackDriver(slack, f"http://127.0.0.1:{server.port}/slack/events", SIGNING_SECRET)
    try:
        yield Bot(slack, driver, runtime, clock, server, app)
    finally:
        server.stop()
        # Let listeners still answering (respond(), follow-ups) finish before Slack goes away.
        runtime.shutdown()
        runtime.engine.dispose()

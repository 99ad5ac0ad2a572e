"""Builds the running pieces from settings: database, Slack client, services."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine, text

from bot.rendering import Renderer
from bot.settings import Settings
from bot.slack_chat import SlackChat
from handlers.context import Services
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def make_client(token: str, api_url: str) -> WebClient:
    return WebClient(
        token=token,
        base_url=api_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            # Honours Retry-After; our pacing should make it rare.
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    client: WebClient
    services: Services
    # Bolt runs each listener here and acks from inside it: with too few threads, slow work
    # after one ack would delay the next request's ack (Bolt's default is 5).
    listener_executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=32, thread_name_prefix="listener")
    )

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True


def build_runtime(
    settings: Settings, *, clock: object | None = None, migrate: bool = True
) -> Runtime:
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    client = make_client(settings.slack_bot_token or "", settings.slack_api_url)
    renderer = Renderer()
    chat = SlackChat(
        client,
        renderer,
        default_tz=settings.default_timezone,
        post_rate_per_minute=settings.slack_post_rate_per_minute,
    )
    services = Services(
        uow_factory=SqlUnitOfWorkFactory(make_session_factory(engine)),
        chat=chat,
        clock=clock or SystemClock(),  # type: ignore[arg-type]
        renderer=renderer,
        default_tz=settings.default_timezone,
    )
    return Runtime(settings=settings, engine=engine, client=client, services=services)

"""Builds the running pieces from settings: database, Slack client, services."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Connection, Engine, text

from bot import metrics
from bot.ack_first import AckFirst, listener_runs_here, wait_for_ack
from bot.inbox import Inbox, current_ticket
from bot.languages import LanguageBook, Renderers, RequesterRenderer
from bot.pacing import AdaptivePace
from bot.pool import ThreadPool
from bot.services import Services
from bot.settings import Settings
from bot.slack_chat import SlackChat
from bot.translations import available_locales
from ceremonies.core.languages import Languages
from handlers import carries_nothing_to_keep
from storage.db import make_engine, make_session_factory, writer_queue
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory


class ListenerExecutor(ThreadPool):
    """Bolt's listener pool, which also knows whether any listener is still running."""

    def __init__(self, max_workers: int, name: str = "listener") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=name)
        self._running = 0
        self._count_lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if listener_runs_here():
            return self._run_here(fn, *args, **kwargs)
        future = self.bind(fn, *args, **kwargs)()
        wait_for_ack(future)
        return future

    def _run_here(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """`fn` run in this thread, in a copy of its context as a pool thread would have."""
        future: Future[Any] = Future()
        with self._count_lock:
            self._running += 1
        try:
            future.set_result(contextvars.copy_context().run(fn, *args, **kwargs))
        except Exception as error:  # Bolt's listener runner catches its own; as a pool would
            future.set_exception(error)
        finally:
            self._finished(None)
        return future

    def bind(
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Callable[[], Future[Any]]:
        """`fn`, to be submitted later with what this moment carries: the request's inbox
        ticket (a context variable), which waits for it, and the context; running from now."""
        with self._count_lock:
            self._running += 1
        ticket = current_ticket()
        if ticket is not None:
            ticket.hold()
        context = contextvars.copy_context()

        def run() -> Any:
            try:
                return context.run(fn, *args, **kwargs)
            finally:
                if ticket is not None:
                    ticket.release()

        def submit() -> Future[Any]:
            try:
                future = super(ListenerExecutor, self).submit(run)
            except BaseException:
                self._finished(None)
                if ticket is not None:
                    ticket.release()
                raise
            future.add_done_callback(self._finished)
            return future

        return submit

    def _finished(self, _future: Future[Any] | None) -> None:
        with self._count_lock:
            self._running -= 1

    @property
    def idle(self) -> bool:
        """No listener is running or waiting: every follow-up of past requests is done."""
        return self._running == 0


def receipt_connections(engine: Engine) -> Callable[[], Connection]:
    """Where the inbox's receipt writer gets its connection.

    On PostgreSQL each of its statements stands alone (an INSERT … ON CONFLICT DO NOTHING,
    a conditional UPDATE claiming a known row), so it runs in autocommit: no BEGIN and
    COMMIT round trips in front of every ack. On SQLite the begin hook puts writers in
    line (storage/db.py), so there it keeps its transactions.
    """
    if engine.dialect.name == "sqlite":
        return engine.connect
    return lambda: engine.connect().execution_options(isolation_level="AUTOCOMMIT")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SlackContact:
    """When Slack last answered a Web API call, whatever it answered (for /healthz)."""

    def __init__(self) -> None:
        self.last: datetime | None = None

    def answered(self) -> None:
        self.last = datetime.now(UTC)


class ContactWebClient(WebClient):
    """slack_sdk's client, noting each answer from Slack (an error answer is one too)."""

    def __init__(self, *args: Any, contact: SlackContact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact

    def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().api_call(api_method, *args, **kwargs)
        except SlackApiError as error:
            self.contact.answered()
            status = str(error.response.get("error") or error.response.status_code)
            metrics.SLACK_CALLS.labels(api_method, status).inc()
            raise
        except (SlackClientError, OSError):
            metrics.SLACK_CALLS.labels(api_method, "unreachable").inc()
            raise
        self.contact.answered()
        metrics.SLACK_CALLS.labels(api_method, "ok").inc()
        return response


class CountingRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's retry after a 429's Retry-After, each 429 counted (they are retried, so
    the call's own outcome does not show them) and told to `on_limited`; the retry then
    waits its turn (`before_retry`) at the pace like any other call."""

    def __init__(
        self,
        *args: Any,
        on_limited: Callable[[], None] = lambda: None,
        before_retry: Callable[[], object] = lambda: None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.on_limited = on_limited
        self.before_retry = before_retry

    def prepare_for_next_attempt(self, **kwargs: Any) -> None:
        super().prepare_for_next_attempt(**kwargs)  # sleeps out Retry-After
        self.before_retry()

    def _can_retry(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        retry = super()._can_retry(state=state, request=request, response=response, error=error)
        if retry:
            method = request.url.rsplit("/", 1)[-1].split("?", 1)[0]
            metrics.SLACK_CALLS.labels(method, "ratelimited").inc()
            self.on_limited()
        return retry


def make_client(
    token: str | None,
    api_url: str,
    *,
    for_posting: bool = False,
    contact: SlackContact | None = None,
    pace: AdaptivePace | None = None,
) -> WebClient:
    """A Web API client. One `for_posting` never repeats a call that may have been carried
    out (a 500 or a dropped connection after Slack posted): the caller looks for the message
    first. A 429 means nothing was done, so both honour Retry-After."""
    paced = {"on_limited": pace.limited, "before_retry": pace.acquire} if pace else {}
    retry_handlers: list[RetryHandler] = [CountingRateLimitRetryHandler(max_retry_count=5, **paced)]
    if not for_posting:
        retry_handlers += [
            ConnectionErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
    return ContactWebClient(
        token=token,
        base_url=api_url,
        timeout=15,
        retry_handlers=retry_handlers,
        contact=contact or SlackContact(),
    )


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    client: WebClient
    services: Services
    listener_executor: ListenerExecutor
    work_executor: ListenerExecutor
    gate: AckFirst
    inbox: Inbox
    slack_contact: SlackContact
    # Installs into many workspaces (OAuth): their store, and each workspace's clients.
    installations: Any = None  # SQLAlchemyInstallationStore
    team_clients: Any = None  # bot.installs.TeamClients

    def idle(self) -> bool:
        """No request is being handled and no follow-up work is left."""
        return self.listener_executor.idle and self.work_executor.idle

    def shutdown(self) -> None:
        self.listener_executor.shutdown(wait=True)
        self.gate.release_all()  # the work still waiting for a lull goes to its pool now
        self.work_executor.shutdown(wait=True)
        # The ends of that work the receipt writer still holds.
        if not self.inbox.close(timeout=10.0):
            logging.getLogger(__name__).warning(
                "the inbox writer did not finish in time: its rows are taken again"
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
    contact = SlackContact()
    # With many workspaces the app's own client has no token: each call is given its team's.
    own_token = None if settings.oauth else settings.slack_bot_token or ""
    client = make_client(own_token, settings.slack_api_url, contact=contact)
    custom = settings.custom_templates_dir
    # One renderer per language, made as it is first needed (issue 12: each person's and
    # channel's own language; DEFAULT_LOCALE for whoever the bot knows nothing of).
    renderers = Renderers(settings.default_locale, Path(custom) if custom else None)
    languages = Languages(tuple(available_locales()), settings.default_locale)
    uow_factory = SqlUnitOfWorkFactory(make_session_factory(engine))
    book = LanguageBook(uow_factory, languages)
    the_clock = clock or SystemClock()
    post_pace = AdaptivePace.per_minute(settings.slack_post_rate_per_minute)
    installations = team_clients = None
    if settings.oauth:
        from bot.installs import TeamClients, bot_token_of, installation_store

        installations = installation_store(settings, engine)
        api_url = settings.slack_api_url
        rate = settings.slack_post_rate_per_minute

        def team_link(token: str) -> tuple[WebClient, WebClient, AdaptivePace]:
            pace = AdaptivePace.per_minute(rate)  # Slack's limits are per workspace
            return (
                make_client(token, api_url, contact=contact),
                make_client(token, api_url, for_posting=True, contact=contact, pace=pace),
                pace,
            )

        team_clients = TeamClients(bot_token_of(installations), team_link)
    chat = SlackChat(
        client,
        renderers,
        post_client=make_client(
            own_token,
            settings.slack_api_url,
            for_posting=True,
            contact=contact,
            pace=post_pace,
        ),
        default_tz=settings.default_timezone,
        post_pace=post_pace,
        clients_of=team_clients.clients if team_clients else None,
        book=book,
        clock=the_clock,  # type: ignore[arg-type]
    )
    # Work after an ack runs on two threads: one slow piece (a /daily start reading a
    # thousand profiles) does not hold up everyone's replies, and when AckFirst lets
    # overdue work go in the middle of a burst, only two pieces start at once. With four,
    # those four took the interpreter lock from the acks together: at 200 commands a second
    # the stored ack's p99 was 34-72 ms against 12-26 ms with one or two (bench/ack.py).
    work_executor = ListenerExecutor(2, "work")
    gate = AckFirst()

    def refresh_locale(team_id: str, user_id: str) -> None:
        """Reads a person's profile again after the ack, which records their locale."""

        def read() -> None:
            try:
                chat.profile(team_id, user_id)
            except Exception as error:  # the next command tries again
                logging.getLogger(__name__).info("locale of %s not refreshed: %s", user_id, error)

        gate.after_acks(work_executor.bind(read))

    # Bolt runs each listener here and acks from inside it (those of slash commands and
    # events run in the request's own thread instead), and work that must start at once
    # runs here: with too few threads, slow work after one ack would delay the next
    # request's ack (Bolt's default is 5).
    listener_executor = ListenerExecutor(32)
    services = Services(
        uow_factory=uow_factory,
        chat=chat,
        clock=the_clock,  # type: ignore[arg-type]
        renderer=RequesterRenderer(renderers, book, the_clock, refresh_locale),  # type: ignore[arg-type]
        languages=languages,
        default_tz=settings.default_timezone,
        public_url=settings.public_url,
        defer=lambda work: gate.after_acks(work_executor.bind(work)),
        start=lambda work: listener_executor.bind(work)(),
    )
    return Runtime(
        settings=settings,
        engine=engine,
        client=client,
        services=services,
        listener_executor=listener_executor,
        work_executor=work_executor,
        gate=gate,
        inbox=Inbox(
            uow_factory,
            the_clock,  # type: ignore[arg-type]
            connect=receipt_connections(engine),
            nothing_to_keep=carries_nothing_to_keep,
            urgently=queue.urgently if (queue := writer_queue(engine)) else nullcontext,
        ),
        slack_contact=contact,
        installations=installations,
        team_clients=team_clients,
    )

"""Acknowledged means stored: a request is in the inbox before Slack gets its ack.

Every event, slash command, button press and modal submission is written to the inbox
(storage/inbox.py) by a Bolt middleware, in one transaction, before the listener runs and
acks; a retried event finds its row there and is not taken twice. A *ticket* follows the
request through the listener and every piece of work it leaves for after the ack (the
thread pools copy it along with the context); when the last of them ends, the row is marked
done, or, if something failed, left for a later tick. That tick (`replay_job`) dispatches
unfinished rows through the same Bolt app again, so a crash between the ack and the
database loses nothing. The services are written so that taking a request twice changes
nothing the second time (answers are keyed by their message, forms replace, items by
their submission).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.errors import SlackApiError

from bot.ack_first import prompt_acks
from bot.languages import asker_of, asking
from bot.receipts import Closed, Connection, End, Receipt, ReceiptWriter
from ceremonies.core.due import DueJob
from ceremonies.core.ports import Clock, DeliveryError, UnitOfWorkFactory
from handlers.kit import team_of
from storage import inbox as inbox_rows

log = logging.getLogger(__name__)

# A claim older than this is taken to be dead (its process crashed) and taken over.
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 3
REPLAY_BATCH = 200
# Slack retries an event for about an hour; a finished row's work is in its own tables.
KEEP_DONE = timedelta(days=1)
REPLAY = "inbox_replay"
REPLAY_WAIT = 60.0  # seconds
# A trigger id lives 3 seconds: a late or forged one names nothing Slack knows.
TRIGGER_GONE = frozenset({"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"})


@dataclass
class Slot:
    """Where the request being dispatched keeps its ticket (a context variable holds it)."""

    ticket: Ticket | None = None


CURRENT: ContextVar[Slot | None] = ContextVar("inbox_slot", default=None)


def current_ticket() -> Ticket | None:
    slot = CURRENT.get()
    return slot.ticket if slot is not None else None


class DurableApp(App):
    """Bolt's App whose every dispatch carries a slot for the request's inbox ticket.

    Bolt runs the middleware, then hands the listener to its executor, all inside
    `dispatch`; the executors copy the context, so the listener and the work it leaves
    behind hold the ticket, and the ticket closes only after all of them. The listener of
    a request for which `listener_here(body)` holds runs in the dispatching thread itself.
    """

    def __init__(
        self, *, listener_here: Callable[[Any], bool] = lambda body: False, **kwargs: Any
    ) -> None:
        self.listener_here = listener_here
        super().__init__(**kwargs)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        slot = Slot()
        token = CURRENT.set(slot)
        # Who asks, so that every reply to this request is rendered in their language.
        asked = asking.set(asker_of(req.body))
        try:
            with prompt_acks(req.context, listener_here=self.listener_here(req.body)):
                return super().dispatch(req)
        finally:
            asking.reset(asked)
            CURRENT.reset(token)
            if slot.ticket is not None:
                slot.ticket.dispatched()


@dataclass
class Ticket:
    """One inbox row in flight: done once the dispatch and all work it started have ended."""

    entry_id: int
    close: Callable[[int, str | None, str | None], None]
    replayed: bool = False
    _pending: int = 0
    _dispatched: bool = False
    _failure: str | None = None
    _closed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hold(self) -> None:
        with self._lock:
            self._pending += 1

    def release(self) -> None:
        with self._lock:
            self._pending -= 1
        self._close_if_settled()

    def dispatched(self) -> None:
        with self._lock:
            self._dispatched = True
        self._close_if_settled()

    def fail(self, reason: str) -> None:
        with self._lock:
            self._failure = self._failure or reason

    def reject(self, reason: str) -> None:
        """The request cannot be read: done, with the reason, and never tried again."""
        self.close(self.entry_id, None, reason)
        with self._lock:
            self._closed = True

    def _close_if_settled(self) -> None:
        with self._lock:
            if self._closed or not self._dispatched or self._pending:
                return
            self._closed = True
            failure = self._failure
        self.close(self.entry_id, failure, None)


# What reading a payload of the wrong shape raises; a retry cannot make it readable.
BAD_SHAPE = (KeyError, TypeError, ValueError, AttributeError, IndexError)


# What Slack answers about ids a request named that do not exist (or no longer).
UNKNOWN_IDS = TRIGGER_GONE | {"channel_not_found", "team_not_found", "user_not_found"}


def is_bad_payload(error: BaseException) -> bool:
    """A payload of the wrong shape, or naming ids (channel, trigger…) Slack does not know."""
    if isinstance(error, SlackApiError):
        return error.response.get("error") in UNKNOWN_IDS
    if isinstance(error, DeliveryError):
        return error.permanent  # sending again cannot help: the request named a wrong target
    return isinstance(error, BAD_SHAPE)


def report_failure(error: BaseException, what: str) -> None:
    """A request's handling failed: logged, and its inbox row left for a retry — unless the
    request itself cannot be read (bad input, not a fault): then a warning with the reason,
    and the row is done."""
    ticket = current_ticket()
    reason = f"{type(error).__name__}: {error}"
    if is_bad_payload(error):
        log.warning("%s could not be read: %s", what, reason)
        if ticket is not None:
            ticket.reject(f"unreadable: {reason}")
        return
    log.error("%s failed", what, exc_info=error)
    if ticket is not None:
        ticket.fail(reason)


def inbox_key(body: dict[str, Any]) -> tuple[str, str] | None:
    """What kind of request this is and what makes it unique; None for what is not kept."""
    kind = body.get("type")
    if kind == "event_callback" and isinstance(body.get("event_id"), str):
        return "event", f"event:{body['event_id']}"
    if "command" in body and isinstance(body.get("command"), str):
        return "command", f"command:{body.get('trigger_id') or _digest(body)}"
    if kind in ("block_actions", "view_submission"):
        return kind, f"{kind}:{body.get('trigger_id') or _digest(body)}"
    return None


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _store_receipts(connection: Any, batch: list[Receipt], now: datetime) -> list[int | None]:
    """The requests' rows; None for one that is known and being worked on (a retry while
    busy). A retry of a delivery whose work failed, or whose process died (its claim is
    older than the lease), is taken over."""
    stored = inbox_rows.receive_many(
        connection, [(r.team_id, r.key, r.kind, r.body) for r in batch], now
    )
    ids: list[int | None] = []
    for entry_id, new, failure in stored:
        stale_before = now if failure else now - LEASE
        taken = new or inbox_rows.claim(connection, entry_id, now, stale_before)
        ids.append(entry_id if taken else None)
    return ids


def _finish_entries(connection: Any, ends: list[End], now: datetime) -> None:
    inbox_rows.finish_many(connection, [(end.entry_id, end.rejected) for end in ends], now)


class Inbox:
    """The middleware that stores before the ack, and the job that replays what a crash left."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory[Any],
        clock: Clock,
        *,
        connect: Callable[[], Connection],
        nothing_to_keep: Callable[[dict[str, Any]], bool] = lambda body: False,
        urgently: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.nothing_to_keep = nothing_to_keep
        # Where the database has one writer (SQLite), receipts go first in its line: a
        # person is waiting for the ack, leftover work is not.
        # The writer stores on a connection of its own (`connect`), outside any unit of work.
        # It also records, in batches, the end of each request's work.
        self._writer = ReceiptWriter(
            _store_receipts, connect, clock, urgently, finish=_finish_entries
        )
        # Replayed rows not yet finished: a tick waits for them before its other jobs run.
        self._replaying: set[int] = set()
        self._replayed = threading.Condition()

    # -- receiving ---------------------------------------------------------------------------
    def middleware(
        self, req: BoltRequest, resp: BoltResponse, next: Callable[[], None]
    ) -> BoltResponse | None:
        """Runs after Bolt checked the signature, before any listener (and so any ack)."""
        replayed = req.context.get(REPLAY)
        body = req.body if isinstance(req.body, dict) else {}
        found = inbox_key(body) if replayed is None and not self.nothing_to_keep(body) else None
        if replayed is not None:
            self._follow(int(replayed), replayed=True)
        elif found is not None:
            entry_id = self._receive(team_of(body), *found, body)
            if entry_id is None:
                return BoltResponse(status=200, body="")  # taken already, or being taken
            self._follow(entry_id)
        next()
        return None

    def _receive(self, team_id: str, kind: str, key: str, body: dict[str, Any]) -> int | None:
        kept = {k: v for k, v in body.items() if k != "token"}  # Slack's verification token
        return self._writer.receive(Receipt(team_id, kind, key, kept))

    def _follow(self, entry_id: int, *, replayed: bool = False) -> None:
        slot = CURRENT.get()
        if slot is None:
            return
        # A DurableApp closes the ticket once all its work has ended.
        if replayed:
            slot.ticket = Ticket(entry_id, self._close_replayed, replayed)
            with self._replayed:
                self._replaying.add(entry_id)
        else:
            slot.ticket = Ticket(entry_id, self._close)

    def _close(self, entry_id: int, failure: str | None, rejected: str | None) -> None:
        """A request's work ended: done rows are recorded by the writer, in batches."""
        if failure is not None:
            self._record_end(entry_id, failure, rejected)
            return
        try:
            self._writer.ended(End(entry_id, rejected))
        except Closed:  # the bot is stopping: recorded here instead
            self._record_end(entry_id, None, rejected)

    def _close_replayed(self, entry_id: int, failure: str | None, rejected: str | None) -> None:
        """A replay's end is recorded before the tick that replayed it goes on."""
        try:
            self._record_end(entry_id, failure, rejected)
        finally:
            with self._replayed:
                self._replaying.discard(entry_id)
                self._replayed.notify_all()

    def close(self, timeout: float) -> bool:
        """Records what the writer has queued and stops it (the bot is stopping)."""
        return self._writer.close(timeout)

    def _record_end(self, entry_id: int, failure: str | None, rejected: str | None) -> None:
        try:
            with self.uow_factory() as uow:
                if failure is None:
                    uow.inbox.finish(entry_id, self.clock.now(), rejected)
                else:
                    uow.inbox.note_failure(entry_id, failure)
                uow.commit()
        except Exception:  # the row stays unfinished: a later tick replays it
            log.warning("could not record the end of inbox entry %s", entry_id, exc_info=True)

    # -- replaying ---------------------------------------------------------------------------
    def replay_job(self, app: App) -> DueJob:
        return DueJob("inbox", lambda _uow, _chat, now: self.replay(app, now))

    def replay(self, app: App, now: datetime) -> ReplayReport:
        report = ReplayReport()
        # What this process finished is recorded first, so it is not taken again.
        if not self._writer.flush(timeout=REPLAY_WAIT):
            report.failures.append("inbox: the ends of finished requests are not recorded yet")
            return report
        with self.uow_factory() as uow:
            taken = []
            for entry in uow.inbox.unfinished(now - LEASE, REPLAY_BATCH):
                if uow.inbox.claim(entry.id, now, now - LEASE):
                    taken.append((entry.id, entry.body, entry.attempts + 1, entry.failure))
            report.forgotten = uow.inbox.forget_done(now - KEEP_DONE)
            uow.commit()
        for entry_id, body, attempts, failure in taken:
            if attempts > MAX_ATTEMPTS:
                log.error(
                    "gave up on inbox entry %s after %d attempts: %s",
                    entry_id,
                    attempts - 1,
                    failure,
                )
                self._give_up(entry_id, now, failure)
                report.given_up += 1
                continue
            try:
                app.dispatch(BoltRequest(body=body, mode="socket_mode", context={REPLAY: entry_id}))
                report.replayed += 1
            except Exception as error:
                log.warning("replaying inbox entry %s failed", entry_id, exc_info=True)
                report.failures.append(f"inbox {entry_id}: {error}")
        # The work the replays started runs after their (unheard) acks: the rest of the tick
        # waits for it, so it sees what they stored (an answer, before its day closes).
        with self._replayed:
            if not self._replayed.wait_for(lambda: not self._replaying, timeout=REPLAY_WAIT):
                report.failures.append(f"inbox: {len(self._replaying)} replays still running")
        return report

    def _give_up(self, entry_id: int, now: datetime, failure: str | None) -> None:
        with self.uow_factory() as uow:
            uow.inbox.finish(entry_id, now, f"gave up: {failure}")
            uow.commit()


class InboxMiddleware(Middleware):
    """`Inbox.middleware` as Bolt's own kind of middleware, which Bolt calls as it is: a
    plain function would be wrapped, and the wrapper builds every argument a listener could
    ask for (respond, say, client…) on each request, costing more than the inbox's check."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        return self.inbox.middleware(req, resp, next)

    @property
    def name(self) -> str:
        return "inbox"


@dataclass
class ReplayReport:
    replayed: int = 0
    given_up: int = 0
    forgotten: int = 0
    failures: list[str] = field(default_factory=list)

    def figures(self) -> list[tuple[str, int]]:
        return [("replayed", self.replayed), ("given up", self.given_up)]

"""The container the listeners are given: storage, Slack, clock, templates, where work runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.inbox import report_failure
from ceremonies.core.languages import Languages
from ceremonies.core.ports import Chat, Clock, UnitOfWorkFactory
from ceremonies.core.request import Request
from ceremonies.core.time_model import DateRange
from ceremonies.home import refresh as home_refresh
from ceremonies.oncall import notify as oncall_notify
from handlers.kit import Renderer

log = logging.getLogger(__name__)


def run_now(work: Callable[[], object]) -> None:
    work()


@dataclass(frozen=True)
class Services:
    uow_factory: UnitOfWorkFactory[Any]
    chat: Chat
    clock: Clock
    renderer: Renderer
    # The languages there are catalogs for, and DEFAULT_LOCALE.
    languages: Languages = field(default_factory=lambda: Languages(("en",), "en"))
    default_tz: str = "UTC"
    # The base of links the bot hands out (the on-call calendar feed).
    public_url: str = ""
    # Where work after an ack runs. The bot hands it to a small pool of its own so that slow
    # work competes as little as possible with the next request's ack (one process, one GIL).
    defer: Callable[[Callable[[], object]], object] = run_now
    # Where work that must start at once runs (a modal to open), beside the ack.
    start: Callable[[Callable[[], object]], object] = run_now

    def later(self, work: Callable[[], object]) -> None:
        """Runs `work` after the ack; an error is logged, never shown as a trace."""
        self.defer(self._logged(work))

    def soon(self, work: Callable[[], object]) -> None:
        """Starts `work` at once beside the ack; an error is logged, never shown as a trace."""
        self.start(self._logged(work))

    def _logged(self, work: Callable[[], object]) -> Callable[[], None]:
        def logged() -> None:
            try:
                work()
            except Exception as error:
                self.failed(error)

        return logged

    def absence_added(self, request: Request, user_id: str, days: DateRange) -> None:
        """The on-call rotations re-plan around an absence another ceremony recorded."""
        oncall_notify.absence_added(self.uow_factory, self.chat, request, user_id, days)

    def home_changed(self, team_id: str, user_ids: list[str]) -> None:
        """Their Home tabs are published again where they now read differently; a failure
        is logged and never spoils the work that changed them."""
        try:
            home_refresh.changed(self.uow_factory, self.chat, team_id, user_ids, self.clock.now())
        except Exception:  # the request's own work is done: it is not tried again for this
            log.exception("the Home tab's refresh failed")

    def failed(self, error: Exception) -> None:
        """Work for a request failed: logged, and its inbox row is left for a later retry."""
        report_failure(error, "work after the ack")

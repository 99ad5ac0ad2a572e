"""Publishing the Home tab: when its person opens it, and again when it would be wrong.

Only people who opened Home ever get a `views.publish`. A refresh assembles the view and
publishes it only when it reads differently from the one last published for that person
(its digest, stored): a change is published at most once per person, whichever process
and however many callers notice it — the digest is claimed (compare-and-set) before the
call, as every other piece of work is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime

from ceremonies.core.ports import Chat, Conflict, DeliveryError, Message
from ceremonies.home.ports import HomeUnitOfWorkFactory
from ceremonies.home.view import HomeView, assemble

log = logging.getLogger(__name__)

TEMPLATE = "home/home"
SLICE = 500


def opened(
    uow_factory: HomeUnitOfWorkFactory, chat: Chat, team_id: str, user_id: str, now: datetime
) -> bool:
    """The person opened their Home tab: remembered, and their view published."""
    with uow_factory() as uow:
        viewer = uow.home.viewer(team_id, user_id)
        if viewer is None:
            # Opened twice at once: the other request remembered them.
            with suppress(Conflict):
                uow.home.add_viewer(
                    team_id=team_id,
                    user_id=user_id,
                    opened_at=now,
                    published_hash=None,
                    published_at=None,
                )
        else:
            viewer.opened_at = now
        uow.commit()
    # Slack shows what was published last; opening is the moment to put it right.
    return publish(uow_factory, chat, team_id, user_id, now, always=True)


def changed(
    uow_factory: HomeUnitOfWorkFactory,
    chat: Chat,
    team_id: str,
    user_ids: Iterable[str],
    now: datetime,
) -> int:
    """Something these people see on Home changed: those who opened it get it again when
    it now reads differently. Returns how many views were published."""
    wanted = sorted(set(user_ids))
    viewers: list[str] = []
    # A whole fan-out's people at once (a tick's prompts): asked in slices, so no engine
    # meets more bound parameters than it takes.
    for start in range(0, len(wanted), SLICE):
        with uow_factory() as uow:
            among = uow.home.viewers_among(team_id, wanted[start : start + SLICE])
            viewers += [v.user_id for v in among]
    return sum(publish(uow_factory, chat, team_id, u, now) for u in viewers)


def publish(
    uow_factory: HomeUnitOfWorkFactory,
    chat: Chat,
    team_id: str,
    user_id: str,
    now: datetime,
    *,
    always: bool = False,
) -> bool:
    """Publishes the person's view if it changed (or `always`); True when it was sent."""
    try:
        tz = chat.profile(team_id, user_id).tz
    except DeliveryError as error:
        log.warning("Home for %s not refreshed: %s", user_id, error.reason)
        return False
    with uow_factory() as uow:
        viewer = uow.home.viewer(team_id, user_id)
        if viewer is None:
            return False
        view = assemble(uow, team_id, user_id, tz, now)
        digest, before = view.digest(), viewer.published_hash
        if digest == before and not always:
            return False
        if not uow.home.compare_and_set(
            viewer, {"published_hash": before}, {"published_hash": digest, "published_at": now}
        ):
            return False  # another worker is publishing this person's view right now
        uow.commit()
    return _send(uow_factory, chat, team_id, user_id, view, digest)


def _send(
    uow_factory: HomeUnitOfWorkFactory,
    chat: Chat,
    team_id: str,
    user_id: str,
    view: HomeView,
    digest: str,
) -> bool:
    try:
        chat.publish_home(team_id, user_id, Message(TEMPLATE, {"home": view}))
    except DeliveryError as error:
        log.warning("Home for %s not published: %s", user_id, error.reason)
        # Forget the digest: the next change (or opening Home) publishes again.
        with uow_factory() as uow:
            viewer = uow.home.viewer(team_id, user_id)
            if viewer is not None:
                uow.home.compare_and_set(
                    viewer, {"published_hash": digest}, {"published_hash": None}
                )
                uow.commit()
        return False
    return True

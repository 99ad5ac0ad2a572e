"""A report's owner is told, once per template, that a custom template of theirs failed.

The report went out with the default template instead (the renderer falls back); the owner
hears it in a DM the first time each template fails, not every week, until it works again.
"""

from __future__ import annotations

import logging

from ceremonies.core.ports import Chat, DeliveryError, Message
from ceremonies.weekly.ports import WeeklyUnitOfWorkFactory

log = logging.getLogger(__name__)


def tell_owner_of_broken_templates(
    uow_factory: WeeklyUnitOfWorkFactory,
    chat: Chat,
    report_id: int,
    fell_back: tuple[tuple[str, str], ...],
) -> None:
    with uow_factory() as uow:
        row = uow.weeklies.report(report_id)
        if row is None:
            return
        if not fell_back:
            if row.broken_told:  # they all worked this time: a new failure is news again
                row.broken_told = []
                uow.commit()
            return
        new = {name: reason for name, reason in fell_back if name not in row.broken_told}
        if not new:
            return
        # Recorded before the DM: a notice is better missed once than sent every week.
        row.broken_told = [*row.broken_told, *new]
        team_id, owner = row.team_id, row.owner_id
        uow.commit()
    try:
        dm = chat.open_dm(team_id, owner)
        for name, reason in new.items():
            chat.post(
                team_id, dm, Message("weekly/template_broken", {"template": name, "error": reason})
            )
    except DeliveryError as error:
        log.warning("weekly report %s: owner not told of a broken template: %s", report_id, error)

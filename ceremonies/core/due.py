"""What a ceremony hands to run-due: a job doing its due work at one instant, and a report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ceremonies.core.ports import Chat, UnitOfWorkFactory


class DueReport(Protocol):
    """One ceremony's account of a tick: what it did (counted) and what failed."""

    failures: list[str]

    def figures(self) -> list[tuple[str, int]]:
        """What was done, as (what, how many), in the order an operator reads them."""
        ...


@dataclass(frozen=True)
class DueJob:
    """A ceremony's share of `run-due`; each piece of its work is claimed before it is done."""

    ceremony: str
    run: Callable[[UnitOfWorkFactory[Any], Chat, datetime], DueReport]

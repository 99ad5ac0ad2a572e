"""An in-memory unit of work for fast service tests (the cosmicpython FakeUnitOfWork)."""

from tests.fake_uow.core import Conflict, IntegrityViolation, LostUpdate
from tests.fake_uow.daily import Answer, Daily, DailyRun, FakeDailyStore, Participant, Prompt
from tests.fake_uow.retro import FakeRetroStore, Retro, RetroAction, RetroItem, RetroRating
from tests.fake_uow.unit_of_work import FakeUnitOfWork, FakeUnitOfWorkFactory

__all__ = [
    "Answer",
    "Conflict",
    "Daily",
    "DailyRun",
    "FakeDailyStore",
    "FakeRetroStore",
    "FakeUnitOfWork",
    "FakeUnitOfWorkFactory",
    "IntegrityViolation",
    "LostUpdate",
    "Participant",
    "Prompt",
    "Retro",
    "RetroAction",
    "RetroItem",
    "RetroRating",
]

"""An in-memory unit of work for fast service tests (the cosmicpython FakeUnitOfWork)."""

from tests.fake_uow.core import Conflict, IntegrityViolation, LostUpdate
from tests.fake_uow.daily import Answer, Daily, DailyRun, FakeDailyStore, Participant, Prompt
from tests.fake_uow.oncall import (
    Cover,
    FakeOncallStore,
    Note,
    Notice,
    Rotation,
    RotationVersionRow,
    ShiftRow,
    Swap,
    TurnTaken,
    Window,
)
from tests.fake_uow.retro import FakeRetroStore, Retro, RetroAction, RetroItem, RetroRating
from tests.fake_uow.unit_of_work import FakeUnitOfWork, FakeUnitOfWorkFactory

__all__ = [
    "Answer",
    "Conflict",
    "Cover",
    "Daily",
    "DailyRun",
    "FakeDailyStore",
    "FakeOncallStore",
    "FakeRetroStore",
    "FakeUnitOfWork",
    "FakeUnitOfWorkFactory",
    "IntegrityViolation",
    "LostUpdate",
    "Note",
    "Notice",
    "Participant",
    "Prompt",
    "Retro",
    "RetroAction",
    "RetroItem",
    "RetroRating",
    "Rotation",
    "RotationVersionRow",
    "ShiftRow",
    "Swap",
    "TurnTaken",
    "Window",
]

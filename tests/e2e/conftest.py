from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.demo.standin.harness import Bot, running_bot
from bot.demo.standin.server import FakeSlack
from tests.fakes import utc

SUNDAY_NOON = utc(2026, 11, 29, 12, 0)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.start()
    fake.add_user("UANNA", "anna", "Europe/Berlin")
    fake.add_user("UBEN", "ben", "America/New_York")
    fake.add_user("UCHITRA", "chitra", "Asia/Kolkata")
    fake.add_user("UDAN", "dan", "Europe/Berlin")  # not in the team channel
    fake.add_user("UROBOT", "robot", is_bot=True)
    fake.add_user("UGONE", "gone", deleted=True)
    fake.add_channel("CTEAM", "team", ["UANNA", "UBEN", "UCHITRA", "UROBOT", "UGONE"])
    yield fake
    fake.stop()


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[Bot]:
    with running_bot(slack, tmp_path, SUNDAY_NOON) as running:
        yield running
    assert slack.violations == [], slack.violations

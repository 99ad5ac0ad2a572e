from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.db import make_session_factory
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.db import BACKENDS, fresh_engine
from tests.fakes import FakeChat, team_chat


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    engine = fresh_engine(request.param, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(make_session_factory(engine))


@pytest.fixture
def chat() -> FakeChat:
    return team_chat()

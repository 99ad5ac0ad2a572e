"""slack_sdk's installation and state stores on the tables migration 0009 makes."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import MetaData, inspect, text

from bot.installs import bot_token_of, installation_store, oauth_settings
from bot.settings import Settings
from tests.db import BACKENDS, fresh_engine


def _settings() -> Settings:
    return Settings(
        slack_client_id="111.222",
        slack_client_secret="shh",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migrated_tables_are_the_stores_own(backend: str, tmp_path: Path) -> None:
    engine = fresh_engine(backend, tmp_path)
    store = installation_store(_settings(), engine)
    states = oauth_settings(_settings(), store, engine).state_store
    expected = MetaData()
    for table in (store.bots, store.installations, states.oauth_states):  # type: ignore[attr-defined]
        table.to_metadata(expected)
    found = inspect(engine)
    for table in expected.tables.values():
        columns = {c["name"]: c for c in found.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == (
                column.nullable and not column.primary_key
            ), (table.name, column.name)
        assert {i["name"] for i in found.get_indexes(table.name)} >= {i.name for i in table.indexes}
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_install_is_found_by_its_team_and_gone_after_uninstall(
    backend: str, tmp_path: Path
) -> None:
    engine = fresh_engine(backend, tmp_path)
    store = installation_store(_settings(), engine)
    token_of = bot_token_of(store)
    for team, token in (("TA", "xoxb-a"), ("TB", "xoxb-b")):
        store.save(
            Installation(
                app_id="A1",
                team_id=team,
                user_id="UINSTALLER",
                bot_token=token,
                bot_id="B1",
                bot_user_id="UBOT",
                bot_scopes="chat:write",
            )
        )
    assert (token_of("TA"), token_of("TB"), token_of("TC")) == ("xoxb-a", "xoxb-b", None)
    store.delete_all(enterprise_id=None, team_id="TA")
    assert (token_of("TA"), token_of("TB")) == (None, "xoxb-b")
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_state_is_good_once(backend: str, tmp_path: Path) -> None:
    engine = fresh_engine(backend, tmp_path)
    states = oauth_settings(_settings(), installation_store(_settings(), engine), engine)
    store = states.state_store
    state = store.issue()
    assert store.consume(state) is True
    assert store.consume(state) is False
    assert store.consume("forged") is False
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_states_nobody_came_back_with_do_not_pile_up(backend: str, tmp_path: Path) -> None:
    engine = fresh_engine(backend, tmp_path)
    store = oauth_settings(_settings(), installation_store(_settings(), engine), engine)
    states = store.state_store
    states.expiration_seconds = -1  # each one expired as soon as it is issued
    for _ in range(5):
        states.issue()  # visits to /slack/install that never came back
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM slack_oauth_states")).scalar()
    assert left == 1  # the newest, itself cleared by the next visit
    engine.dispose()

"""Installs into many workspaces: the settings that switch them on, each team's clients."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import load_slack_settings
from bot.installs import DEFAULT_SCOPES, NotInstalled, TeamClients
from bot.logs import HideSecrets
from bot.settings import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_scopes_are_the_manifests() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert set(DEFAULT_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_client_id_and_secret_instead_of_a_bot_token(env: pytest.MonkeyPatch) -> None:
    env.setenv("SLACK_CLIENT_ID", "111.222")
    env.setenv("SLACK_CLIENT_SECRET", "shh")
    assert load_slack_settings().oauth is True
    env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert load_slack_settings().oauth is False  # one workspace, exactly as before


@pytest.mark.parametrize(
    ("given", "named"),
    [({}, "SLACK_BOT_TOKEN"), ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET")],
)
def test_without_a_way_to_slack_the_setting_is_named(
    env: pytest.MonkeyPatch, given: dict[str, str], named: str
) -> None:
    for name, value in given.items():
        env.setenv(name, value)
    with pytest.raises(ConfigurationError, match=named):
        load_slack_settings()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_each_team_gets_clients_of_its_own_token_kept_briefly() -> None:
    tokens = {"TA": "xoxb-a", "TB": "xoxb-b"}
    looked_up: list[str] = []

    def token_of(team: str) -> str | None:
        looked_up.append(team)
        return tokens.get(team)

    clock = Clock()
    made: list[str] = []

    def make(token: str) -> Any:
        made.append(token)
        return (("read", token), ("post", token), ("pace", token))

    teams = TeamClients(token_of, make, keep_for=60, clock=clock)
    assert teams.clients("TA") == (("read", "xoxb-a"), ("post", "xoxb-a"), ("pace", "xoxb-a"))
    assert teams.clients("TB")[1] == ("post", "xoxb-b")
    teams.clients("TA")
    assert looked_up == ["TA", "TB"]
    with pytest.raises(NotInstalled):
        teams.clients("TC")
    clock.now = 61
    teams.clients("TA")  # looked up again, the same token: the same clients
    assert looked_up[-1] == "TA" and made == ["xoxb-a", "xoxb-b"]
    del tokens["TA"]
    teams.forget("TA")  # an uninstall: at once, not after a minute
    with pytest.raises(NotInstalled):
        teams.clients("TA")


def test_tokens_and_the_client_secret_never_reach_the_log() -> None:
    record = logging.LogRecord(
        "slack_sdk",
        logging.DEBUG,
        __file__,
        1,
        "body: %s",
        ({"client_secret": "shh", "access_token": "xoxb-1-2-abc"},),
        None,
    )
    HideSecrets().filter(record)
    assert "shh" not in record.getMessage() and "xoxb-1" not in record.getMessage()

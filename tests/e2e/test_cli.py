"""`python app.py …` as an operator runs it: exit codes, one-line errors, run-due from cron."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.demo.standin.models import BOT_TOKEN
from bot.demo.standin.server import FakeSlack
from ceremonies.core.request import Actor, Request
from ceremonies.daily import setup as daily_setup
from storage.db import make_session_factory
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.db import BACKENDS, fresh_engine
from tests.fakes import FakeChat, utc

ROOT = Path(__file__).resolve().parents[2]


def run_app(
    *args: str, env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *args],
        env={**clean, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run_app("--help", cwd=tmp_path)
    assert result.returncode == 0
    for name in ("serve", "run-due", "demo", "migrate"):
        assert name in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "mysql://x"},
            "DATABASE_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "::nope::"},
            "DATABASE_URL",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "DEFAULT_TIMEZONE": "Mars/Olympus",
            },
            "DEFAULT_TIMEZONE",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "99999"}, "PORT"),
        ({"SLACK_BOT_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN"),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            },
            "DATABASE_URL",
        ),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = run_app("serve", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_twice(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    assert run_app("migrate", env=env, cwd=tmp_path).returncode == 0
    assert run_app("migrate", env=env, cwd=tmp_path).returncode == 0


def test_a_bad_now_is_refused(tmp_path: Path) -> None:
    result = run_app(
        "run-due", "--now", "yesterday-ish", env={"SLACK_BOT_TOKEN": "x"}, cwd=tmp_path
    )
    assert result.returncode == 2 and "ISO-8601" in result.stderr


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_run_due_processes_at_once_prompt_everyone_exactly_once(
    backend: str, tmp_path: Path
) -> None:
    engine = fresh_engine(backend, tmp_path)
    url = engine.url.render_as_string(hide_password=False)
    uow_factory = SqlUnitOfWorkFactory(make_session_factory(engine))
    people = [f"U{i:03d}" for i in range(30)]
    chat = FakeChat()
    for user in people:
        chat.add_user(user, "Europe/Berlin")
    chat.members["CTEAM"] = people
    daily_setup.start_daily(
        uow_factory, chat, Request("T0001", "CTEAM", Actor(people[0]), utc(2026, 11, 29))
    )
    engine.dispose()
    with FakeSlack() as slack:
        for user in people:
            slack.add_user(user, user.lower(), "Europe/Berlin")
        slack.add_channel("CTEAM", "team", people)
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url, "DATABASE_URL": url}
        command = [
            sys.executable,
            str(ROOT / "app.py"),
            "run-due",
            "--now",
            "2026-11-30T10:00:00+01:00",
        ]
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        processes = [
            subprocess.Popen(
                command,
                env={**clean, **env},
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [p.communicate(timeout=120) for p in processes]
        assert all(p.returncode == 0 for p in processes), outputs
        for user in people:
            prompts = [m for m in slack.dm_messages(user) if m.get("bot_id")]
            assert len(prompts) == 1, (user, outputs)
        assert slack.violations == []


def test_export_a_retro_as_markdown_and_csv(tmp_path: Path) -> None:
    from ceremonies.retro import flow as retro_flow

    engine = fresh_engine("sqlite", tmp_path)
    uow_factory = SqlUnitOfWorkFactory(make_session_factory(engine))
    chat = FakeChat()
    asked = Request("T1", "CRETRO", Actor("U1"), utc(2026, 11, 27))
    retro_id = retro_flow.start_retro(uow_factory, chat, asked, "Week 48")
    retro_flow.add_item(
        uow_factory, chat, asked, retro_id, "Less | meetings", "improve", anonymous=True
    )
    engine.dispose()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}"}
    markdown = run_app("export", "retro", "--channel", "CRETRO", env=env, cwd=tmp_path)
    assert markdown.returncode == 0, markdown.stderr
    assert "# Week 48" in markdown.stdout and "Less \\| meetings" in markdown.stdout
    out = tmp_path / "retro.csv"
    result = run_app(
        "export",
        "retro",
        "--channel",
        "CRETRO",
        "--format",
        "csv",
        "--output",
        str(out),
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0 and "Less | meetings" in out.read_text()
    missing = run_app("export", "retro", "--channel", "CNONE", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no retro" in missing.stderr


def test_the_demo_refuses_a_database_with_a_real_workspace(tmp_path: Path) -> None:
    engine = fresh_engine("sqlite", tmp_path)
    uow_factory = SqlUnitOfWorkFactory(make_session_factory(engine))
    chat = FakeChat()
    chat.add_user("U1", "Europe/Berlin")
    chat.members["CREAL"] = ["U1"]
    daily_setup.start_daily(
        uow_factory, chat, Request("TREAL", "CREAL", Actor("U1"), utc(2026, 11, 20))
    )
    engine.dispose()
    result = run_app(
        "demo", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}"}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "TREAL" in result.stderr and "Traceback" not in result.stderr
    with SqlUnitOfWorkFactory(make_session_factory(fresh_engine_reader(tmp_path)))() as uow:
        daily = uow.dailies.daily_in_channel("TREAL", "CREAL")
        assert daily is not None and not daily.paused  # untouched


def fresh_engine_reader(tmp_path: Path):  # type: ignore[no-untyped-def]
    from storage.db import make_engine

    return make_engine(f"sqlite:///{tmp_path / 'test.db'}")


def test_version(tmp_path: Path) -> None:
    result = run_app("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.split()[-1][0].isdigit(), result.stdout


def test_serve_refuses_a_token_slack_does_not_know(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-revoked-long-ago",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        }
        result = run_app("serve", env=env, cwd=tmp_path)
        assert [call.response["error"] for call in slack.calls_to("auth.test")] == ["invalid_auth"]
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_BOT_TOKEN: Slack refused it (invalid_auth)" in lines[0], lines


@pytest.mark.parametrize(
    "args",
    [
        ("migrate",),
        ("export", "retro", "--channel", "C1"),
        ("export", "weekly", "--channel", "C1"),
        ("run-due",),
    ],
)
def test_an_unreachable_database_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
    }
    result = run_app(*args, env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL: cannot open the database" in lines[0], lines


def test_export_names_a_retro_that_does_not_exist(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    result = run_app("export", "retro", "--channel", "C1", "--retro", "999", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "ceremony-bot: --retro 999: no such retro in C1"


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"PORT": "abc"}, "PORT: 'abc' is not a whole number"),
        ({"PORT": "0"}, "PORT: 0 is too small (at least 1)"),
        ({"SCHEDULER_ENABLED": "maybe"}, "SCHEDULER_ENABLED: 'maybe' is not true or false"),
    ],
)
def test_settings_are_explained_plainly(tmp_path: Path, env: dict[str, str], said: str) -> None:
    result = run_app("migrate", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"ceremony-bot: configuration error: {said}"

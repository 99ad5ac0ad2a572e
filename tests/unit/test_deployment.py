"""What a self-hoster reads and runs: .env.example, README, --help, Dockerfile, compose.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.cli import _parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {name.upper() for name in Settings.model_fields}


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    text = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", text, flags=re.M))
    assert listed == SETTINGS


def test_readme_and_help_name_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    help_text = " ".join(_parser().format_help().split())
    for name in SETTINGS:
        assert f"`{name}`" in readme, name
        assert name in help_text, name


def test_the_image_runs_the_installed_wheel_as_a_user_with_a_healthcheck() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    final = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    assert final[0].startswith("FROM python:3.12-slim")
    assert any(line.startswith("USER ") and "root" not in line for line in final)
    assert any(line.startswith("HEALTHCHECK") for line in final)
    assert any("pip install" in line and ".whl" in line for line in final)
    # the source tree stays in the build stage: only wheels are copied into the image
    assert [line for line in final if line.startswith("COPY")] == [
        "COPY --from=build /wheels /wheels"
    ]
    assert 'ENTRYPOINT ["ceremony-bot"]' in final


def test_compose_runs_the_bot_with_postgresql_that_it_waits_for() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in db and db["image"].startswith("postgres:")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")

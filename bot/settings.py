"""Configuration from the environment and `.env`, checked before anything starts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    # Installing into many workspaces (OAuth, HTTP mode): set these instead of SLACK_BOT_TOKEN.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    # The bot scopes asked for at install, comma-separated (default: manifest.yml's).
    slack_scopes: str = ""
    # The redirect URL sent to Slack (default: none, so Slack uses the app's first one).
    slack_redirect_uri: str = ""
    database_url: str = "sqlite:///ceremony-bot.db"
    port: int = Field(default=3000, ge=1, le=65535)
    scheduler_enabled: bool = True
    log_level: str = "INFO"
    # text: one readable line per record; json: one JSON object per line, for a log shipper.
    log_format: str = "text"
    # Used for people whose Slack profile has no time zone.
    default_timezone: str = "UTC"
    # The language for whoever the bot knows no language of (a person's Slack language or
    # own choice, and a channel's, come first): a catalog in templates/locales/ (en, ru, ja).
    default_locale: str = "en"
    # The base of links the bot hands out, e.g. https://bot.example.com for the on-call feed.
    public_url: str = ""
    # A folder of Jinja2 templates (same names as templates/) that replace the defaults,
    # rendered in a sandbox; a broken one falls back to the default.
    custom_templates_dir: str = ""
    # Our pacing of chat.postMessage; Slack does not publish its workspace-wide figure.
    slack_post_rate_per_minute: int = Field(default=600, ge=1)

    @field_validator("custom_templates_dir")
    @classmethod
    def _a_folder(cls, value: str) -> str:
        if value and not Path(value).is_dir():
            raise ValueError(f"{value!r} is not a folder")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_level_token(cls, value: str | None) -> str | None:
        if value and not value.startswith("xapp-"):
            raise ValueError("must be an app-level token (xapp-…) with connections:write")
        return value or None

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value and not value.startswith("xoxb-"):
            raise ValueError("must be the bot token (xoxb-…) from OAuth & Permissions")
        return value or None

    @property
    def oauth(self) -> bool:
        """Many workspaces: each one's token comes from its install, not SLACK_BOT_TOKEN."""
        return bool(self.slack_client_id and self.slack_client_secret and not self.slack_bot_token)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError as error:
            raise ValueError(f"cannot parse {value!r}") from error
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(
                f"{backend!r} is not supported; use sqlite:/// or postgresql+psycopg://"
            )
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL, e.g. https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError("must be text or json")
        return value.lower()

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        from bot.translations import available_locales

        code = value.strip().replace("-", "_").split("_")[0].lower()
        known = available_locales()
        if code not in known:
            raise ValueError(f"{value!r} has no catalog; one of {', '.join(known)}")
        return code

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message names it."""


def _plainly(problem: Any) -> str:
    """What is wrong with a setting, as a person would say it (not pydantic's wording)."""
    given = problem.get("input")
    bounds = problem.get("ctx") or {}
    said = {
        "int_parsing": f"{given!r} is not a whole number",
        "bool_parsing": f"{given!r} is not true or false",
        "less_than_equal": f"{given} is too large (at most {bounds.get('le')})",
        "greater_than_equal": f"{given} is too small (at least {bounds.get('ge')})",
    }.get(problem["type"])
    if said:
        return said
    if problem["type"] == "value_error" and "error" in bounds:
        return str(bounds["error"])
    return str(problem["msg"])


def load_settings(*required: str) -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        raise ConfigurationError(f"{name}: {_plainly(first)}") from None
    for name in required:
        if not getattr(settings, name):
            raise ConfigurationError(f"{name.upper()} is not set")
    return settings


def exit_on_bad_configuration(error: ConfigurationError) -> NoReturn:
    one_line = " ".join(str(error).split())  # driver messages can span lines
    print(f"ceremony-bot: configuration error: {one_line}", file=sys.stderr)
    sys.exit(2)

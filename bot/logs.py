"""How the process logs: plain text or one JSON object per line (LOG_FORMAT), quiet libraries."""

from __future__ import annotations

import logging
import re

from pythonjsonlogger.json import JsonFormatter
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str, log_format: str = "text") -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        # Fields passed as `extra=` (a tick's figures, its duration) become JSON keys.
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(HideSecrets())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    quiet_libraries(level)


def quiet_libraries(level: str) -> None:
    """APScheduler says "Running job …" and "… executed successfully" every minute at INFO;
    the tick's own line says what it did. At DEBUG everything speaks."""
    quiet = logging.getLevelName(level) >= logging.INFO
    logging.getLogger("apscheduler").setLevel(logging.WARNING if quiet else logging.NOTSET)
    # waitress warns "Task queue depth is N" for each request that waits for a thread, i.e.
    # dozens of lines per burst; ceremony_ack_seconds shows the same, once.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR if quiet else logging.NOTSET)
    for name, noise in (
        ("slack_bolt.App", _ClientGivenNotice()),
        ("alembic.runtime.migration", _MigrationPreamble()),
    ):
        logger = logging.getLogger(name)
        if not any(type(f) is type(noise) for f in logger.filters):
            logger.addFilter(noise)


# Slack tokens (xoxb-, xoxp-, xoxe-, xapp- ...) and the OAuth client secret as slack_sdk's
# DEBUG lines show them (request bodies, oauth.v2.access answers).
_SECRET = re.compile(
    r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+|(?<=client_secret.: .)[^'\"]+|(?<=client_secret=)[^&\s]+"
)


class HideSecrets(logging.Filter):
    """No token or client secret is ever written to the log, at any level."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = _SECRET.sub("[hidden]", message)
        if hidden != message:
            record.msg, record.args = hidden, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _SECRET.sub("[hidden]", record.exc_text)
        return True


class _MigrationPreamble(logging.Filter):
    """Alembic names its dialect on every start (every cron run-due); what it upgrades stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Context impl ", "Will assume "))


class _ClientGivenNotice(logging.Filter):
    """Bolt warns at every start that SLACK_BOT_TOKEN is unused when it is handed a client,
    as the bot does (with its retry handlers); the token is the client's, so it is not."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()

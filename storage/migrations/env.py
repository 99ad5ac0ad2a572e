"""Alembic environment: runs on the connection handed over by storage.migrate, or the URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import engine_from_config, pool

# Importing the models registers their tables on the shared metadata.
import storage.daily.models
import storage.home.models
import storage.inbox
import storage.oncall.models
import storage.people
import storage.retro.models
import storage.weekly.models
import storage.workspaces  # noqa: F401
from storage.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    # `alembic` run by hand migrates the database the bot uses, not the ini file's default.
    if os.environ.get("DATABASE_URL"):
        config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"].replace("%", "%%"))
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as fresh:
        run_migrations(fresh)

"""`python app.py <command>`: serve, run-due, demo, migrate, export.

Whatever goes wrong before the bot runs (a setting, the database, the token) is one line on
standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from datetime import UTC, datetime
from importlib import metadata

from sqlalchemy.exc import DBAPIError

from bot.settings import (
    ConfigurationError,
    Settings,
    exit_on_bad_configuration,
    load_settings,
)

log = logging.getLogger(__name__)


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 instant, e.g. 2026-11-25T09:00:00+01:00"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _version() -> str:
    try:
        return metadata.version("ceremony-bot")
    except metadata.PackageNotFoundError:  # a checkout that was never installed
        return "unknown (not installed)"


def _environment_help() -> str:
    from textwrap import fill

    from bot.settings import Settings

    names = ", ".join(name.upper() for name in Settings.model_fields)
    return fill(
        f"settings, from the environment or a .env file (see .env.example): {names}", width=88
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python app.py" if sys.argv[0].endswith("app.py") else "ceremony-bot",
        description="ceremony-bot: dailies, retrospectives, weekly reports and on-call in Slack.",
        epilog=_environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="command")
    commands.add_parser(
        "serve", help="run the bot (the default): HTTP or Socket Mode, and the clock"
    )
    run_due = commands.add_parser("run-due", help="do all ceremony work due now, once, then exit")
    run_due.add_argument("--now", type=_instant, help="pretend it is this ISO-8601 instant")
    demo = commands.add_parser(
        "demo", help="play a team's week offline against a stand-in for Slack"
    )
    demo.add_argument(
        "--lang",
        metavar="LANG",
        help="the team's Slack language and the bot's default (en, ru, ja; default DEFAULT_LOCALE)",
    )
    commands.add_parser("migrate", help="bring the database schema up to date")
    export = commands.add_parser("export", help="write a ceremony's record (e.g. a retro)")
    export.add_argument("what", choices=["retro", "weekly"], help="what to export")
    export.add_argument("--channel", required=True, help="the channel id, e.g. C123")
    export.add_argument("--retro", type=int, help="a retro id (default: the channel's latest)")
    export.add_argument("--week", help="an ISO week, e.g. 2026-W49 (default: the latest sent)")
    export.add_argument(
        "--format", choices=["md", "csv", "html"], default="md", help="html: weekly only"
    )
    export.add_argument("--output", help="a file to write (default: standard output)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "serve"
    try:
        if command == "migrate":
            return _migrate()
        if command == "run-due":
            return _run_due(args.now)
        if command == "export" and args.what == "weekly":
            return _export_weekly(args.channel, args.week, args.format, args.output)
        if command == "export":
            if args.format == "html":
                print("ceremony-bot: --format html is for `export weekly`", file=sys.stderr)
                return 2
            return _export(args.channel, args.retro, args.format, args.output)
        if command == "demo":
            from bot.demo.play import run_demo

            return run_demo(args.lang)
        return _serve()
    except ConfigurationError as error:
        exit_on_bad_configuration(error)
    except DBAPIError as error:
        exit_on_bad_configuration(unreachable_database(error))


def load_slack_settings() -> Settings:
    """Settings with a way to Slack: SLACK_BOT_TOKEN (one workspace), or SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET (installs into many)."""
    settings = load_settings()
    if settings.slack_bot_token or settings.oauth:
        return settings
    if settings.slack_client_id or settings.slack_client_secret:
        missing = "SLACK_CLIENT_SECRET" if settings.slack_client_id else "SLACK_CLIENT_ID"
        raise ConfigurationError(f"{missing} is not set (installs into many workspaces)")
    raise ConfigurationError(
        "SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for "
        "installs into many workspaces)"
    )


def unreachable_database(error: DBAPIError) -> ConfigurationError:
    return ConfigurationError(f"DATABASE_URL: cannot open the database ({error.orig})")


def _logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)


def _migrate() -> int:
    from storage.db import make_engine
    from storage.migrate import upgrade

    settings = load_settings()
    _logging(settings)
    upgrade(make_engine(settings.database_url))
    print("database is up to date")
    return 0


def _run_due(now: datetime | None) -> int:
    from bot.due import jobs_with_replay, run_all_due
    from bot.runtime import build_runtime
    from bot.slack_app import build_app

    settings = load_slack_settings()
    _logging(settings)
    runtime = build_runtime(settings)
    services = runtime.services
    jobs = jobs_with_replay(build_app(runtime), runtime.inbox)
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, _stop_claiming)
    done = run_all_due(services.uow_factory, services.chat, now or services.clock.now(), jobs)
    runtime.shutdown()  # replayed requests finish their work before the process ends
    for line in done.lines():
        print(line)
    return 0


def _stop_claiming(signum: int, _frame: object) -> None:
    from ceremonies.core.stopping import request_stop

    log.info(
        "%s: finishing the work already claimed; the rest stays due for the next tick",
        signal.Signals(signum).name,
    )
    request_stop()


def _export(channel: str, retro_id: int | None, fmt: str, output: str | None) -> int:
    from bot.export import as_csv, as_markdown
    from ceremonies.core.errors import Refusal
    from ceremonies.retro.actions import latest_record
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.unit_of_work import SqlUnitOfWorkFactory

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        record = latest_record(
            SqlUnitOfWorkFactory(make_session_factory(engine)), None, channel, retro_id
        )
    except Refusal:
        if retro_id is not None:  # a bad argument
            print(f"ceremony-bot: --retro {retro_id}: no such retro in {channel}", file=sys.stderr)
            return 2
        print(f"ceremony-bot: no retro found in channel {channel}", file=sys.stderr)
        return 1
    text = as_csv(record) if fmt == "csv" else as_markdown(record)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


def _export_weekly(channel: str, week: str | None, fmt: str, output: str | None) -> int:
    from bot.weekly_export import render_export
    from ceremonies.core.errors import Refusal
    from ceremonies.core.parsing import InvalidInput
    from ceremonies.weekly.reading import export
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.unit_of_work import SqlUnitOfWorkFactory

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    uow_factory = SqlUnitOfWorkFactory(make_session_factory(engine))
    try:
        seen = export(uow_factory, None, None, channel, week, datetime.now(UTC))
    except Refusal:
        print(f"ceremony-bot: no weekly report in channel {channel}", file=sys.stderr)
        return 1
    except InvalidInput:
        print(f"ceremony-bot: --week {week!r} is not an ISO week like 2026-W49", file=sys.stderr)
        return 2
    _write(render_export(seen.composed.report, seen.names, {}, fmt), output)
    return 0


def _serve() -> int:
    from bot.serve import serve

    settings = load_slack_settings()
    if settings.oauth and settings.slack_app_token:
        raise ConfigurationError(
            "SLACK_APP_TOKEN: installing into many workspaces (SLACK_CLIENT_ID) needs HTTP "
            "mode, for /slack/install and /slack/oauth_redirect; unset SLACK_APP_TOKEN"
        )
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise ConfigurationError("SLACK_SIGNING_SECRET is not set (needed for HTTP mode)")
    _logging(settings)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())

"""The demo's database: its earlier runs, what this run stored, and where history and charts are."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.demo.script import OWNER
from bot.demo.standin.harness import Bot
from bot.demo.standin.models import TEAM_ID
from ceremonies.core.request import Actor, Request
from ceremonies.daily.setup import change_daily
from storage.daily.models import Answer as AnswerRow
from storage.daily.models import Daily, Participant, Prompt
from storage.oncall.models import Rotation
from storage.retro.models import Retro, RetroItem


def other_workspaces(database_url: str) -> list[str]:
    """Workspaces other than the stand-in's with history in this database (a real one).

    The demo ticks the whole database at 2026 dates; against a real workspace's history that
    would mark real prompts as sent to the stand-in, so the demo refuses such a database.
    """
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            teams = set(session.scalars(select(Daily.team_id).distinct()))
            teams |= set(session.scalars(select(Retro.team_id).distinct()))
    finally:
        engine.dispose()
    return sorted(teams - {TEAM_ID})


def earlier_runs(bot: Bot, now: datetime) -> tuple[list[str], int]:
    """(the tags of the earlier runs of the demo in this database, how many of them still
    had their daily running).

    Every run plays the same weeks of 2026, and since the demo follows a retro into the next
    weeks, an earlier run's daily would wake up there with prompts for people and channels
    this stand-in never met. Runs since then pause their daily on the Sunday after the week;
    an older or interrupted one is paused here as `/daily pause` would (without Slack). Its
    people are made known to the stand-in too, so a revisit DM for one of its open actions
    reaches them (unseen) instead of failing.
    """
    with Session(bot.runtime.engine) as session:
        rows = session.execute(
            select(Daily.channel_id, Daily.paused, Participant.user_id).join(
                Participant, Participant.daily_id == Daily.id
            )
        ).all()
    tags, running = set(), set()
    for channel, paused, user in rows:
        tag = channel[1:]
        if channel.startswith("C") and user == f"U{OWNER.upper()}{tag}":
            tags.add(tag)
            if not paused:
                running.add(channel)
    with Session(bot.runtime.engine) as session, session.begin():
        # Their rotations too: their handoffs would go to channels this stand-in never met.
        session.execute(update(Rotation).values(next_due_at=None))
    for channel in sorted(running):
        change_daily(
            bot.runtime.services.uow_factory,
            Request(TEAM_ID, channel, Actor(f"U{OWNER.upper()}{channel[1:]}"), now),
            lambda daily: setattr(daily, "paused", True),
        )
    return sorted(tags), len(running)


def charts_at(database_url: str) -> Path:
    """Where the demo saves the charts: next to an SQLite database file and named after it
    (``ceremony-bot.db`` -> ``ceremony-bot-retro-matrix.png``); else in the current directory."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().with_suffix("")
    return Path.cwd() / "ceremony-bot-demo"


def history_at(database_url: str) -> str:
    """Where the history is kept: the SQLite file, or else the URL without its password."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(Path(url.database).resolve())
    return url.render_as_string(hide_password=True)


def stored_counts(bot: Bot, channel: str) -> tuple[int, int, int, int, int]:
    """(answers of this run, answers in the database, dailies in the database, retros and
    retro items of this run)."""
    with Session(bot.runtime.engine) as session:
        this_run = session.scalar(
            select(func.count(AnswerRow.id))
            .join(Prompt, AnswerRow.prompt_id == Prompt.id)
            .join(Daily, Prompt.daily_id == Daily.id)
            .where(Daily.channel_id == channel)
        )
        answers = session.scalar(select(func.count(AnswerRow.id)))
        dailies = session.scalar(select(func.count(Daily.id)))
        retros = session.scalar(select(func.count(Retro.id)).where(Retro.channel_id == channel))
        items = session.scalar(
            select(func.count(RetroItem.id))
            .join(Retro, RetroItem.retro_id == Retro.id)
            .where(Retro.channel_id == channel)
        )
    return this_run or 0, answers or 0, dailies or 0, retros or 0, items or 0

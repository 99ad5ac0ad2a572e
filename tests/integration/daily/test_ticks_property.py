"""However often run-due ticks, across DST changes, everyone gets one prompt per working day."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ceremonies.core.request import Actor, Request
from ceremonies.daily import setup as daily_setup
from ceremonies.daily.delivery import run_due
from storage.db import make_session_factory
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.db import fresh_engine
from tests.fakes import FakeChat, utc

ZONES = {
    "UBER": "Europe/Berlin",
    "UNYC": "America/New_York",
    "UKOL": "Asia/Kolkata",
    "USYD": "Australia/Sydney",
    "UCHA": "Pacific/Chatham",
    "UUTC": "UTC",
}
# Europe leaves DST on 25 Oct 2026 and the US on 1 Nov; Sydney and Chatham entered it on
# 4 and 27 Sep: the window has clocks moving on both hemispheres' sides of the change.
START = utc(2026, 10, 20, 0, 0)
END = utc(2026, 11, 4, 0, 0)


# Each example runs a few hundred real ticks; shrinking them would take minutes.
@settings(max_examples=3, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(gaps=st.lists(st.integers(min_value=1, max_value=240), min_size=250, max_size=250))
def test_one_prompt_per_working_day_at_ten_local(gaps: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _check(Path(folder), gaps)


def _check(folder: Path, gaps: list[int]) -> None:
    engine = fresh_engine("sqlite", folder)
    uow_factory = SqlUnitOfWorkFactory(make_session_factory(engine))
    chat = FakeChat()
    for user, zone in ZONES.items():
        chat.add_user(user, zone)
    chat.members["CTEAM"] = list(ZONES)
    daily_setup.start_daily(uow_factory, chat, Request("T1", "CTEAM", Actor("UUTC"), START))
    ticks = _ticks(gaps)
    for now in ticks:
        run_due(uow_factory, chat, now)
    last_tick = ticks[-1]
    engine.dispose()

    for user, zone in ZONES.items():
        tz = ZoneInfo(zone)
        prompts = chat.to("D" + user, "daily/prompt")
        dates = [p.message.context["local_date"] for p in prompts]
        assert len(dates) == len(set(dates)), f"{user} was prompted twice on a day"
        assert all(d.weekday() < 5 for d in dates), f"{user} was prompted on a weekend"
        # Every working day whose 10:00 passed before the last tick (and on which some tick
        # fell on that local date after 10:00) got its prompt; no other day did.
        first_day = START.astimezone(tz).date()
        expected = {
            first_day + timedelta(days=n)
            for n in range(30)
            if (first_day + timedelta(days=n)).weekday() < 5
            and START <= _ten(first_day + timedelta(days=n), tz) <= last_tick
        }
        assert set(dates) <= expected
        missing = expected - set(dates)
        # A day can only be missing if no tick at all fell between its 10:00 and midnight.
        for day in missing:
            assert _no_tick_on(day, tz, ticks), f"{user} missed {day}"


def _ten(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(10), tz)


def _ticks(gaps: list[int]) -> list[datetime]:
    ticks, now = [], START
    for gap in gaps:
        now += timedelta(minutes=gap)
        if now >= END:
            break
        ticks.append(now)
    return ticks


def _no_tick_on(day: date, tz: ZoneInfo, ticks: list[datetime]) -> bool:
    opens = datetime.combine(day, time(10), tz)
    closes = datetime.combine(day + timedelta(days=1), time(0), tz)
    return not any(opens <= now < closes for now in ticks)

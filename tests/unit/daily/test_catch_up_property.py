"""Downtime catch-up, for random gaps: no reminder after its day's close, each day closes once."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ceremonies.core.request import Actor, Request
from ceremonies.daily import setup as daily_setup
from ceremonies.daily.delivery import run_due
from tests.fake_uow import DailyRun, FakeUnitOfWorkFactory
from tests.fakes import team_chat, utc

SUNDAY = utc(2026, 11, 29, 12, 0)
MONDAY_START = utc(2026, 11, 30, 0, 0)
HALF_HOUR = timedelta(minutes=30)


@settings(max_examples=60, deadline=None)
@given(
    down_from=st.integers(0, 5 * 48),  # in half hours from Monday 00:00 UTC
    down_for=st.integers(1, 4 * 48),
)
def test_no_reminder_after_its_day_should_have_closed(down_from: int, down_for: int) -> None:
    uow_factory, chat = FakeUnitOfWorkFactory(), team_chat()
    daily_setup.start_daily(uow_factory, chat, Request("T1", "CTEAM", Actor("UBERLIN"), SUNDAY))
    reminders_at = []
    # Ticks every half hour for a week and at least a day after the downtime, but for it.
    for step in range(max(7 * 48, down_from + down_for + 48)):
        if down_from <= step < down_from + down_for:
            continue
        now = MONDAY_START + step * HALF_HOUR
        before = len([s for s in chat.sent if s.message.template == "daily/reminder"])
        report = run_due(uow_factory, chat, now)
        assert not report.failures
        sent = [s for s in chat.sent if s.message.template == "daily/reminder"][before:]
        reminders_at += [(now, s.message.context["local_date"]) for s in sent]
    runs = {(r.daily_id, r.local_date): r for r in uow_factory.rows(DailyRun)}
    closes = {day: run.close_at for (_, day), run in runs.items()}
    for sent_at, day in reminders_at:
        assert sent_at < closes[day], f"reminder for {day} at {sent_at}, after {closes[day]}"
    due_to_close = [run for run in runs.values() if run.close_at <= now]
    assert due_to_close and all(run.closed_at is not None for run in due_to_close)
    parents = {s.ts: s for s in chat.sent if s.message.template == "daily/parent"}
    assert len(parents) == len(runs)

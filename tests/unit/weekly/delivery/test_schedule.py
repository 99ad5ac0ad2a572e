"""Run-due for the weekly reports: the status DM, the report and its copies, each exactly
once and on time, through downtime, pauses and moved days."""

from __future__ import annotations

from datetime import timedelta

from ceremonies.weekly import delivery, setup
from tests.fake_uow import FakeUnitOfWorkFactory, WeeklyDeliveryRow
from tests.fakes import FakeChat
from tests.unit.weekly.delivery.conftest import (
    DAY,
    DELIVERY,
    HOUR,
    MINUTE,
    NEXT_STATUS_DM,
    START,
    STATUS_DM,
    WEEK,
    ask,
    deliveries,
    report_row,
    seed_daily,
    sent,
)


def test_the_owner_gets_one_status_dm_two_hours_ahead(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    assert report_row(uow_factory).next_due_at == STATUS_DM
    early = delivery.run_due(uow_factory, chat, STATUS_DM - MINUTE)
    assert (early.status_dms, early.reports) == (0, 0) and chat.sent == []
    out = delivery.run_due(uow_factory, chat, STATUS_DM)
    assert (out.status_dms, out.reports, out.recipient_dms, out.failures) == (1, 0, 0, [])
    for minutes in (0, 1, 30):  # and nothing more on the next ticks
        delivery.run_due(uow_factory, chat, STATUS_DM + minutes * MINUTE)
    assert sent(chat) == [("DUOWNER", "weekly/status_dm")]
    context = chat.sent[0].message.context
    assert context["report_id"] == started.report_id and context["channel_id"] == "CTEAM"
    assert context["week"].label == WEEK and context["delivery"] == DELIVERY
    assert context["proposal"].status in ("on_track", "at_risk", "off_track")
    assert deliveries(uow_factory) == [(WEEK, "status_dm", True, False)]
    assert report_row(uow_factory).next_due_at == DELIVERY


def test_at_delivery_the_report_goes_to_the_channel_and_a_copy_to_each_recipient(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    delivery.run_due(uow_factory, chat, STATUS_DM)
    out = delivery.run_due(uow_factory, chat, DELIVERY)
    assert (out.status_dms, out.reports, out.late, out.recipient_dms) == (0, 1, 0, 2)
    assert out.failures == []
    assert sent(chat) == [
        ("DUOWNER", "weekly/status_dm"),
        ("CTEAM", "weekly/report"),
        ("CTEAM", "weekly/details_daily"),
        ("CTEAM", "weekly/details_risks"),
        ("DUBOSS", "weekly/report"),
        ("DUCTO", "weekly/report"),
    ]
    summary, *details = chat.to("CTEAM")
    assert all(d.message.thread_ts == summary.ts for d in details)
    assert summary.message.thread_ts is None
    context = summary.message.context
    report = context["report"]
    assert report.week.label == WEEK and not context["late"] and context["has_details"]
    assert report.proposed and report.status == report.proposal.status
    (section,) = report.sections
    assert section.channel_id == "CTEAM"
    participation = section.daily.participation
    assert (participation.answered, participation.prompted) == (9, 10)
    (blocker,) = section.daily.blockers
    assert (blocker.user_id, blocker.text) == ("UDEV", "Waiting on API keys")
    assert [(r.risk.number, r.risk.text) for r in report.risks] == [(1, "Vendor API late")]
    assert context["names"]["UDEV"] == "UDEV"
    # the copies point at the channel's report
    (stored,) = (d for d in uow_factory.rows(WeeklyDeliveryRow) if d.kind == "report")
    assert context["delivery_id"] == stored.id
    for dm in ("DUBOSS", "DUCTO"):
        (copy,) = chat.to(dm)
        assert copy.message.context["delivery_id"] == stored.id
    assert (stored.channel_id, stored.ts, stored.sent_at) == ("CTEAM", summary.ts, DELIVERY)
    assert stored.content is not None and stored.content["week"] == WEEK
    assert stored.content["proposed"] is True and stored.content["late"] is False
    assert chat.charts and chat.charts[0][:3] == ("CTEAM", summary.ts, "weekly_trend")
    assert sorted(deliveries(uow_factory)) == [
        (WEEK, "dm:UBOSS", True, False),
        (WEEK, "dm:UCTO", True, False),
        (WEEK, "report", True, False),
        (WEEK, "status_dm", True, False),
    ]
    # the next tick is next week's status DM
    assert report_row(uow_factory).next_due_at == NEXT_STATUS_DM


def test_a_second_run_at_the_same_instant_sends_nothing_more(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    delivery.run_due(uow_factory, chat, STATUS_DM)
    delivery.run_due(uow_factory, chat, DELIVERY)
    before = sent(chat)
    again = delivery.run_due(uow_factory, chat, DELIVERY)
    assert (again.status_dms, again.reports, again.recipient_dms) == (0, 0, 0)
    # even when the report is due again (another process, a restart), the claims hold
    with uow_factory() as uow:
        uow.weeklies.report(started.report_id).next_due_at = DELIVERY
        uow.commit()
    for at in (DELIVERY, DELIVERY + 3 * MINUTE):
        out = delivery.run_due(uow_factory, chat, at)
        assert (out.status_dms, out.reports, out.recipient_dms, out.failures) == (0, 0, 0, [])
    assert sent(chat) == before
    assert len(uow_factory.rows(WeeklyDeliveryRow)) == 4


def test_after_three_days_down_the_missed_report_goes_out_once_marked_late(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    back = DELIVERY + 3 * DAY  # Monday 14 December, 16:00 in Berlin
    out = delivery.run_due(uow_factory, chat, back)
    assert (out.status_dms, out.reports, out.late, out.recipient_dms) == (0, 1, 1, 2)
    delivery.run_due(uow_factory, chat, back + MINUTE)
    assert [t for _, t in sent(chat)].count("weekly/report") == 3  # channel + two copies
    (summary,) = chat.to("CTEAM", "weekly/report")
    assert summary.message.context["late"] is True
    assert summary.message.context["report"].week.label == WEEK
    (stored,) = (d for d in uow_factory.rows(WeeklyDeliveryRow) if d.kind == "report")
    assert stored.late and stored.content["late"] is True and stored.sent_at == back
    # no status DM for a week already past; the next one is next Friday's
    assert chat.to("DUOWNER") == []
    assert report_row(uow_factory).next_due_at == NEXT_STATUS_DM


def test_after_two_weeks_down_only_the_latest_week_is_sent(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    back = DELIVERY + timedelta(weeks=1, hours=2)
    out = delivery.run_due(uow_factory, chat, back)
    assert (out.reports, out.late) == (1, 1)
    (summary,) = chat.to("CTEAM", "weekly/report")
    assert summary.message.context["report"].week.label == "2026-W51"


def test_a_report_started_after_this_weeks_delivery_waits_for_next_week(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    seed_daily(uow_factory)
    started_at = DELIVERY + HOUR
    setup.start_report(uow_factory, chat, ask(now=started_at))
    assert report_row(uow_factory).next_due_at == NEXT_STATUS_DM
    assert delivery.run_due(uow_factory, chat, started_at).reports == 0
    # even ticked at once (a moved schedule, a manual run), this week's is not sent
    with uow_factory() as uow:
        uow.weeklies.report(report_row(uow_factory).id).next_due_at = started_at
        uow.commit()
    out = delivery.run_due(uow_factory, chat, started_at + MINUTE)
    assert (out.status_dms, out.reports, out.recipient_dms) == (0, 0, 0) and chat.sent == []
    assert uow_factory.rows(WeeklyDeliveryRow) == []
    assert report_row(uow_factory).next_due_at == NEXT_STATUS_DM
    # next week's goes out as usual
    delivery.run_due(uow_factory, chat, NEXT_STATUS_DM)
    delivery.run_due(uow_factory, chat, DELIVERY + timedelta(weeks=1))
    assert sent(chat)[:2] == [("DUOWNER", "weekly/status_dm"), ("CTEAM", "weekly/report")]


def test_a_report_started_inside_the_lead_asks_for_the_status_at_once(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    started_at = STATUS_DM + HOUR
    setup.start_report(uow_factory, chat, ask(now=started_at))
    assert report_row(uow_factory).next_due_at == started_at
    assert delivery.run_due(uow_factory, chat, started_at).status_dms == 1
    assert delivery.run_due(uow_factory, chat, DELIVERY).reports == 1
    assert sent(chat) == [("DUOWNER", "weekly/status_dm"), ("CTEAM", "weekly/report")]


def test_a_paused_report_sends_nothing(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    setup.set_paused(uow_factory, ask(now=START + HOUR), True)
    for at in (STATUS_DM, DELIVERY, DELIVERY + DAY):
        assert delivery.run_due(uow_factory, chat, at).reports == 0
    assert chat.sent == []

"""The status a report's owner submits, acknowledgements of its decisions, and a sent
report read back exactly as it was sent."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest

from ceremonies.weekly import delivery, setup, statuses
from ceremonies.weekly.compose import Composed
from ceremonies.weekly.content import composed_as_sent, content_of
from ceremonies.weekly.report import Submission
from tests.fake_uow import FakeUnitOfWorkFactory, WeeklyAckRow, WeeklyDeliveryRow
from tests.fakes import FakeChat, SentMessage, utc
from tests.unit.weekly import template_cases
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
    refusal,
    report_row,
    sent,
)


def submission(decisions: str = "Approve the vendor budget") -> Submission:
    return Submission("at_risk", "Shipped the login page", "Payments next", decisions)


def test_a_status_submitted_before_delivery_is_the_reports(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    delivery.run_due(uow_factory, chat, STATUS_DM)
    report_id = started.report_id
    form = statuses.status_form(uow_factory, ask(now=STATUS_DM + MINUTE), report_id, WEEK)
    assert (form.week_label, form.submission, form.channel_id) == (WEEK, None, "CTEAM")
    first = Submission("off_track", "Nothing", "Nothing", "")
    statuses.submit_status(uow_factory, ask(now=STATUS_DM + MINUTE), report_id, WEEK, first)
    statuses.submit_status(uow_factory, ask(now=STATUS_DM + HOUR), report_id, WEEK, submission())
    form = statuses.status_form(uow_factory, ask(now=STATUS_DM + HOUR), report_id, WEEK)
    assert form.submission == submission()  # the later one replaced the first
    delivery.run_due(uow_factory, chat, DELIVERY)
    (summary,) = chat.to("CTEAM", "weekly/report")
    report = summary.message.context["report"]
    assert (report.status, report.proposed, report.chosen_status) == ("at_risk", False, "at_risk")
    assert (report.highlights, report.plans) == ("Shipped the login page", "Payments next")
    assert report.decisions == ("Approve the vendor budget",)
    (stored,) = (d for d in uow_factory.rows(WeeklyDeliveryRow) if d.kind == "report")
    assert stored.content["status"] == "at_risk" and stored.content["proposed"] is False


def test_a_status_after_delivery_is_refused(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    delivery.run_due(uow_factory, chat, DELIVERY)
    report_id = started.report_id
    closed = refusal(
        lambda: statuses.submit_status(
            uow_factory, ask(now=DELIVERY + MINUTE), report_id, WEEK, submission()
        )
    )
    assert (closed.code, closed.params) == ("weekly_status_closed", {"week": WEEK})
    # next week's is open, to the owner only
    statuses.submit_status(
        uow_factory, ask(now=DELIVERY + MINUTE), report_id, "2026-W51", submission()
    )
    stranger = refusal(
        lambda: statuses.submit_status(
            uow_factory, ask("UBOSS", DELIVERY + MINUTE), report_id, "2026-W51", submission()
        )
    )
    assert stranger.code == "weekly_owner_only"


def test_a_recipient_acknowledges_a_decision_once(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    report_id = started.report_id
    statuses.submit_status(
        uow_factory,
        ask(now=STATUS_DM),
        report_id,
        WEEK,
        submission("- Approve the vendor budget\n- Hire a contractor"),
    )
    delivery.run_due(uow_factory, chat, DELIVERY)
    (summary,) = chat.to("CTEAM", "weekly/report")
    delivery_id = summary.message.context["delivery_id"]
    assert summary.message.context["report"].decisions == (
        "Approve the vendor budget",
        "Hire a contractor",
    )
    at = DELIVERY + HOUR
    assert statuses.acknowledge(uow_factory, chat, ask("UBOSS", at, "DUBOSS"), delivery_id, 1)
    assert not statuses.acknowledge(
        uow_factory, chat, ask("UBOSS", at + MINUTE, "DUBOSS"), delivery_id, 1
    )
    assert statuses.acknowledge(uow_factory, chat, ask("UOWNER", at + MINUTE), delivery_id, 1)
    acks = [(a.decision, a.user_id, a.acked_at) for a in uow_factory.rows(WeeklyAckRow)]
    assert acks == [(1, "UBOSS", at), (1, "UOWNER", at + MINUTE)]
    stranger = refusal(
        lambda: statuses.acknowledge(uow_factory, chat, ask("USTRANGER", at), delivery_id, 1)
    )
    assert stranger.code == "weekly_not_a_recipient"
    unknown = refusal(
        lambda: statuses.acknowledge(uow_factory, chat, ask("UBOSS", at), delivery_id, 2)
    )
    assert unknown.code == "weekly_decision_unknown"
    # the channel's report shows who acknowledged
    updated = summary.updates[-1]
    assert updated.template == "weekly/report"
    assert updated.context["acks"] == {1: ["UBOSS", "UOWNER"]}
    assert updated.context["delivery_id"] == delivery_id
    assert len(summary.updates) == 2


def _summary(chat: FakeChat) -> SentMessage:
    (summary,) = chat.to("CTEAM", "weekly/report")
    return summary


def test_an_acknowledgement_keeps_a_late_report_marked_late(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    report_id = started.report_id
    statuses.submit_status(uow_factory, ask(now=STATUS_DM), report_id, WEEK, submission())
    back = DELIVERY + DAY
    delivery.run_due(uow_factory, chat, back)
    summary = _summary(chat)
    assert summary.message.context["late"] is True
    delivery_id = summary.message.context["delivery_id"]
    statuses.acknowledge(uow_factory, chat, ask("UBOSS", back + HOUR), delivery_id, 0)
    assert summary.current.context["late"] is True


def test_a_week_missed_while_paused_is_not_sent_after_resuming(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    setup.set_paused(uow_factory, ask(now=START + HOUR), True)
    setup.set_paused(uow_factory, ask(now=DELIVERY + 3 * DAY), False)  # Monday 14 December
    assert report_row(uow_factory).next_due_at == NEXT_STATUS_DM
    delivery.run_due(uow_factory, chat, NEXT_STATUS_DM)
    # only next week's status DM: week 50's delivery passed while the report was paused
    assert sent(chat) == [("DUOWNER", "weekly/status_dm")]


def test_moving_the_day_earlier_does_not_send_the_week_already_passed(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat
) -> None:
    setup.start_report(uow_factory, chat, ask(now=START - timedelta(weeks=1)))
    # Wednesday 9 December: from Fridays to Mondays 09:00; this week's Monday has passed
    setup.set_time(uow_factory, ask(now=utc(2026, 12, 9, 9, 0)), 0, time(9, 0))
    monday = utc(2026, 12, 14, 8, 0)  # 09:00 in Berlin
    assert report_row(uow_factory).next_due_at == monday - 2 * HOUR
    delivery.run_due(uow_factory, chat, monday - 2 * HOUR)
    delivery.run_due(uow_factory, chat, monday)
    # week 51's status DM and report, not also week 50's a week late
    assert [m.message.context["report"].week.label for m in chat.to("CTEAM")] == ["2026-W51"]


def test_an_acknowledgement_leaves_the_report_as_sent(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    statuses.submit_status(uow_factory, ask(now=STATUS_DM), started.report_id, WEEK, submission())
    delivery.run_due(uow_factory, chat, DELIVERY)
    summary = _summary(chat)
    with uow_factory() as uow:  # UDEV answers Friday's prompt after the report went out
        daily = uow.dailies.daily_in_channel("T1", "CTEAM")
        friday = date(2026, 12, 11)
        (missed,) = uow.dailies.prompts_between(daily.id, friday, friday, "UDEV")
        missed.status, missed.answered_at = "answered", DELIVERY + HOUR
        uow.commit()
    delivery_id = summary.message.context["delivery_id"]
    statuses.acknowledge(uow_factory, chat, ask("UBOSS", DELIVERY + 2 * HOUR), delivery_id, 0)
    (section,) = summary.current.context["report"].sections
    assert (section.daily.participation.answered, section.daily.participation.prompted) == (9, 10)


def test_the_owner_hears_once_that_a_custom_template_failed(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    chat.broken_templates["weekly/report"] = "unexpected '}' at line 3"

    def notices() -> list[dict[str, object]]:
        return [
            s.message.context
            for s in chat.to("DUOWNER")
            if s.message.template == "weekly/template_broken"
        ]

    delivery.run_due(uow_factory, chat, STATUS_DM)
    delivery.run_due(uow_factory, chat, DELIVERY)
    # the report went out (with the default), the owner was told once, the recipients not
    assert ("CTEAM", "weekly/report") in sent(chat)
    assert notices() == [{"template": "weekly/report.json.j2", "error": "unexpected '}' at line 3"}]
    assert report_row(uow_factory).broken_told == ["weekly/report.json.j2"]
    delivery.run_due(uow_factory, chat, NEXT_STATUS_DM)
    delivery.run_due(uow_factory, chat, DELIVERY + timedelta(weeks=1))
    assert len(notices()) == 1  # not every week

    chat.broken_templates.clear()  # fixed: the next failure is news again
    delivery.run_due(uow_factory, chat, NEXT_STATUS_DM + timedelta(weeks=1))
    delivery.run_due(uow_factory, chat, DELIVERY + timedelta(weeks=2))
    assert report_row(uow_factory).broken_told == []


def test_the_chart_takes_earlier_weeks_from_the_reports_sent_for_them(
    uow_factory: FakeUnitOfWorkFactory, chat: FakeChat, started: setup.WeeklySettings
) -> None:
    delivery.run_due(uow_factory, chat, STATUS_DM)
    delivery.run_due(uow_factory, chat, DELIVERY)
    # what the first report said stands, whatever the history says later
    with uow_factory() as uow:
        first = uow.weeklies.delivery_of(started.report_id, WEEK, "report")
        assert first is not None and first.content is not None
        assert first.content["trend"][-1]["label"] == WEEK
        first.content = {**first.content, "trend": [{**first.content["trend"][-1], "blockers": 42}]}
        uow.commit()
    delivery.run_due(uow_factory, chat, NEXT_STATUS_DM)
    delivery.run_due(uow_factory, chat, DELIVERY + timedelta(weeks=1))
    second = [s for s in chat.to("CTEAM") if s.message.template == "weekly/report"][-1]
    trend = {f["label"]: f for f in second_trend(uow_factory)}
    assert trend[WEEK]["blockers"] == 42
    assert second.message.context["report"].week.label == "2026-W51"


def second_trend(uow_factory: FakeUnitOfWorkFactory) -> list[dict[str, object]]:
    sent = [d for d in uow_factory.rows(WeeklyDeliveryRow) if d.kind == "report"]
    latest = max(sent, key=lambda d: d.week)
    assert latest.content is not None
    return list(latest.content["trend"])


@pytest.mark.parametrize("name", ["REPORT", "PROPOSED", "QUIET"])
def test_a_sent_report_reads_back_from_its_stored_content_exactly(name: str) -> None:
    report = getattr(template_cases, name)
    composed = Composed(report, ())
    stored = json.loads(json.dumps(content_of(composed, late=False)))  # as the database has it
    assert composed_as_sent(stored) == composed
    assert composed_as_sent({"report": {"shape": "of an older version"}, "trend": []}) is None

"""Run-due for the weekly reports on the in-memory unit of work: status DM, report, copies.

The report is #team's (CTEAM), started by UOWNER in Europe/Berlin on Monday 7 December 2026
(ISO week 2026-W50), delivered Fridays 16:00 there (15:00 UTC), to UBOSS and UCTO. #team's
daily asks UOWNER and UDEV each weekday; UDEV is blocked from Thursday and misses Friday.
Messages are checked as the fake chat records them (template and context), never rendered.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest

from ceremonies.core.errors import Refusal
from ceremonies.core.request import Actor, Request
from ceremonies.weekly import delivery, register, setup, statuses
from ceremonies.weekly.compose import Composed
from ceremonies.weekly.content import composed_as_sent, content_of
from ceremonies.weekly.report import Submission
from tests.fake_uow import FakeUnitOfWorkFactory, WeeklyAckRow, WeeklyDeliveryRow, WeeklyReportRow
from tests.fakes import FakeChat, SentMessage, utc
from tests.unit.weekly import template_cases

BERLIN = "Europe/Berlin"
START = utc(2026, 12, 7, 9, 0)  # Monday, 10:00 in Berlin
STATUS_DM = utc(2026, 12, 11, 13, 0)  # Friday, 14:00 in Berlin: 2 hours ahead
DELIVERY = utc(2026, 12, 11, 15, 0)  # Friday, 16:00 in Berlin
NEXT_STATUS_DM = STATUS_DM + timedelta(weeks=1)
WEEK = "2026-W50"
QUESTIONS = ["Yesterday?", "Today?", "Blockers?"]
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def ask(user: str = "UOWNER", now: datetime = START, channel: str = "CTEAM") -> Request:
    return Request("T1", channel, Actor(user), now)


def refusal(call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as refused:
        call()
    return refused.value


def sent(chat: FakeChat) -> list[tuple[str, str]]:
    return [(m.channel, m.message.template) for m in chat.sent]


def report_row(uow_factory: FakeUnitOfWorkFactory) -> WeeklyReportRow:
    (row,) = uow_factory.rows(WeeklyReportRow)
    return row


def deliveries(uow_factory: FakeUnitOfWorkFactory) -> list[tuple[str, str, bool, bool]]:
    return [
        (d.week, d.kind, d.sent_at is not None, d.late) for d in uow_factory.rows(WeeklyDeliveryRow)
    ]


def seed_daily(uow_factory: FakeUnitOfWorkFactory) -> None:
    """#team's daily, Monday to Friday of week 50: 9 of 10 prompts answered, one blocker."""
    with uow_factory() as uow:
        daily = uow.dailies.add_daily(
            team_id="T1",
            channel_id="CTEAM",
            owner_id="UOWNER",
            prompt_time=time(10, 0),
            weekdays=frozenset(range(5)),
            questions=QUESTIONS,
            created_at=START - timedelta(days=30),
        )
        for user in ("UOWNER", "UDEV"):
            uow.dailies.add_participant(team_id="T1", daily_id=daily.id, user_id=user, tz=BERLIN)
        for offset in range(5):
            day = date(2026, 12, 7) + timedelta(days=offset)
            asked = utc(2026, 12, 7 + offset, 9, 0)
            for user in ("UOWNER", "UDEV"):
                missed = user == "UDEV" and offset == 4
                prompt = uow.dailies.add_prompt(
                    team_id="T1",
                    daily_id=daily.id,
                    user_id=user,
                    local_date=day,
                    status="missed" if missed else "answered",
                    questions=QUESTIONS,
                    scheduled_at=asked,
                    claimed_at=asked,
                    sent_at=asked,
                    answered_at=None if missed else asked + HOUR,
                )
                if missed:
                    continue
                blocked = user == "UDEV" and offset >= 3
                for position, text in enumerate(
                    ["Coding", "More coding", "Waiting on API keys" if blocked else "none"]
                ):
                    uow.dailies.add_answer(
                        team_id="T1",
                        prompt_id=prompt.id,
                        position=position,
                        text=text,
                        created_at=asked + HOUR,
                        updated_at=asked + HOUR,
                    )
        uow.commit()


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def chat() -> FakeChat:
    chat = FakeChat()
    for user in ("UOWNER", "UDEV", "UBOSS", "UCTO", "USTRANGER"):
        chat.add_user(user, BERLIN)
    return chat


@pytest.fixture
def started(uow_factory: FakeUnitOfWorkFactory, chat: FakeChat) -> setup.WeeklySettings:
    seed_daily(uow_factory)
    setup.start_report(uow_factory, chat, ask())
    register.add_risk(uow_factory, ask(), "Vendor API late", 2, 3, "UDEV", "req-1")
    return setup.set_recipients(uow_factory, chat, ask(), ["UBOSS", "UCTO"])


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

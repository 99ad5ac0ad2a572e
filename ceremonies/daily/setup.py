"""Creating and changing a daily: settings, participants, skips and absences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ceremonies.core import languages
from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Conflict, Profile
from ceremonies.core.request import Request
from ceremonies.core.time_model import DateRange, local_date, next_occurrence
from ceremonies.daily.ports import (
    DailyRow,
    DailyStore,
    DailyUnitOfWork,
    DailyUnitOfWorkFactory,
    ParticipantRow,
)
from ceremonies.daily.rules import (
    ANSWERED,
    DEFAULT_QUESTIONS,
    DEFAULT_TIME,
    DEFAULT_WEEKDAYS,
    PENDING,
    SENT,
    SKIPPED,
    schedule_for,
)

SLACKBOT = "USLACKBOT"


@dataclass(frozen=True)
class DailySettings:
    channel_id: str
    owner_id: str
    prompt_time: time
    weekdays: frozenset[int]
    questions: list[str]
    country: str | None
    paused: bool
    participants: list[str]
    next_prompts: dict[str, datetime]
    # Participants whose own country's holidays apply instead of the daily's.
    countries: dict[str, str] = field(default_factory=dict)


def settings_of(store: DailyStore, daily: DailyRow) -> DailySettings:
    participants = store.participants(daily.id)
    return DailySettings(
        channel_id=daily.channel_id,
        owner_id=daily.owner_id,
        prompt_time=daily.prompt_time,
        weekdays=frozenset(daily.weekdays),
        questions=list(daily.questions),
        country=daily.country,
        paused=daily.paused,
        participants=[p.user_id for p in participants],
        next_prompts={p.user_id: p.next_prompt_at for p in participants if p.next_prompt_at},
        countries={p.user_id: p.country for p in participants if p.country},
    )


def reschedule(
    uow: DailyUnitOfWork, daily: DailyRow, participants: list[ParticipantRow], now: datetime
) -> None:
    """Recomputes each participant's next prompt after anything that changes their schedule."""
    absences = uow.people.absences(daily.team_id, [p.user_id for p in participants])
    for participant in participants:
        if daily.paused or not participant.active:
            participant.next_prompt_at = None
            continue
        # A prompt already due but not yet sent keeps its place in today.
        not_before = min(now, participant.next_prompt_at or now)
        upcoming = next_occurrence(
            schedule_for(daily, participant, absences), not_before, participant.last_prompt_date
        )
        participant.next_prompt_at = upcoming.at if upcoming else None


def humans(chat: Chat, team_id: str, user_ids: list[str]) -> list[Profile]:
    profiles = chat.profiles_of(team_id, [u for u in user_ids if u != SLACKBOT])
    return [p for p in profiles if not p.is_bot and not p.deleted]


def start_daily(
    uow_factory: DailyUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
) -> DailySettings:
    """The channel's daily, its members taking part; the default `questions` are stored as
    written in ceremonies/daily/rules.py and asked in each reader's language."""
    team_id, channel_id, now = request.team_id, request.channel_id, request.now
    with uow_factory() as uow:
        existing = uow.dailies.daily_in_channel(team_id, channel_id)
        if existing is not None:
            raise Refusal("daily_exists", channel_id=channel_id)
    # Slack is asked before the transaction opens: no lock is held across the network.
    members = humans(chat, team_id, chat.channel_members(team_id, channel_id))
    with uow_factory() as uow:
        store = uow.dailies
        try:
            daily = store.add_daily(
                team_id=team_id,
                channel_id=channel_id,
                owner_id=request.user_id,
                prompt_time=DEFAULT_TIME,
                weekdays=DEFAULT_WEEKDAYS,
                questions=list(questions),
                country=None,
                paused=False,
                remind_after_minutes=120,
                close_after_minutes=480,
                created_at=now,
            )
        except Conflict:
            raise Refusal("daily_exists", channel_id=channel_id) from None
        participants = [
            store.add_participant(
                team_id=team_id,
                daily_id=daily.id,
                user_id=member.user_id,
                tz=member.tz,
                country=None,
                active=True,
            )
            for member in members
        ]
        reschedule(uow, daily, participants, now)
        languages.note_owner(uow.languages, team_id, channel_id, request.user_id)
        uow.commit()
        return settings_of(store, daily)


def _daily_here(store: DailyStore, team_id: str, channel_id: str) -> DailyRow:
    daily = store.daily_in_channel(team_id, channel_id)
    if daily is None:
        raise Refusal("no_daily", channel_id=channel_id)
    return daily


def _participant_here(
    store: DailyStore, team_id: str, channel_id: str, user_id: str
) -> tuple[DailyRow, ParticipantRow]:
    daily = _daily_here(store, team_id, channel_id)
    participant = store.participant(daily.id, user_id)
    if participant is None or not participant.active:
        raise Refusal("not_participant", user_id=user_id, channel_id=channel_id)
    return daily, participant


def change_daily(
    uow_factory: DailyUnitOfWorkFactory, request: Request, change: Callable[[DailyRow], None]
) -> DailySettings:
    """Applies one settings change and moves every participant's next prompt accordingly."""
    with uow_factory() as uow:
        store = uow.dailies
        daily = _daily_here(store, request.team_id, request.channel_id)
        change(daily)
        reschedule(uow, daily, store.participants(daily.id), request.now)
        uow.commit()
        return settings_of(store, daily)


def show_settings(uow_factory: DailyUnitOfWorkFactory, request: Request) -> DailySettings:
    with uow_factory() as uow:
        daily = _daily_here(uow.dailies, request.team_id, request.channel_id)
        return settings_of(uow.dailies, daily)


def set_participant_country(
    uow_factory: DailyUnitOfWorkFactory, request: Request, user_id: str, country: str | None
) -> DailySettings:
    with uow_factory() as uow:
        store = uow.dailies
        daily, participant = _participant_here(store, request.team_id, request.channel_id, user_id)
        participant.country = country
        reschedule(uow, daily, [participant], request.now)
        uow.commit()
        return settings_of(store, daily)


def add_participant(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, request: Request, user_id: str
) -> DailySettings:
    team_id, channel_id, now = request.team_id, request.channel_id, request.now
    with uow_factory() as uow:
        _daily_here(uow.dailies, team_id, channel_id)
    if user_id not in chat.channel_members(team_id, channel_id):
        raise Refusal("not_channel_member", user_id=user_id, channel_id=channel_id)
    profile = chat.profile(team_id, user_id)
    if profile.is_bot or profile.deleted:
        raise Refusal("not_a_person", user_id=user_id)
    with uow_factory() as uow:
        store = uow.dailies
        daily = _daily_here(store, team_id, channel_id)
        participant = store.participant(daily.id, user_id)
        if participant is not None and participant.active:
            raise Refusal("already_participant", user_id=user_id, channel_id=channel_id)
        if participant is None:
            participant = store.add_participant(
                team_id=team_id,
                daily_id=daily.id,
                user_id=user_id,
                tz=profile.tz,
                country=None,
                active=True,
            )
        participant.active = True
        participant.tz = profile.tz
        reschedule(uow, daily, [participant], now)
        uow.commit()
        return settings_of(store, daily)


def remove_participant(
    uow_factory: DailyUnitOfWorkFactory, request: Request, user_id: str
) -> DailySettings:
    with uow_factory() as uow:
        store = uow.dailies
        daily, participant = _participant_here(store, request.team_id, request.channel_id, user_id)
        participant.active = False  # kept, not deleted: their history stays attributed
        participant.next_prompt_at = None
        uow.commit()
        return settings_of(store, daily)


def skip_today(uow_factory: DailyUnitOfWorkFactory, request: Request) -> date:
    """The caller is not prompted today (or their open prompt is withdrawn)."""
    team_id, channel_id, user_id, now = (
        request.team_id,
        request.channel_id,
        request.user_id,
        request.now,
    )
    with uow_factory() as uow:
        store = uow.dailies
        daily, participant = _participant_here(store, team_id, channel_id, user_id)
        today = local_date(participant.tz, now)
        prompt = store.prompt_for(daily.id, user_id, today)
        if prompt is None:
            # Claiming today's key as skipped is what keeps the prompt from going out.
            store.add_prompt(
                team_id=team_id,
                daily_id=daily.id,
                run_id=None,
                user_id=user_id,
                local_date=today,
                status=SKIPPED,
                questions=list(daily.questions),
                scheduled_at=now,
                claimed_at=now,
            )
        elif prompt.status == ANSWERED:
            raise Refusal("already_answered_today", local_date=today)
        elif prompt.status in (PENDING, SENT):
            prompt.status = SKIPPED
        uow.commit()
        return today


def add_absence(
    uow_factory: DailyUnitOfWorkFactory, chat: Chat, request: Request, user_id: str, days: DateRange
) -> DateRange:
    """Marks someone away for every ceremony of the workspace; others only by a manager."""
    team_id, channel_id, caller, now = (
        request.team_id,
        request.channel_id,
        request.user_id,
        request.now,
    )
    if user_id != caller:
        with uow_factory() as uow:
            daily = uow.dailies.daily_in_channel(team_id, channel_id)
            owner = daily.owner_id if daily else None
        if caller != owner and not chat.profile(team_id, caller).is_admin:
            raise Refusal("not_manager", user_id=user_id)
    with uow_factory() as uow:
        store = uow.dailies
        uow.people.add_absence(
            team_id=team_id,
            user_id=user_id,
            start_date=days.start,
            end_date=days.end,
            created_by=caller,
            created_at=now,
        )
        for participant in store.participants_of_user(team_id, user_id):
            daily = store.daily(participant.daily_id)
            assert daily is not None
            reschedule(uow, daily, [participant], now)
        uow.commit()
    return days


def refresh_time_zone(
    uow_factory: DailyUnitOfWorkFactory, team_id: str, user_id: str, tz: str, now: datetime
) -> int:
    """A profile's time zone changed: every daily of that person follows it."""
    with uow_factory() as uow:
        store = uow.dailies
        changed = [p for p in store.participants_of_user(team_id, user_id) if p.tz != tz]
        for participant in changed:
            participant.tz = tz
            daily = store.daily(participant.daily_id)
            assert daily is not None
            reschedule(uow, daily, [participant], now)
        uow.commit()
        return len(changed)

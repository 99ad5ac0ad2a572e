"""Starting a channel's rotation and changing its settings, from the next handoff on."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time

from ceremonies.core import languages
from ceremonies.core.errors import Refusal
from ceremonies.core.ports import Chat, Conflict
from ceremonies.core.request import Request
from ceremonies.oncall.notify import change_and_tell, reschedule
from ceremonies.oncall.plan import Shift
from ceremonies.oncall.ports import OncallUnitOfWork, OncallUnitOfWorkFactory, RotationRow
from ceremonies.oncall.record import record_shift, record_turn
from ceremonies.oncall.rotation import WEEKLY, RotationVersion, next_handoff
from ceremonies.oncall.schedule import load_plan, version_of, versions_of

MAX_MEMBERS = 100


@dataclass(frozen=True)
class Settings:
    """A rotation's settings as a person reads them: in force now, and from the next handoff."""

    channel_id: str
    current: RotationVersion
    pending: RotationVersion | None
    country: str | None
    member_country: dict[str, str]
    usergroup_handle: str | None
    next_shifts: list[Shift]


def _settings(uow: OncallUnitOfWork, rotation: RotationRow, now: datetime) -> Settings:
    versions = versions_of(uow, rotation)
    in_force = [v for v in versions if v.effective_from <= now] or versions[:1]
    pending = versions[-1] if versions[-1].effective_from > now else None
    plan_ = load_plan(uow, rotation, now)
    return Settings(
        rotation.channel_id,
        in_force[-1],
        pending,
        rotation.country,
        dict(rotation.member_country),
        rotation.usergroup_handle if rotation.usergroup_id else None,
        plan_.after(now, 6),
    )


def settings(uow_factory: OncallUnitOfWorkFactory, request: Request) -> Settings:
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation_in_channel(request.team_id, request.channel_id)
        if rotation is None:
            raise Refusal("oncall_none_here")
        return _settings(uow, rotation, request.now)


def check_people(chat: Chat, team_id: str, user_ids: list[str]) -> dict[str, str]:
    """Each person's zone; a bot or a deactivated account cannot be on call."""
    zones: dict[str, str] = {}
    for profile in chat.profiles_of(team_id, user_ids):
        if profile.is_bot or profile.deleted:
            raise Refusal("oncall_not_a_person", user_id=profile.user_id)
        zones[profile.user_id] = profile.tz
    return zones


def start_rotation(
    uow_factory: OncallUnitOfWorkFactory, chat: Chat, request: Request, members: list[str]
) -> Settings:
    """The channel's rotation, first member on call from now until the first handoff."""
    members = list(dict.fromkeys(members))
    if len(members) > MAX_MEMBERS:
        raise Refusal("oncall_too_many", limit=MAX_MEMBERS)
    zones = check_people(chat, request.team_id, members)
    tz = chat.profile(request.team_id, request.user_id).tz
    with uow_factory() as uow:
        if uow.oncalls.rotation_in_channel(request.team_id, request.channel_id) is not None:
            raise Refusal("oncall_exists")
        try:
            rotation = uow.oncalls.add_rotation(
                team_id=request.team_id,
                channel_id=request.channel_id,
                owner_id=request.user_id,
                country=None,
                member_tz=zones,
                member_country={},
                usergroup_id=None,
                usergroup_handle=None,
                calendar_secret=secrets.token_urlsafe(24),
                next_due_at=None,
                created_at=request.now,
            )
            first = RotationVersion(request.now, tuple(members), WEEKLY, 0, time(10, 0), tz, True)
            _add_version(uow, rotation, first, request.user_id, request.now)
        except Conflict:
            raise Refusal("oncall_exists") from None
        _record_first_shift(uow, rotation, request.now)
        plan_ = load_plan(uow, rotation, request.now)
        reschedule(uow, rotation, plan_, request.now, after_change=True)
        languages.note_owner(uow.languages, request.team_id, request.channel_id, request.user_id)
        uow.commit()
        return _settings(uow, rotation, request.now)


def _record_first_shift(uow: OncallUnitOfWork, rotation: RotationRow, now: datetime) -> None:
    """The start reply announces the first shift, so run-due does not announce it again."""
    plan_ = load_plan(uow, rotation, now)
    turn, shift = plan_.turns[0], plan_.shifts[0]
    record_turn(uow, rotation, turn, turn.user_id, now)
    record_shift(uow, rotation, shift, None, now, announced=True)


def _add_version(
    uow: OncallUnitOfWork,
    rotation: RotationRow,
    version: RotationVersion,
    by: str,
    now: datetime,
) -> None:
    uow.oncalls.add_version(
        rotation_id=rotation.id,
        effective_from=version.effective_from,
        members=list(version.members),
        shift=version.shift,
        handoff_day=version.handoff_day,
        handoff_time=version.handoff_time,
        tz=version.tz,
        restart=version.restart,
        created_by=by,
        created_at=now,
    )


def change_rotation(
    uow_factory: OncallUnitOfWorkFactory,
    chat: Chat,
    request: Request,
    edit: Callable[[RotationVersion], RotationVersion],
) -> Settings:
    """A new version of the settings from the next handoff; the current shift stays."""

    def mutate(uow: OncallUnitOfWork, rotation: RotationRow) -> None:
        rows = uow.oncalls.versions(rotation.id)
        latest = rows[-1]
        pending = latest.effective_from > request.now
        base = version_of(latest)
        # A new version carries on with whoever is next, unless the edit says otherwise.
        draft = edit(base if pending else replace(base, restart=False))
        if not draft.members:
            raise Refusal("oncall_needs_someone")
        if pending:
            # Not in force yet: it is the next handoff's settings, so it may still change.
            for name in ("members", "shift", "handoff_day", "handoff_time", "tz", "restart"):
                value = getattr(draft, name)
                setattr(latest, name, list(value) if name == "members" else value)
            return
        versions = [version_of(row) for row in rows]
        starts = next_handoff(versions, request.now)
        _add_version(
            uow, rotation, replace(draft, effective_from=starts), request.user_id, request.now
        )

    change_and_tell(uow_factory, chat, request, mutate)
    return settings(uow_factory, request)


def add_member(
    uow_factory: OncallUnitOfWorkFactory, chat: Chat, request: Request, user_id: str
) -> Settings:
    zone = check_people(chat, request.team_id, [user_id])[user_id]

    def edit(version: RotationVersion) -> RotationVersion:
        if user_id in version.members:
            raise Refusal("oncall_already_member", user_id=user_id)
        if len(version.members) >= MAX_MEMBERS:
            raise Refusal("oncall_too_many", limit=MAX_MEMBERS)
        return replace(version, members=(*version.members, user_id))

    _remember_zone(uow_factory, request, user_id, zone)
    return change_rotation(uow_factory, chat, request, edit)


def _remember_zone(
    uow_factory: OncallUnitOfWorkFactory, request: Request, user_id: str, zone: str
) -> None:
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation_in_channel(request.team_id, request.channel_id)
        if rotation is None:
            raise Refusal("oncall_none_here")
        rotation.member_tz = {**rotation.member_tz, user_id: zone}
        uow.commit()


def remove_member(
    uow_factory: OncallUnitOfWorkFactory, chat: Chat, request: Request, user_id: str
) -> Settings:
    def edit(version: RotationVersion) -> RotationVersion:
        if user_id not in version.members:
            raise Refusal("oncall_not_member", user_id=user_id)
        if len(version.members) == 1:
            raise Refusal("oncall_needs_someone")
        members = tuple(m for m in version.members if m != user_id)
        return replace(version, members=members)

    return change_rotation(uow_factory, chat, request, edit)


def reorder(
    uow_factory: OncallUnitOfWorkFactory, chat: Chat, request: Request, order: list[str]
) -> Settings:
    """The members in a new order; the first listed takes the next shift."""

    def edit(version: RotationVersion) -> RotationVersion:
        if sorted(order) != sorted(version.members) or len(set(order)) != len(order):
            raise Refusal("oncall_order_mismatch", members=list(version.members))
        return replace(version, members=tuple(order), restart=True)

    return change_rotation(uow_factory, chat, request, edit)


def set_country(
    uow_factory: OncallUnitOfWorkFactory, request: Request, user_id: str | None, country: str | None
) -> Settings:
    """Public holidays for the fairness counts: the rotation's, or one person's."""
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation_in_channel(request.team_id, request.channel_id)
        if rotation is None:
            raise Refusal("oncall_none_here")
        if user_id is None:
            rotation.country = country
        else:
            if user_id not in rotation.member_tz:
                raise Refusal("oncall_not_member", user_id=user_id)
            countries = {k: v for k, v in rotation.member_country.items() if k != user_id}
            rotation.member_country = {**countries, **({user_id: country} if country else {})}
        uow.commit()
    return settings(uow_factory, request)


def set_usergroup(
    uow_factory: OncallUnitOfWorkFactory, request: Request, usergroup_id: str, handle: str = ""
) -> Settings:
    """The Slack user group that follows whoever is on call, from now on."""
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation_in_channel(request.team_id, request.channel_id)
        if rotation is None:
            raise Refusal("oncall_none_here")
        rotation.usergroup_id = usergroup_id
        rotation.usergroup_handle = handle or usergroup_id
        uow.commit()
    return settings(uow_factory, request)


def calendar_secret(uow_factory: OncallUnitOfWorkFactory, request: Request) -> str:
    with uow_factory() as uow:
        rotation = uow.oncalls.rotation_in_channel(request.team_id, request.channel_id)
        if rotation is None:
            raise Refusal("oncall_none_here")
        return rotation.calendar_secret

"""Who asks a service for something, where and when: the context every service call carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Actor:
    """The person asking; `is_admin` when Slack says they administer the workspace."""

    user_id: str
    is_admin: bool = False


@dataclass(frozen=True)
class Request:
    """One person's request in one workspace's channel (or DM) at one instant."""

    team_id: str
    channel_id: str
    actor: Actor
    now: datetime

    @property
    def user_id(self) -> str:
        return self.actor.user_id


@dataclass(frozen=True)
class Written:
    """Something a person wrote in Slack: the message's ts and its text, as Slack sent it."""

    ts: str
    text: str

"""What every listener shares: the services it is given, the slash command, safe replies."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ceremonies.core.errors import Refusal
from ceremonies.core.languages import Languages
from ceremonies.core.parsing import InvalidInput
from ceremonies.core.ports import Chat, Clock, UnitOfWorkFactory
from ceremonies.core.request import Actor, Request
from ceremonies.core.time_model import DateRange

log = logging.getLogger("handlers")

# A user mention as Slack escapes it in a slash command's text.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")

# Message subtypes that are still a person writing; everything else (joins, bot posts…) is not.
PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def in_dm(event: Mapping[str, Any]) -> bool:
    return isinstance(event, Mapping) and event.get("channel_type") == "im"


class Posting(BaseModel):
    """A message as someone wrote it: who, when (its ts) and what."""

    model_config = ConfigDict(strict=True)

    ts: str
    user: str | None = None
    text: str = ""
    subtype: str | None = None
    thread_ts: str | None = None
    bot_id: str | None = None

    def by_person(self) -> bool:
        return self.subtype in PERSON_SUBTYPES and not self.bot_id and bool(self.user)


class MessageEvent(Posting):
    """A `message` event as the ceremonies read it; a payload of another shape is refused."""

    channel: str
    channel_type: str | None = None
    # The message after an edit (subtype message_changed).
    message: Posting | None = None


def read_message(event: Any) -> MessageEvent | None:
    """The event, typed; None (and a warning with the reason) when it has another shape."""
    try:
        return MessageEvent.model_validate(event)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        log.warning("a message event could not be read: %s: %s", where, problem["msg"])
        return None


class Renderer(Protocol):
    """Renders in the language of the person whose request is handled (bot/languages.py)."""

    def render(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]: ...
    def view(self, template: str, context: Mapping[str, Any]) -> dict[str, Any]: ...
    def text(self, template: str, **context: Any) -> str: ...
    def gettext(self, text: str) -> str: ...
    def source_of(self, text: str) -> str: ...

    def in_channel(self, team_id: str, channel_id: str) -> Renderer:
        """For a reply the whole channel reads: in the channel's language."""
        ...

    def speak(self, language: str | None) -> None:
        """The rest of this request replies in `language` (None: as resolved again)."""
        ...


class Services(Protocol):
    """What every listener is given; the bot's wiring (bot/services.py) builds it."""

    @property
    def uow_factory(self) -> UnitOfWorkFactory[Any]: ...
    @property
    def chat(self) -> Chat: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def renderer(self) -> Renderer: ...
    @property
    def languages(self) -> Languages: ...
    @property
    def default_tz(self) -> str: ...
    @property
    def public_url(self) -> str: ...

    def later(self, work: Callable[[], object]) -> None:
        """Runs `work` after the ack; an error is logged, never shown as a trace."""
        ...

    def soon(self, work: Callable[[], object]) -> None:
        """Starts `work` at once beside the ack, without waiting for a lull in the requests
        (opening a modal: Slack's trigger_id is good for 3 seconds); errors as `later`."""
        ...

    def failed(self, error: Exception) -> None:
        """Work for a request failed unexpectedly: logged, and the request is tried again."""
        ...

    def absence_added(self, request: Request, user_id: str, days: DateRange) -> None:
        """An absence was recorded: every ceremony that plans around people re-plans."""
        ...

    def home_changed(self, team_id: str, user_ids: list[str]) -> None:
        """What these people see on their Home tab may have changed: those who opened it
        get it again if it now reads differently (call it after the ack, from later work)."""
        ...


class SlashCommand(BaseModel):
    """The fields of a slash command every ceremony reads."""

    team_id: str
    user_id: str
    channel_id: str
    command: str
    text: str = ""
    channel_name: str = ""
    trigger_id: str = ""
    response_url: str = ""

    @field_validator("response_url")
    @classmethod
    def _an_address(cls, value: str) -> str:
        # The caller is answered there: something else is a payload of the wrong shape.
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("response_url is not an http(s) address")
        return value

    @property
    def in_dm(self) -> bool:
        return self.channel_id.startswith("D") or self.channel_name == "directmessage"


def request_from(
    services: Services, team_id: str, channel_id: str, user_id: str, *, admin: bool = False
) -> Request:
    """The service-layer request of a person acting now; `admin` asks Slack whether they are.

    Ids come from payloads: one that is not a string is a payload of the wrong shape.
    """
    for what, value in (("team", team_id), ("channel", channel_id), ("user", user_id)):
        if not isinstance(value, str):
            raise ValueError(f"the {what} id is a {type(value).__name__}, not a string")
    is_admin = admin and services.chat.profile(team_id, user_id).is_admin
    return Request(team_id, channel_id, Actor(user_id, is_admin), services.clock.now())


def in_a_view(body: Mapping[str, Any]) -> bool:
    """A button pressed in a view (the Home tab, a modal) rather than in a message: no
    channel, no message and no response_url to answer in."""
    container = body.get("container")
    return isinstance(container, Mapping) and container.get("type") == "view"


def trigger_of(body: Mapping[str, Any]) -> str:
    """The trigger_id a modal opens with; another shape is a payload Slack did not send."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        raise ValueError("the payload carries no trigger_id")
    return trigger


def team_of(body: Mapping[str, Any]) -> str:
    """The workspace of any payload (events and commands say team_id, interactions team.id)."""
    team, user = body.get("team"), body.get("user")
    return str(
        body.get("team_id")
        or (team.get("id") if isinstance(team, Mapping) else "")
        or (user.get("team_id") if isinstance(user, Mapping) else "")
        or ""
    )


def refusal_message(services: Services, code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return services.renderer.render("common/refusal", {"code": code, **params})


def invalid_text(services: Services, error: InvalidInput) -> str:
    return services.renderer.text("common/invalid", code=error.code, **error.params)


def invalid_message(services: Services, error: InvalidInput) -> dict[str, Any]:
    return services.renderer.render("common/invalid", {"code": error.code, **error.params})


def oops_message(services: Services) -> dict[str, Any]:
    return services.renderer.render("common/oops", {})


def ephemeral(payload: dict[str, Any]) -> dict[str, Any]:
    return {"response_type": "ephemeral", **payload}


def guarded(
    services: Services,
    reply: Callable[..., Any],
    work: Callable[[], dict[str, Any]],
    *,
    soon: bool = False,
) -> None:
    """Runs work after the ack; whatever happens the user reads a sentence, never a trace.

    `soon` starts it at once rather than after a lull, for work that must use a trigger_id
    within 3 seconds. Never in the listener itself: a slash command's listener runs in the
    thread that answers Slack (bot/ack_first.py), and the answer waits for it to return.
    """
    if soon:
        services.soon(lambda: _reply_with(services, reply, work))
    else:
        services.later(lambda: _reply_with(services, reply, work))


def _reply_with(
    services: Services, reply: Callable[..., Any], work: Callable[[], dict[str, Any]]
) -> None:
    try:
        payload = work()
    except Refusal as refusal:
        payload = ephemeral(refusal_message(services, refusal.code, refusal.params))
    except InvalidInput as error:
        payload = ephemeral(invalid_message(services, error))
    except Exception as error:
        services.failed(error)
        payload = ephemeral(oops_message(services))
    if payload:
        reply(**payload)

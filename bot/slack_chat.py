"""The Chat port on Slack's Web API: renders templates and posts, updates and looks up messages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import metrics
from bot.languages import LanguageBook, Renderers
from bot.pacing import AdaptivePace
from bot.rendering import Renderer
from ceremonies.core.ports import Clock, DeliveryError, Marker, Message, Posted, Profile

log = logging.getLogger(__name__)

METADATA_PREFIX = "ceremony_"
# How far before a failed post to look for it (clocks of Slack and ours may differ a little).
LOOK_BACK = timedelta(minutes=1)
# Errors after which sending the same message again cannot succeed.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "team_access_not_granted",
        "invalid_arguments",
        "message_not_found",
        "cant_update_message",
        "no_such_subteam",
        "invalid_users",
        "subteam_not_found",
        "missing_scope",
    }
)


def metadata_for(marker: Marker) -> dict[str, Any]:
    return {"event_type": METADATA_PREFIX + marker.kind, "event_payload": {"key": marker.key}}


def carries(message: dict[str, Any], marker: Marker) -> bool:
    metadata = message.get("metadata") or {}
    return (
        metadata.get("event_type") == METADATA_PREFIX + marker.kind
        and (metadata.get("event_payload") or {}).get("key") == marker.key
    )


# Asking about more people than this reads the workspace directory (users.list) instead.
DIRECTORY_FROM = 20
DIRECTORY_PAGE = 200  # Slack's advice for users.list
PAGE_WORTH = 5  # wanted people a directory page must bring to be worth the next one


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SlackChat:
    """Renders every message in the language of its destination (bot/languages.py): with a
    `book`, a person's, a DM's or a channel's; without one, the renderers' default."""

    def __init__(
        self,
        client: WebClient,
        renderer: Renderer | Renderers,
        *,
        post_pace: AdaptivePace,
        post_client: WebClient | None = None,
        default_tz: str = "UTC",
        clients_of: Callable[[str], tuple[WebClient, WebClient, AdaptivePace]] | None = None,
        book: LanguageBook | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.client = client
        self.post_client = post_client or client
        # Many workspaces: a team's own (reading, posting) clients, made from its install's
        # token, and its own posting pace (Slack's limits are per workspace); it raises for a
        # team that has not installed the bot or has uninstalled it.
        self.clients_of = clients_of
        if isinstance(renderer, Renderer):
            one = renderer
            self.renderers: Callable[[str | None], Renderer] = lambda _language: one
        else:
            self.renderers = renderer
        self.book = book
        self.clock = clock or _UtcClock()
        self.default_tz = default_tz
        # chat.postMessage's pace, which adapts to what Slack accepts (bot/pacing.py).
        self.post_pace = post_pace

    def _clients(self, team_id: str) -> tuple[WebClient, WebClient, AdaptivePace]:
        """The clients and posting pace for a workspace: with one workspace (SLACK_BOT_TOKEN)
        always the same; with many, that workspace's own, never another's."""
        if self.clients_of is None:
            return self.client, self.post_client, self.post_pace
        try:
            return self.clients_of(team_id)
        except LookupError as error:  # bot.installs.NotInstalled
            raise DeliveryError("team_not_installed", permanent=True) from error

    def _call(self, team_id: str, method: str, *, posting: bool = False, **kwargs: Any) -> Any:
        client = self._clients(team_id)[1 if posting else 0]
        try:
            # The typed methods know how each endpoint wants its arguments encoded.
            return getattr(client, method.replace(".", "_"))(**kwargs)
        except SlackApiError as error:
            reason = str(error.response.get("error", "unknown_error"))
            raise DeliveryError(
                f"{method}: {reason}", permanent=reason in PERMANENT_ERRORS
            ) from error
        except (SlackClientError, OSError) as error:  # OSError: a connection reset, a timeout
            raise DeliveryError(f"{method}: {error}", permanent=False) from error

    def renderer_for(self, team_id: str, destination: str) -> Renderer:
        """The renderer in the language `destination` (a user, a DM, a channel) reads."""
        if self.book is None:
            return self.renderers(None)
        try:
            return self.renderers(self.book.destination(team_id, destination))
        except Exception as error:  # the message still goes out, in the default language
            log.warning("the language of %s could not be read: %s", destination, error)
            return self.renderers(None)

    def post(self, team_id: str, channel: str, message: Message) -> Posted:
        failures: list[tuple[str, str]] = []
        renderer = self.renderer_for(team_id, channel)
        payload = renderer.render(message.template, message.context, failures=failures)
        args: dict[str, Any] = {"channel": channel, **payload}
        if message.thread_ts:
            args["thread_ts"] = message.thread_ts
        if message.marker:
            args["metadata"] = metadata_for(message.marker)
        pace = self._clients(team_id)[2]
        pace.acquire()
        tried_at = datetime.now(UTC)
        try:
            response = self._call(team_id, "chat.postMessage", posting=True, **args)
        except DeliveryError as error:
            # A 500 or a lost connection can come after Slack posted: a tagged message is
            # looked for before anyone sends it again; an untagged one is not repeated.
            found = (
                None
                if error.permanent
                else self._posted_after_all(team_id, channel, message, tried_at)
            )
            if found is None:
                raise
            log.info("chat.postMessage failed (%s) but the message is there", error.reason)
            metrics.MESSAGES_SENT.labels(message.template).inc()
            return Posted(found.channel, found.ts, tuple(failures))
        pace.accepted()
        metrics.MESSAGES_SENT.labels(message.template).inc()
        if channel[:1] in "UW" and self.book is not None:
            # Posted by user id: Slack says which DM it went to, and later replies there
            # (answers, confirmations) are then known to be in that person's language.
            self.book.note_dm(team_id, channel, str(response["channel"]))
        return Posted(response["channel"], response["ts"], tuple(failures))

    def _posted_after_all(
        self, team_id: str, channel: str, message: Message, tried_at: datetime
    ) -> Posted | None:
        if message.marker is None:
            return None
        try:
            where = self.open_dm(team_id, channel) if channel[:1] in "UW" else channel
            return self.find_posted(
                team_id, where, message.marker, tried_at - LOOK_BACK, message.thread_ts
            )
        except DeliveryError:
            return None

    def update(self, team_id: str, channel: str, ts: str, message: Message) -> None:
        payload = self.renderer_for(team_id, channel).render(message.template, message.context)
        self._call(team_id, "chat.update", channel=channel, ts=ts, **payload)

    def find_posted(
        self,
        team_id: str,
        channel: str,
        marker: Marker,
        since: datetime,
        thread_ts: str | None = None,
    ) -> Posted | None:
        method, args = "conversations.history", {"channel": channel}
        if thread_ts:
            method, args = "conversations.replies", {"channel": channel, "ts": thread_ts}
        cursor = None
        while True:
            page = self._call(
                team_id,
                method,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
                **args,
                **({"cursor": cursor} if cursor else {}),
            )
            for found in page.get("messages", []):
                if carries(found, marker):
                    return Posted(channel, found["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    def open_dm(self, team_id: str, user_id: str) -> str:
        dm = str(self._call(team_id, "conversations.open", users=user_id)["channel"]["id"])
        if self.book is not None:
            self.book.note_dm(team_id, user_id, dm)
        return dm

    def publish_home(self, team_id: str, user_id: str, view: Message) -> None:
        payload = self.renderer_for(team_id, user_id).view(view.template, view.context)
        self._call(team_id, "views.publish", user_id=user_id, view=payload)

    def set_usergroup_members(self, team_id: str, usergroup_id: str, user_ids: list[str]) -> None:
        self._call(
            team_id, "usergroups.users.update", usergroup=usergroup_id, users=",".join(user_ids)
        )

    def channel_members(self, team_id: str, channel: str) -> list[str]:
        members: list[str] = []
        cursor = None
        while True:
            page = self._call(
                team_id,
                "conversations.members",
                channel=channel,
                limit=1000,
                **({"cursor": cursor} if cursor else {}),
            )
            members.extend(page.get("members", []))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return members

    def permalink(self, team_id: str, channel: str, ts: str) -> str:
        return str(
            self._call(team_id, "chat.getPermalink", channel=channel, message_ts=ts)["permalink"]
        )

    def upload_chart(
        self, team_id: str, channel: str, thread_ts: str, chart: str, data: Mapping[str, Any]
    ) -> None:
        # matplotlib is imported on first use: it slows every start-up, and few need a chart.
        from bot.charts import CHARTS

        png = CHARTS[chart](data)
        client = self._clients(team_id)[0]
        try:
            client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=png,
                filename=f"{chart}.png",
                # "retro_matrix" is titled by templates/retro/matrix_chart_title.txt.j2.
                title=self.renderer_for(team_id, channel).text(
                    chart.replace("_", "/", 1) + "_chart_title", **data
                ),
            )
        except (SlackApiError, SlackClientError) as error:
            raise DeliveryError(f"files upload: {error}", permanent=False) from error

    def profile(self, team_id: str, user_id: str) -> Profile:
        found = self._one_profile(team_id, user_id)
        self._note_locales(team_id, [found])
        return found

    def _one_profile(self, team_id: str, user_id: str) -> Profile:
        user = self._call(team_id, "users.info", user=user_id, include_locale=True)["user"]
        return self._profile(user)

    def _note_locales(self, team_id: str, profiles: list[Profile]) -> None:
        """Every profile read records its person's Slack locale: the language the bot
        speaks to them never needs a users.info call of its own."""
        if self.book is not None:
            self.book.note_profiles(team_id, profiles, self.clock.now())

    def profiles_of(self, team_id: str, user_ids: list[str]) -> list[Profile]:
        """users.info is Tier 4 (100 a minute): one per member made `/daily start` in a
        1,000-member channel take ten minutes. The workspace directory (users.list, Tier 2:
        20 pages a minute) gives 200 people a page, so it is read instead while its pages
        are worth it — a page costs what five users.info calls do — and whoever it did not
        show is asked for one by one."""
        profiles = self._profiles_of(team_id, user_ids)
        self._note_locales(team_id, profiles)
        return profiles

    def _profiles_of(self, team_id: str, user_ids: list[str]) -> list[Profile]:
        if len(user_ids) <= DIRECTORY_FROM:
            return [self._one_profile(team_id, user_id) for user_id in user_ids]
        wanted, found = set(user_ids), dict[str, Profile]()
        cursor = None
        while len(found) < len(wanted):
            page = self._call(
                team_id,
                "users.list",
                limit=DIRECTORY_PAGE,
                include_locale=True,
                **({"cursor": cursor} if cursor else {}),
            )
            before = len(found)
            for member in page.get("members", []):
                if member.get("id") in wanted:
                    found[member["id"]] = self._profile(member)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor or len(found) - before < PAGE_WORTH:
                break
        return [found.get(user_id) or self._one_profile(team_id, user_id) for user_id in user_ids]

    def _profile(self, user: dict[str, Any]) -> Profile:
        return Profile(
            user_id=str(user["id"]),
            name=user.get("real_name") or user.get("name") or str(user["id"]),
            tz=user.get("tz") or self.default_tz,
            is_bot=bool(user.get("is_bot")) or bool(user.get("is_app_user")),
            deleted=bool(user.get("deleted")),
            is_admin=bool(user.get("is_admin") or user.get("is_owner")),
            locale=str(user["locale"]) if user.get("locale") else None,
        )

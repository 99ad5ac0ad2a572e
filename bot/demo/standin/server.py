"""``FakeSlack``: a strict local stand-in for Slack's Web API served over HTTP.

Point the bot's ``WebClient(base_url=fake.api_url)`` at it. Every call is checked against
Slack's method specs and Block Kit schema (see ``contracts``); violations are recorded in
``fake.violations`` and the call is answered the way Slack would (``ok: false`` with Slack's
error code), except "would ping" findings, which are recorded while the call succeeds.

Routes: ``/api/<method>`` (GET query or POST form/JSON/multipart, token in ``Authorization:
Bearer`` or a ``token`` field), ``POST /response/<token>`` (response_url),
``POST /upload/v1/<file_id>`` (external file upload).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from http.server import ThreadingHTTPServer
from typing import Any

from bot.demo.standin import api_chat, api_read, api_usergroups, api_views
from bot.demo.standin.api_common import ApiContext, Handler, err
from bot.demo.standin.api_oauth import OAuthApp, access
from bot.demo.standin.contracts import granted_scopes, inspect_call, method_spec, missing_scope
from bot.demo.standin.inspection import Call, InspectionMixin
from bot.demo.standin.models import BOT_TOKEN, Channel, User, UserGroup
from bot.demo.standin.ratelimit import RateLimitConfig, RateLimiter
from bot.demo.standin.responses import post_to_response_url, show_ack_body
from bot.demo.standin.state import Workspace
from bot.demo.standin.transport import RequestHandler

HANDLERS: dict[str, Handler] = {**api_chat.HANDLERS, **api_read.HANDLERS, **api_views.HANDLERS}
HANDLERS.update(api_usergroups.HANDLERS)
# Methods whose spec's bot scopes are all required; other specs list alternatives by channel
# type (channels:history or groups:history...), which needs logic the stand-in lacks so far.
SCOPE_CHECKED = frozenset(api_usergroups.HANDLERS)


class FakeSlack(InspectionMixin):
    """A strict in-process Slack: workspace model + Web API over HTTP + inspection helpers."""

    def __init__(
        self,
        *,
        rate_limits: bool = False,
        limits: RateLimitConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.ws = Workspace()
        self.limiter = RateLimiter(limits)
        self.rate_limits = rate_limits
        self.token = BOT_TOKEN
        # The token's scopes (manifest.yml's bot scopes); tests remove some to see missing_scope.
        self.scopes: set[str] = set(granted_scopes(SCOPE_CHECKED))
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.ratelimited = 0
        # Set by bot.standin.socket_mode: apps.connections.open takes the app-level token,
        # which every other method refuses.
        self.connections_open: Callable[[str | None], dict[str, Any]] | None = None
        # Fault mode: chat.postMessage to these channels (or user ids) posts, then answers
        # HTTP 500, as Slack sometimes does; the count is how many more times.
        self.fail_after_posting: dict[str, int] = {}
        self._addr = (host, port)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # Installs into many workspaces: the app's OAuth credentials and codes, the other
        # workspaces (each a FakeSlack of its own sharing this one's server and records), and
        # the tokens uninstalling revoked.
        self.oauth = OAuthApp(scopes=",".join(sorted(self.scopes)))
        self.teams: dict[str, FakeSlack] = {}
        self.revoked: set[str] = set()
        self._parent: FakeSlack | None = None

    # ---- workspaces ------------------------------------------------------------------------
    def add_team(self, team_id: str, name: str) -> FakeSlack:
        """Another workspace, as strict as this one: its own users, channels and bot token
        (a call with one workspace's token never sees another's channels). Set it up and
        drive it through the returned FakeSlack; calls and violations are recorded here."""
        team = FakeSlack(rate_limits=self.rate_limits, limits=self.limiter.config)
        team.ws = Workspace(team_id, name)
        team.token = f"xoxb-{team_id.lower()}-standin-1"
        team.scopes = self.scopes
        team.calls, team.violations = self.calls, self.violations
        team._parent = self
        self.teams[team_id] = team
        return team

    @property
    def root(self) -> FakeSlack:
        return self._parent or self

    def consent(self, user_id: str) -> str:
        """A person of this workspace approves the install on Slack's authorize page: the
        code Slack hands the app's redirect URL. After an uninstall, a new bot token."""
        if self.token in self.root.revoked:
            head, _, n = self.token.rpartition("-")
            self.token = f"{head}-{int(n) + 1}" if n.isdigit() else f"{self.token}-2"
        return self.root.oauth.issue_code(self.ws.team_id, user_id)

    def uninstall(self) -> None:
        """The app is removed from this workspace: its token stops working at once (Slack
        then sends app_uninstalled, which the test delivers)."""
        self.root.revoked.add(self.token)

    def _all_teams(self) -> list[FakeSlack]:
        return [self.root, *self.root.teams.values()]

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        if self._server is not None or self._parent is not None:
            return self
        server = ThreadingHTTPServer(self._addr, RequestHandler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            name="fake-slack",
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._parent is not None:
            return self._parent.port
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The ``base_url`` for ``slack_sdk.WebClient``."""
        return f"{self.base_url}/api/"

    # ---- workspace setup -------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "UTC",
        *,
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        real_name: str | None = None,
        locale: str = "en-US",
    ) -> User:
        return self.ws.add_user(
            user_id,
            name,
            tz,
            is_bot=is_bot,
            deleted=deleted,
            is_admin=is_admin,
            real_name=real_name,
            locale=locale,
        )

    def set_user_locale(self, user_id: str, locale: str) -> User:
        """The person changes their Slack language (Slack sends no event for it)."""
        return self.ws.set_user_locale(user_id, locale)

    def set_user_tz(self, user_id: str, tz: str) -> User:
        return self.ws.set_user_tz(user_id, tz)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: list[str],
        is_private: bool = False,
        *,
        bot_member: bool = True,
    ) -> Channel:
        return self.ws.add_channel(channel_id, name, members, is_private, bot_member=bot_member)

    def add_usergroup(
        self, handle: str, name: str, users: Iterable[str] = (), *, enabled: bool = True
    ) -> UserGroup:
        return self.ws.add_usergroup(handle, name, users, enabled=enabled)

    def new_trigger_id(self, user_id: str, view_id: str | None = None) -> str:
        """Issue a trigger id for ``user_id`` (valid once, for ``ws.trigger_ttl`` seconds)."""
        return self.ws.new_trigger_id(user_id, view_id)

    def response_url_for(
        self,
        user_id: str,
        channel_id: str,
        *,
        message_ts: str | None = None,
        ephemeral_id: int | None = None,
    ) -> str:
        """Issue a response_url owned by ``user_id`` in ``channel_id`` (optionally tied to the
        message it was issued for, for replace_original/delete_original)."""
        rec = self.ws.new_response_url(
            user_id, channel_id, message_ts=message_ts, ephemeral_id=ephemeral_id
        )
        return f"{self.base_url}/response/{rec.token}"

    def floor_seconds(self, method: str, n_calls: int, n_channels: int = 1) -> float:
        """Least time the rate limits allow for ``n_calls`` of ``method`` over ``n_channels``."""
        return self.limiter.config.floor_seconds(method, n_calls, n_channels)

    def violate(self, message: str) -> None:
        with self.ws.lock:
            self.violations.append(message)

    def reset_records(self) -> None:
        """Forget recorded calls, violations and 429 counts (the workspace is kept)."""
        with self.ws.lock:
            self.calls.clear()
            self.violations.clear()
            self.ratelimited = 0
            self.limiter.reset()

    # ---- request handling ------------------------------------------------------------------
    def _rate_key(self, method: str, args: dict[str, Any]) -> str | None:
        if method != "chat.postMessage":
            return None
        ref = str(args.get("channel", ""))
        if ref in self.ws.users:
            return f"im:{ref}"
        channel = self.ws.channel_by_ref(ref)
        if channel is None:
            return ref
        return f"im:{channel.im_user}" if channel.is_im else channel.id

    def handle_api(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        is_json: bool,
        parse_error: str = "",
        charset: bool = True,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Serve one Web API call: (HTTP status, JSON body, extra headers)."""
        with self.ws.lock:
            status, resp, headers, seen = self._dispatch(method, args, token, is_json, parse_error)
            if is_json and not charset and resp.get("ok"):
                resp["warning"] = ",".join(filter(None, [resp.get("warning"), "missing_charset"]))
                meta = resp.setdefault("response_metadata", {})
                meta.setdefault("warnings", []).append("missing_charset")
            self.calls.append(Call(method, seen, resp, token))
            return status, resp, headers

    def _dispatch(
        self, method: str, args: dict[str, Any], token: str | None, is_json: bool, parse_error: str
    ) -> tuple[int, dict[str, Any], dict[str, str], dict[str, Any]]:
        """(status, body, headers, args as recorded: decoded when they could be checked)."""
        if method == "apps.connections.open" and self.connections_open is not None:
            return 200, self.connections_open(token), {}, args
        if method == "oauth.v2.access":
            return 200, self._oauth_access(args), {}, args
        if not token:
            return 200, err("not_authed"), {}, args
        if token in self.root.revoked:
            return 200, err("token_revoked"), {}, args
        if token != self.token:
            team = next((t for t in self.root.teams.values() if t.token == token), None)
            if team is None or self._parent is not None:
                return 200, err("invalid_auth"), {}, args
            # Another workspace's token: the call acts there, and sees nothing of this one.
            with team.ws.lock:
                return team._dispatch(method, args, token, is_json, parse_error)
        handler = HANDLERS.get(method)
        spec = method_spec(method)
        if handler is None or spec is None:
            why = "not implemented by the stand-in" if spec else "unknown method"
            self.violations.append(f"{method}: {why}")
            return 200, err("unknown_method", req_method=method), {}, args
        needed = missing_scope(method, self.scopes) if method in SCOPE_CHECKED else None
        if needed:
            self.violations.append(f"{method}: the token lacks {needed} (see manifest.yml)")
            provided = ",".join(sorted(self.scopes))
            return 200, err("missing_scope", needed=needed, provided=provided), {}, args
        if parse_error:
            self.violations.append(f"{method}: request body could not be parsed ({parse_error})")
            return 200, err(parse_error), {}, args
        if is_json and not spec.get("json_input_supported"):
            self.violations.append(f"{method}: does not accept JSON bodies (send form fields)")
            return 200, err("invalid_arguments"), {}, args
        if self.rate_limits:
            wait = self.limiter.acquire(method, self._rate_key(method, args))
            if wait > 0:
                self.ratelimited += 1
                retry = str(self.limiter.retry_after(wait))
                return 429, err("ratelimited"), {"Retry-After": retry}, args
        check = inspect_call(method, args, self.ws.team_id)
        self.violations.extend(check.all_violations)
        if check.error:
            messages = [f"[ERROR] {v}" for v in check.violations]
            extra: dict[str, Any] = {"response_metadata": {"messages": messages}}
            if check.error in ("invalid_blocks", "invalid_blocks_format"):
                extra["errors"] = list(check.violations)
            return 200, err(check.error, **extra), {}, check.args
        ctx = ApiContext(self.ws, self.base_url, self.violations.append)
        resp = handler(ctx, check.args)
        if method == "chat.postMessage" and resp.get("ok"):
            target = str(check.args.get("channel", ""))
            if self.fail_after_posting.get(target, 0) > 0:
                self.fail_after_posting[target] -= 1
                return 500, err("fatal_error"), {}, check.args
        if check.warnings and resp.get("ok"):
            resp["warning"] = ",".join(check.warnings)
            resp["response_metadata"] = {"warnings": list(check.warnings)}
        return 200, resp, {}, check.args

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        check = inspect_call("oauth.v2.access", args)
        self.violations.extend(check.all_violations)
        if check.error:
            return err(check.error)
        teams = self._all_teams()
        return access(
            self.root.oauth,
            check.args,
            {t.ws.team_id: t.token for t in teams},
            {t.ws.team_id: t.ws.team_name for t in teams},
        )

    def handle_response_url(self, token: str, raw: bytes) -> tuple[int, str]:
        # A response_url belongs to the workspace that issued it.
        owner = next((t for t in self._all_teams() if token in t.ws.response_urls), self)
        if owner is not self:
            return owner.handle_response_url(token, raw)
        status, text, body = post_to_response_url(self.ws, token, raw, self.violate)
        with self.ws.lock:
            self.calls.append(
                Call("response_url", body, {"ok": status == 200, "status": status, "body": text})
            )
        return status, text

    def handle_upload(self, file_id: str, data: bytes) -> tuple[int, str]:
        owner = next((t for t in self._all_teams() if file_id in t.ws.files), self)
        if owner is not self:
            return owner.handle_upload(file_id, data)
        with self.ws.lock:
            f = self.ws.files.get(file_id)
            if f is None:
                self.violations.append(f"upload: unknown file id {file_id}")
                return 404, "file_not_found"
            if len(data) != f.length:
                self.violations.append(
                    f"upload: {f.filename} sent {len(data)} bytes but "
                    f"files.getUploadURLExternal declared {f.length}"
                )
            f.data = data
            return 200, f"OK - {len(data)}"

    def show_ack(
        self,
        user_id: str,
        channel_id: str,
        content_type: str,
        body: bytes,
        at: tuple[int, str] | None = None,
    ) -> None:
        """Display a slash command's ack body to the user, as Slack would."""
        show_ack_body(self.ws, user_id, channel_id, content_type, body, self.violate, at)

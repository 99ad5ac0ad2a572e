"""oauth.v2.access in the stand-in: a code, issued when a person consents to install the app
in a workspace (``FakeSlack.consent``), exchanged once for that workspace's bot token."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field
from typing import Any

from bot.demo.standin.api_common import Response, err, ok
from bot.demo.standin.models import APP_ID, BOT_USER_ID

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "standin-client-secret"


@dataclass
class OAuthApp:
    """The app's credentials and the codes people's consent issued, each good once."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    scopes: str = ""
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code: (team, user)

    def issue_code(self, team_id: str, user_id: str) -> str:
        code = f"{team_id}.{secrets.token_hex(8)}"
        self.codes[code] = (team_id, user_id)
        return code


def basic_credentials(authorization: str) -> dict[str, str]:
    """client_id and client_secret from an HTTP Basic ``Authorization`` header."""
    if not authorization.lower().startswith("basic "):
        return {}
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return {}
    client_id, sep, client_secret = decoded.partition(":")
    return {"client_id": client_id, "client_secret": client_secret} if sep else {}


def access(
    app: OAuthApp, args: dict[str, Any], token_of: dict[str, str], names: dict[str, str]
) -> Response:
    """The exchange; ``token_of`` gives each workspace's current bot token."""
    if args.get("client_id") != app.client_id:
        return err("invalid_client_id")
    if args.get("client_secret") != app.client_secret:
        return err("bad_client_secret")
    granted = app.codes.pop(str(args.get("code", "")), None)
    if granted is None:
        return err("invalid_code")
    team_id, user_id = granted
    return ok(
        access_token=token_of[team_id],
        token_type="bot",
        scope=app.scopes,
        bot_user_id=BOT_USER_ID,
        app_id=APP_ID,
        team={"id": team_id, "name": names[team_id]},
        enterprise=None,
        is_enterprise_install=False,
        authed_user={"id": user_id},
    )

"""The stand-in's second workspace and oauth.v2.access: as strict as Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.demo.standin.api_oauth import CLIENT_ID, CLIENT_SECRET
from bot.demo.standin.models import TEAM_ID
from bot.demo.standin.server import FakeSlack


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user("UANNA", "anna")
    fake.add_channel("CTEAM", "team", ["UANNA"])
    yield fake
    fake.stop()


def _error(call: object) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()  # type: ignore[operator]
    return str(raised.value.response["error"])


def test_each_workspace_sees_only_its_own_channels(slack: FakeSlack) -> None:
    other = slack.add_team("T0002", "Other")
    other.add_user("UBORIS", "boris")
    other.add_channel("COTHER", "other", ["UBORIS"])
    a = WebClient(token=slack.token, base_url=slack.api_url)
    b = WebClient(token=other.token, base_url=slack.api_url)
    assert a.auth_test()["team_id"] == TEAM_ID and b.auth_test()["team_id"] == "T0002"
    assert b.chat_postMessage(channel="COTHER", text="hi")["ok"]
    assert _error(lambda: a.chat_postMessage(channel="COTHER", text="hi")) == "channel_not_found"
    assert _error(lambda: b.conversations_members(channel="CTEAM")) == "channel_not_found"
    assert _error(lambda: b.users_info(user="UANNA")) == "user_not_found"
    assert [c.token for c in slack.calls if c.method == "chat.postMessage"] == [
        other.token,
        slack.token,
    ]
    assert other.messages("COTHER")[0]["text"] == "hi" and slack.messages("CTEAM") == []
    assert slack.violations == []


def test_a_consent_code_is_exchanged_once_for_that_workspaces_token(slack: FakeSlack) -> None:
    other = slack.add_team("T0002", "Other")
    client = WebClient(base_url=slack.api_url)
    code = other.consent("UBORIS")
    answer = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code)
    assert answer["access_token"] == other.token and answer["team"]["id"] == "T0002"
    again = lambda: client.oauth_v2_access(  # noqa: E731
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    assert _error(again) == "invalid_code"
    fresh = slack.consent("UANNA")
    wrong = lambda: client.oauth_v2_access(  # noqa: E731
        client_id=CLIENT_ID, client_secret="guess", code=fresh
    )
    assert _error(wrong) == "bad_client_secret"
    assert slack.violations == []


def test_uninstalling_revokes_the_token_and_reinstalling_issues_another(slack: FakeSlack) -> None:
    other = slack.add_team("T0002", "Other")
    old = other.token
    other.uninstall()
    assert _error(WebClient(token=old, base_url=slack.api_url).auth_test) == "token_revoked"
    other.consent("UBORIS")
    assert other.token != old
    assert WebClient(token=other.token, base_url=slack.api_url).auth_test()["team_id"] == "T0002"

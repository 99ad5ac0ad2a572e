"""FakeSlack's usergroups.* methods through slack_sdk's WebClient (and raw HTTP for encodings)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.demo.standin import BOT_TOKEN, FakeSlack
from bot.demo.standin.contracts import manifest_bot_scopes


def api_error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as info:
        call(**kwargs)
    return dict(info.value.response.data)


def raw(fake: FakeSlack, method: str, body: bytes, ctype: str) -> dict[str, Any]:
    headers = {"Content-Type": ctype, "Authorization": f"Bearer {BOT_TOKEN}"}
    req = urllib.request.Request(fake.api_url + method, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def form(fake: FakeSlack, method: str, **fields: str) -> dict[str, Any]:
    body = urllib.parse.urlencode(fields).encode()
    return raw(fake, method, body, "application/x-www-form-urlencoded")


def as_json(fake: FakeSlack, method: str, payload: dict[str, Any]) -> dict[str, Any]:
    return raw(fake, method, json.dumps(payload).encode(), "application/json; charset=utf-8")


@pytest.fixture(autouse=True)
def may_read_groups(fake: FakeSlack) -> None:
    # The bot never reads groups (the manifest does not ask for usergroups:read); these tests
    # read them to see what the stand-in keeps, as an app with that scope would.
    fake.scopes.add("usergroups:read")


@pytest.fixture
def oncall(fake: FakeSlack) -> str:
    return fake.add_usergroup("oncall", "On-call", ["U1", "U2"]).id


def test_list_with_and_without_users(fake: FakeSlack, client: WebClient, oncall: str) -> None:
    old = fake.add_usergroup("old-team", "Old team", ["U3"], enabled=False).id
    plain = client.usergroups_list()["usergroups"]
    assert [g["id"] for g in plain] == [oncall] and oncall.startswith("S0")
    group = plain[0]
    assert (group["handle"], group["name"], group["team_id"]) == ("oncall", "On-call", "T0001")
    assert group["is_usergroup"] is True and group["is_external"] is False
    assert group["date_delete"] == 0 and group["deleted_by"] is None and group["auto_type"] is None
    assert group["prefs"] == {"channels": [], "groups": []}
    assert "users" not in group and "user_count" not in group
    full = client.usergroups_list(include_users=True, include_count=True, include_disabled=True)
    by_id = {g["id"]: g for g in full["usergroups"]}
    assert by_id[oncall]["users"] == ["U1", "U2"] and by_id[oncall]["user_count"] == 2
    assert by_id[old]["users"] == ["U3"] and by_id[old]["date_delete"] > 0
    assert fake.usergroup(old)["deleted_by"] == "UBOT"
    assert fake.violations == []


def test_users_update_replaces_members(fake: FakeSlack, client: WebClient, oncall: str) -> None:
    resp = client.usergroups_users_update(usergroup=oncall, users=["U2", "U3"], include_count=True)
    assert resp["usergroup"]["users"] == ["U2", "U3"] and resp["usergroup"]["user_count"] == 2
    assert resp["usergroup"]["updated_by"] == "UBOT"
    assert client.usergroups_users_list(usergroup=oncall)["users"] == ["U2", "U3"]
    assert fake.usergroup_members(oncall) == ["U2", "U3"]
    [call] = fake.usergroup_updates(oncall)
    assert call.args["users"] == ["U2", "U3"] and call.response["ok"]
    assert fake.usergroup_updates("S0NOPE") == []
    assert fake.violations == []


def test_comma_string_and_json_array_forms(fake: FakeSlack, client: WebClient, oncall: str) -> None:
    assert client.usergroups_users_update(usergroup=oncall, users="U1,U3")["ok"]
    assert fake.usergroup_members(oncall) == ["U1", "U3"]
    assert form(fake, "usergroups.users.update", usergroup=oncall, users="U3, U2")["ok"]
    assert fake.usergroup_members(oncall) == ["U3", "U2"]
    payload = {"usergroup": oncall, "users": ["U2", "U1", "U2"]}
    assert as_json(fake, "usergroups.users.update", payload)["ok"]
    assert fake.usergroup_members(oncall) == ["U2", "U1"]
    assert [c.args["users"] for c in fake.usergroup_updates()] == [
        ["U1", "U3"],
        ["U3", "U2"],
        ["U2", "U1", "U2"],
    ]
    assert fake.violations == []


def test_invalid_users_change_nothing(fake: FakeSlack, client: WebClient, oncall: str) -> None:
    fake.add_user("U8", "gone", deleted=True)
    fake.add_user("U9", "helper-bot", is_bot=True)
    for users in (["U1", "U404"], ["U8"], ["U9"], ["UBOT"]):
        err = api_error(client.usergroups_users_update, usergroup=oncall, users=users)
        assert err["error"] == "invalid_users", users
    assert as_json(fake, "usergroups.users.update", {"usergroup": oncall, "users": [7]}) == {
        "ok": False,
        "error": "invalid_users",
    }
    empty = form(fake, "usergroups.users.update", usergroup=oncall, users="")
    assert empty["error"] == "no_users_provided"
    assert fake.usergroup_members(oncall) == ["U1", "U2"]
    assert fake.violations == []


def test_unknown_group(fake: FakeSlack, client: WebClient) -> None:
    err = api_error(client.usergroups_users_update, usergroup="S0NOPE", users=["U1"])
    assert err["error"] == "no_such_subteam"
    assert api_error(client.usergroups_users_list, usergroup="S0NOPE")["error"] == "no_such_subteam"
    assert api_error(client.usergroups_enable, usergroup="S0NOPE")["error"] == "no_such_subteam"
    with pytest.raises(KeyError):
        fake.usergroup_members("S0NOPE")
    assert fake.usergroup("S0NOPE") is None


def test_missing_scope(fake: FakeSlack, client: WebClient, oncall: str) -> None:
    assert fake.scopes == manifest_bot_scopes() | {"usergroups:read"}
    assert "usergroups:write" in fake.scopes
    fake.scopes.discard("usergroups:write")
    err = api_error(client.usergroups_users_update, usergroup=oncall, users=["U3"])
    assert (err["error"], err["needed"]) == ("missing_scope", "usergroups:write")
    assert "usergroups:read" in err["provided"].split(",")
    assert fake.usergroup_members(oncall) == ["U1", "U2"]
    assert client.usergroups_list()["ok"]  # reading needs only usergroups:read
    fake.scopes.discard("usergroups:read")
    assert api_error(client.usergroups_users_list, usergroup=oncall)["needed"] == "usergroups:read"
    assert fake.violations == [
        "usergroups.users.update: the token lacks usergroups:write (see manifest.yml)",
        "usergroups.users.list: the token lacks usergroups:read (see manifest.yml)",
    ]


def test_calls_are_checked_against_the_spec(
    fake: FakeSlack, client: WebClient, oncall: str
) -> None:
    err = api_error(client.usergroups_users_update, usergroup=oncall, users="U3", bogus="1")
    assert err["error"] == "invalid_arguments"
    assert fake.violations == ["usergroups.users.update: unknown argument 'bogus'"]
    fake.violations.clear()
    bad_type = as_json(fake, "usergroups.users.update", {"usergroup": oncall, "users": {"a": 1}})
    assert bad_type["error"] == "invalid_arguments"
    assert (
        "'users'" in fake.violations[0] and "users" in bad_type["response_metadata"]["messages"][0]
    )
    fake.violations.clear()
    bad_flag = form(
        fake, "usergroups.users.update", usergroup=oncall, users="U3", include_count="x"
    )
    assert bad_flag["error"] == "invalid_arguments" and "'include_count'" in fake.violations[0]
    fake.violations.clear()
    missing = form(fake, "usergroups.users.update", usergroup=oncall)
    assert missing["error"] == "invalid_arguments"
    assert fake.violations == ["usergroups.users.update: missing required argument 'users'"]
    fake.violations.clear()
    wrong = raw(fake, "usergroups.list", b"{}", "application/json; charset=utf-8")
    assert wrong["error"] == "invalid_arguments" and "does not accept JSON" in fake.violations[0]
    assert fake.usergroup_members(oncall) == ["U1", "U2"]
    assert len(fake.usergroup_updates(oncall)) == 4  # refused calls are logged too


def test_team_id_as_bolt_sends_it(fake: FakeSlack, oncall: str) -> None:
    scoped = WebClient(token=BOT_TOKEN, base_url=fake.api_url, team_id="T0001")
    assert [g["id"] for g in scoped.usergroups_list()["usergroups"]] == [oncall]
    assert scoped.usergroups_users_update(usergroup=oncall, users=["U3"])["ok"]
    other = WebClient(token=BOT_TOKEN, base_url=fake.api_url, team_id="T9999")
    assert api_error(other.usergroups_list)["error"] == "team_not_found"
    fake.violations.clear()


def test_enable_disable(fake: FakeSlack, client: WebClient, oncall: str) -> None:
    gone = client.usergroups_disable(usergroup=oncall)["usergroup"]
    assert gone["date_delete"] > 0 and gone["deleted_by"] == "UBOT"
    assert client.usergroups_list()["usergroups"] == []
    assert api_error(client.usergroups_disable, usergroup=oncall)["error"] == "already_disabled"
    assert api_error(client.usergroups_users_list, usergroup=oncall)["error"] == "no_such_subteam"
    kept = client.usergroups_users_list(usergroup=oncall, include_disabled=True)["users"]
    assert kept == ["U1", "U2"]
    err = api_error(client.usergroups_users_update, usergroup=oncall, users=["U3"])
    assert err["error"] == "no_such_subteam" and fake.usergroup_members(oncall) == ["U1", "U2"]
    assert fake.violations == [f"usergroups.users.update: {oncall} is disabled; enable it first"]
    back = client.usergroups_enable(usergroup=oncall, include_count=True)["usergroup"]
    assert back["date_delete"] == 0 and back["deleted_by"] is None and back["user_count"] == 2
    assert api_error(client.usergroups_enable, usergroup=oncall)["error"] == "already_enabled"


def test_create_and_update(fake: FakeSlack, client: WebClient, oncall: str) -> None:
    made = client.usergroups_create(name="Release Crew", description="Ships it")["usergroup"]
    assert made["id"].startswith("S0") and made["handle"] == "release-crew"
    assert made["users"] == [] and made["created_by"] == "UBOT"
    taken = (
        {"name": "On-call"},
        {"name": "X", "handle": "alice"},
        {"name": "Y", "handle": "standup"},
    )
    codes = [api_error(client.usergroups_create, **kw)["error"] for kw in taken]
    assert codes == ["name_already_exists", "handle_already_exists", "handle_already_exists"]
    assert (
        api_error(client.usergroups_create, name="Z", handle="Has Space")["error"] == "bad_handle"
    )
    assert api_error(client.usergroups_create, name=" ")["error"] == "missing_subteam_name"
    updated = client.usergroups_update(
        usergroup=made["id"], name="Release", handle="release", channels=["C1", "G1"]
    )["usergroup"]
    assert (updated["name"], updated["handle"], updated["description"]) == (
        "Release",
        "release",
        "Ships it",
    )
    assert updated["prefs"] == {"channels": ["C1"], "groups": ["G1"]}
    err = api_error(client.usergroups_update, usergroup=made["id"], handle="oncall")
    assert err["error"] == "handle_already_exists"
    err = api_error(client.usergroups_update, usergroup=made["id"], channels="C404")
    assert err["error"] == "invalid_channel_provided"
    assert fake.usergroup(made["id"])["handle"] == "release"
    assert api_error(client.usergroups_update, usergroup="S0NOPE")["error"] == "no_such_subteam"
    assert fake.violations == []


def test_unmodelled_arguments_are_flagged(fake: FakeSlack, client: WebClient, oncall: str) -> None:
    resp = client.usergroups_users_update(usergroup=oncall, users=["U3"], additional_channels="C1")
    assert resp["ok"]
    assert fake.violations == [
        "usergroups.users.update: additional_channels is not modelled by the stand-in (ignored)"
    ]


def test_add_usergroup_refuses_what_slack_would(fake: FakeSlack, oncall: str) -> None:
    fake.add_user("U9", "helper-bot", is_bot=True)
    with pytest.raises(ValueError):
        fake.add_usergroup("helpers", "Helpers", ["U1", "U9"])
    with pytest.raises(ValueError):
        fake.add_usergroup("oncall", "Another")
    with pytest.raises(ValueError):
        fake.add_usergroup("bob", "Named like a user")


def test_rate_limited_at_tier_2(fake: FakeSlack, oncall: str) -> None:
    fake.rate_limits = True
    plain = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
    for users in (["U1"], ["U2"]):  # Tier 2's burst
        plain.usergroups_users_update(usergroup=oncall, users=users)
    with pytest.raises(SlackApiError) as info:
        plain.usergroups_users_update(usergroup=oncall, users=["U3"])
    assert info.value.response.status_code == 429 and fake.ratelimited == 1
    assert fake.usergroup_members(oncall) == ["U2"]
    assert fake.floor_seconds("usergroups.users.update", 22) == pytest.approx(60.0)

"""FakeSlack's Web API through slack_sdk's real WebClient (and raw HTTP for encodings)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.demo.standin import BOT_TOKEN, FakeSlack

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}
MODAL = {
    "type": "modal",
    "callback_id": "m",
    "title": {"type": "plain_text", "text": "Standup"},
    "blocks": [SECTION],
}


def api_error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as info:
        call(**kwargs)
    return dict(info.value.response.data)


def raw(
    fake: FakeSlack,
    method: str,
    body: bytes,
    ctype: str,
    *,
    get: bool = False,
    token: str | None = BOT_TOKEN,
) -> dict[str, Any]:
    url = fake.api_url + method + ("?" + body.decode() if get else "")
    headers = {"Content-Type": ctype}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        url, data=None if get else body, headers=headers, method="GET" if get else "POST"
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def test_post_message_with_blocks_and_metadata(fake: FakeSlack, client: WebClient) -> None:
    meta = {"event_type": "standup_prompt", "event_payload": {"run": 7}}
    resp = client.chat_postMessage(channel="C1", text="fallback", blocks=[SECTION], metadata=meta)
    assert resp["ok"] and resp["channel"] == "C1"
    plain = client.conversations_history(channel="C1")["messages"][0]
    assert "metadata" not in plain and plain["blocks"][0]["block_id"]
    full = client.conversations_history(channel="C1", include_all_metadata=True)["messages"][0]
    assert full["metadata"] == meta and full["ts"] == resp["ts"]
    assert fake.messages("C1")[0]["metadata"] == meta
    assert fake.violations == []


def test_post_to_user_id_lands_in_dm(fake: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postMessage(channel="U1", text="hi alice")
    assert resp["channel"] == "D1" == fake.dm_channel_id("U1")
    opened = client.conversations_open(users="U1")
    assert opened["channel"]["id"] == "D1" and opened["already_open"]
    assert [m["text"] for m in fake.dm_messages("U1")] == ["hi alice"]
    assert (
        api_error(client.chat_postMessage, channel="UNOPE", text="x")["error"]
        == "channel_not_found"
    )


def test_channel_access_errors(client: WebClient) -> None:
    assert api_error(client.chat_postMessage, channel="C2", text="x")["error"] == "not_in_channel"
    assert (
        api_error(client.chat_postMessage, channel="G1", text="x")["error"] == "channel_not_found"
    )
    assert api_error(client.conversations_history, channel="C2")["error"] == "not_in_channel"
    assert client.conversations_members(channel="C2")["members"] == ["U1", "U2", "U3"]


def test_threads_update_delete(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]
    assert replies[0]["reply_count"] == 1
    assert len(client.conversations_history(channel="C1")["messages"]) == 1
    err = api_error(client.chat_postMessage, channel="C1", text="x", thread_ts="1.000001")
    assert err["error"] == "thread_not_found" and fake.violations
    fake.violations.clear()
    updated = client.chat_update(channel="C1", ts=parent, text="parent v2")
    assert updated["message"]["edited"]["user"] == "UBOT"
    assert fake.thread("C1", parent)[0]["text"] == "parent v2"
    assert (
        api_error(client.chat_update, channel="C1", ts=parent, text="x" * 4001)["error"]
        == "msg_too_long"
    )
    fake.violations.clear()
    client.chat_delete(channel="C1", ts=parent)
    assert api_error(client.chat_delete, channel="C1", ts=parent)["error"] == "message_not_found"
    assert (
        api_error(client.chat_getPermalink, channel="C1", message_ts=parent)["error"]
        == "message_not_found"
    )


def test_ts_strictly_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(20)]
    assert (
        stamps == sorted(stamps, key=lambda s: tuple(map(int, s.split("."))))
        and len(set(stamps)) == 20
    )
    assert all(len(s.split(".")[1]) == 6 for s in stamps)


def test_ephemeral(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert [e["text"] for e in fake.ephemerals("U1")] == ["only you"]
    assert fake.ephemerals("U2") == []
    assert (
        api_error(client.chat_postEphemeral, channel="C1", user="U3", text="x")["error"]
        == "user_not_in_channel"
    )


def test_views_open_push_update(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.new_trigger_id("U1")
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and fake.open_views("U1")[0]["id"] == view["id"]
    assert (
        api_error(client.views_open, trigger_id=trigger, view=MODAL)["error"]
        == "exchanged_trigger_id"
    )
    assert (
        api_error(client.views_open, trigger_id="123.456.abc", view=MODAL)["error"]
        == "invalid_trigger_id"
    )
    assert len(fake.violations) == 2
    fake.violations.clear()
    for _ in range(2):
        client.views_push(trigger_id=fake.new_trigger_id("U1"), view=MODAL)
    assert len(fake.open_views("U1")) == 3
    assert (
        api_error(client.views_push, trigger_id=fake.new_trigger_id("U1"), view=MODAL)["error"]
        == "push_limit_reached"
    )
    fake.violations.clear()
    new = dict(MODAL, title={"type": "plain_text", "text": "Changed"})
    updated = client.views_update(view_id=view["id"], view=new, hash=view["hash"])["view"]
    assert updated["title"]["text"] == "Changed" and updated["hash"] != view["hash"]
    assert (
        api_error(client.views_update, view_id=view["id"], view=new, hash=view["hash"])["error"]
        == "hash_conflict"
    )
    ext = dict(MODAL, external_id="ext-1")
    client.views_open(trigger_id=fake.new_trigger_id("U2"), view=ext)
    assert client.views_update(external_id="ext-1", view=ext)["ok"]


def test_trigger_expires_after_3_seconds(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.new_trigger_id("U1")
    base = fake.ws.clock
    fake.ws.clock = lambda: base() + 3.5
    assert (
        api_error(client.views_open, trigger_id=trigger, view=MODAL)["error"]
        == "expired_trigger_id"
    )


def test_rejects_long_modal_title(fake: FakeSlack, client: WebClient) -> None:
    view = dict(MODAL, title={"type": "plain_text", "text": "x" * 25})
    err = api_error(client.views_open, trigger_id=fake.new_trigger_id("U1"), view=view)
    assert err["error"] == "invalid_arguments"
    assert "title text is 25 chars" in err["response_metadata"]["messages"][0]
    assert fake.open_views("U1") == []


def test_rejects_bad_calls(fake: FakeSlack, client: WebClient) -> None:
    assert (
        api_error(client.chat_postMessage, channel="C1", text="x", bogus=1)["error"]
        == "invalid_arguments"
    )
    err = api_error(client.chat_postMessage, channel="C1", text="x", blocks=[{"type": "section"}])
    assert err["error"] == "invalid_blocks" and err["errors"]
    assert (
        api_error(client.chat_postMessage, channel="C1", text="x", blocks=[SECTION] * 51)["error"]
        == "invalid_blocks"
    )
    assert api_error(client.api_call, api_method="chat.fly")["error"] == "unknown_method"
    assert api_error(client.api_call, api_method="reactions.add")["error"] == "unknown_method"
    assert len(fake.violations) == 5
    assert fake.messages("C1") == []


def test_ping_recorded_but_delivered(fake: FakeSlack, client: WebClient) -> None:
    assert client.chat_postMessage(channel="C1", text="<!channel> standup time")["ok"]
    assert fake.violations == ["chat.postMessage: would ping: text: contains <!channel"]
    assert len(fake.messages("C1")) == 1


def test_auth(fake: FakeSlack) -> None:
    bad = WebClient(token="xoxb-wrong", base_url=fake.api_url)
    assert api_error(bad.auth_test)["error"] == "invalid_auth"
    assert api_error(WebClient(base_url=fake.api_url).auth_test)["error"] == "not_authed"
    ok = WebClient(token=BOT_TOKEN, base_url=fake.api_url).auth_test()
    assert (ok["user_id"], ok["team_id"], ok["bot_id"]) == ("UBOT", "T0001", "B0001")


def test_encodings(fake: FakeSlack) -> None:
    body = b"channel=C1&text=form+encoded"
    assert raw(fake, "chat.postMessage", body, "application/x-www-form-urlencoded")["ok"]
    assert raw(fake, "conversations.history", b"channel=C1&limit=1", "", get=True)["ok"]
    form_token = raw(
        fake,
        "auth.test",
        f"token={BOT_TOKEN}".encode(),
        "application/x-www-form-urlencoded",
        token=None,
    )
    assert form_token["ok"]
    no_charset = raw(fake, "chat.postMessage", b'{"channel":"C1","text":"j"}', "application/json")
    assert no_charset["warning"] == "missing_charset"
    wrong = raw(fake, "users.info", b'{"user":"U1"}', "application/json; charset=utf-8")
    assert wrong["error"] == "invalid_arguments"
    assert "does not accept JSON" in fake.violations[-1]


def test_pagination(fake: FakeSlack, client: WebClient) -> None:
    sent = [client.chat_postMessage(channel="C1", text=f"m{i}")["ts"] for i in range(7)]
    seen: list[str] = []
    cursor = None
    while True:
        page = client.conversations_history(channel="C1", limit=3, cursor=cursor)
        seen += [m["ts"] for m in page["messages"]]
        if not page["has_more"]:
            break
        cursor = page["response_metadata"]["next_cursor"]
    assert seen == sent[::-1]
    window = client.conversations_history(channel="C1", oldest=sent[1], latest=sent[4])
    assert [m["ts"] for m in window["messages"]] == [sent[3], sent[2]]
    inclusive = client.conversations_history(
        channel="C1", oldest=sent[1], latest=sent[4], inclusive=True
    )
    assert len(inclusive["messages"]) == 4
    for i in range(4, 12):
        fake.add_user(f"U{i}", f"user{i}")
    fake.add_channel("C9", "big", [f"U{i}" for i in range(1, 12)])
    members: list[str] = []
    for page in client.conversations_members(channel="C9", limit=5):
        members += page["members"]
    assert members == [f"U{i}" for i in range(1, 12)] + ["UBOT"]
    users: list[str] = []
    for page in client.users_list(limit=4):
        users += [u["id"] for u in page["members"]]
    assert len(users) == len(fake.ws.users) == len(set(users))
    assert (
        api_error(client.conversations_members, channel="C9", cursor="bogus")["error"]
        == "invalid_cursor"
    )


def test_users(fake: FakeSlack, client: WebClient) -> None:
    alice = client.users_info(user="U1")["user"]
    assert alice["tz"] == "Europe/Berlin" and alice["tz_offset"] in (3600, 7200)
    assert alice["real_name"] == "Alice A"
    fake.set_user_tz("U1", "Asia/Kolkata")
    assert client.users_info(user="U1")["user"]["tz_offset"] == 19800
    assert api_error(client.users_info, user="U404")["error"] == "user_not_found"
    info = client.conversations_info(channel="C1", include_num_members=True)["channel"]
    assert info["name"] == "standup" and info["num_members"] == 3 and info["is_member"]


def test_home_and_files(fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [SECTION]}
    client.views_publish(user_id="U1", view=home)
    assert fake.home("U1")["blocks"][0]["text"]["text"] == "hello"
    done = client.files_upload_v2(
        channel="C1",
        content="report body",
        filename="r.txt",
        title="Report",
        initial_comment="weekly report",
    )
    assert done["file"]["title"] == "Report"
    msg = fake.messages("C1")[-1]
    assert msg["text"] == "weekly report" and msg["files"][0]["name"] == "r.txt"
    assert fake.ws.files[done["file"]["id"]].data == b"report body"
    assert fake.violations == []


def test_transcript(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(
        channel="U1",
        text="fallback",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "Daily standup"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "How is it going?"},
                "fields": [{"type": "mrkdwn", "text": "*Due* today"}],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "go",
                        "text": {"type": "plain_text", "text": "Answer"},
                    }
                ],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "ceremony-bot"}]},
        ],
    )
    client.chat_postMessage(channel="C1", text="team post")
    client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    client.views_open(trigger_id=fake.new_trigger_id("U1"), view=MODAL)
    client.chat_postMessage(channel="C1", text="bob cannot see")  # U2 can; U1 too (member)
    text = fake.transcript("U1")
    lines = text.splitlines()
    assert lines[0] == "[DM] ceremony-bot: ## Daily standup"
    assert "    [Answer]" in lines and "    *Due* today" in lines
    assert "[#standup, only visible to you] ceremony-bot: psst" in lines
    assert "[modal opened] == Standup ==" in lines
    assert text.index("team post") < text.index("psst") < text.index("Standup")
    assert "Daily standup" not in fake.transcript("U2") and "psst" not in fake.transcript("U2")


def test_multipart_and_team_id(fake: FakeSlack) -> None:
    boundary = "XyZ"
    parts = [("channel", "C1"), ("text", "multipart")]
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in parts
        )
        + f"--{boundary}--\r\n"
    )
    resp = raw(fake, "chat.postMessage", body.encode(), f"multipart/form-data; boundary={boundary}")
    assert resp["ok"] and fake.messages("C1")[-1]["text"] == "multipart"
    scoped = WebClient(token=BOT_TOKEN, base_url=fake.api_url, team_id="T0001")
    assert scoped.chat_postMessage(channel="C1", text="with team_id")["ok"]
    other = WebClient(token=BOT_TOKEN, base_url=fake.api_url, team_id="T9999")
    assert api_error(other.chat_postMessage, channel="C1", text="x")["error"] == "team_not_found"


def test_a_locale_only_for_include_locale(fake: FakeSlack, client: WebClient) -> None:
    """As Slack: users.info and users.list show `locale` only when asked with include_locale."""
    fake.set_user_locale("U1", "ru-RU")
    assert "locale" not in client.users_info(user="U1")["user"]
    assert "locale" not in client.users_info(user="U1", include_locale=False)["user"]
    assert client.users_info(user="U1", include_locale=True)["user"]["locale"] == "ru-RU"
    assert client.users_info(user="U2", include_locale=True)["user"]["locale"] == "en-US"
    members = client.users_list(include_locale=True)["members"]
    assert {m["id"]: m["locale"] for m in members}["U1"] == "ru-RU"
    assert all("locale" not in m for m in client.users_list()["members"])
    assert fake.violations == []

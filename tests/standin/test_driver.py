"""SlackDriver against a real Bolt app: signing, commands, events, actions, modals."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import pytest

from bot.demo.standin import FakeSlack, SlackDriver, sign
from bot.demo.standin.blockkit import REFERENCE_DIR
from tests.standin.conftest import BoltServer


def test_signature_matches_slack_test_vector() -> None:
    vector = json.loads((REFERENCE_DIR / "payloads" / "signature_test_vector.json").read_text())
    got = sign(vector["signing_secret"], vector["timestamp"], vector["body"].encode())
    assert got == vector["expected_signature"] == vector["headers"]["X-Slack-Signature"]


def test_forged_and_stale_requests_are_rejected(driver: SlackDriver) -> None:
    body = b'{"type":"event_callback","event":{"type":"app_mention"}}'
    forged = driver.send(body, "application/json", {"X-Slack-Signature": "v0=" + "0" * 64})
    assert forged.status == 401
    stale = driver.send(body, "application/json", timestamp=int(time.time()) - 600)
    assert stale.status == 401
    unsigned = driver.send(body, "application/json", sign_request=False)
    assert unsigned.status == 401


def test_slash_command_ack_and_respond(fake: FakeSlack, driver: SlackDriver) -> None:
    result = driver.command("U1", "C1", "/echo", "hello there")
    assert result.status == 200 and result.trigger_id and result.channel_id == "C1"
    fake.wait_for(lambda: len(fake.ephemerals("U1")) == 2)
    first, follow = fake.ephemerals("U1")
    assert (first["text"], first["source"]) == ("echo: hello there", "ack")
    assert follow["source"] == "response_url" and follow["blocks"][0]["accessory"]
    assert fake.ephemerals("U2") == []
    # The click on the ephemeral's button makes the app respond(replace_original=True).
    driver.click("U1", follow, "again")
    fake.wait_for(lambda: fake.ephemerals("U1")[-1]["text"] == "replaced")
    assert fake.violations == []


def test_in_channel_ack_and_failed_command(fake: FakeSlack, driver: SlackDriver) -> None:
    driver.command("U1", "C1", "/announce", "the demo")
    assert fake.messages("C1")[-1]["text"] == "announcing the demo"
    assert fake.ephemerals("U1") == []
    assert driver.command("U1", "C1", "/unknown").status == 404
    assert fake.violations == [
        "slash command /unknown: app answered HTTP 404; the user sees an error"
    ]


def test_command_payload_shape(fake: FakeSlack, bolt: BoltServer, driver: SlackDriver) -> None:
    captured: list[dict[str, list[str]]] = []
    driver.send = _capture(driver, captured)  # type: ignore[method-assign]
    driver.command("U2", None, "/echo", "dm")
    fields = {k: v[0] for k, v in captured[0].items()}
    assert fields["channel_id"] == "D2" and fields["channel_name"] == "directmessage"
    assert fields["user_name"] == "bob" and fields["team_id"] == "T0001"
    assert fields["response_url"].startswith(fake.base_url + "/response/")


def _capture(driver: SlackDriver, out: list[dict[str, list[str]]]):  # type: ignore[no-untyped-def]
    original = driver.send

    def wrapper(body: bytes, content_type: str, headers=None, **kw):  # type: ignore[no-untyped-def]
        out.append(parse_qs(body.decode()))
        return original(body, content_type, headers, **kw)

    return wrapper


def test_dm_event_and_reply(fake: FakeSlack, driver: SlackDriver) -> None:
    ts = driver.dm("U1", "hi bot")
    assert driver.last_response is not None and driver.last_response.status == 200
    fake.wait_for(lambda: len(fake.dm_messages("U1")) == 2)
    user_msg, bot_msg = fake.dm_messages("U1")
    assert (user_msg["ts"], user_msg["user"]) == (ts, "U1")
    assert bot_msg["text"] == "you said: hi bot" and bot_msg["bot_id"] == "B0001"
    event = driver.last_event
    assert event is not None and event["event"]["channel_type"] == "im"
    driver.dm("U1", "again")
    assert driver.last_event is not None and driver.last_event["event_id"] != event["event_id"]
    fake.wait_for(lambda: len(fake.dm_messages("U1")) == 4)
    assert fake.violations == []


def test_thread_reply_edit_and_retry(
    fake: FakeSlack, bolt: BoltServer, driver: SlackDriver
) -> None:
    parent = driver.post("U1", "C1", "standup notes")
    fake.wait_for(lambda: len(fake.messages("C1")) == 2)
    driver.post("U2", "C1", "my update", thread_ts=parent)
    fake.wait_for(lambda: len(fake.thread("C1", parent)) == 3)
    assert fake.thread("C1", parent)[-1]["text"] == "in thread: my update"
    driver.edit("U1", "C1", parent, "standup notes v2")
    fake.wait_for(lambda: any(m["text"] == "edited: standup notes v2" for m in fake.messages("C1")))
    assert fake.messages("C1")[0]["edited"]["user"] == "U1"
    before = len(bolt.seen_headers)
    assert driver.retry(n=1).status == 200
    assert bolt.seen_headers[before]["x-slack-retry-num"] == ["1"]
    assert bolt.seen_headers[before]["x-slack-retry-reason"] == ["http_timeout"]
    assert driver.post("U3", "C2", "bot is not here") and driver.last_event is not None
    assert "bot is not here" not in json.dumps(driver.last_event)


def test_click_select_in_message(fake: FakeSlack, client_post: None, driver: SlackDriver) -> None:
    msg = fake.messages("C1")[-1]
    with pytest.raises(ValueError, match="not an option"):
        driver.click("U1", msg, "choose", selected="purple")
    assert driver.click("U1", msg, "choose", selected="green").status == 200
    fake.wait_for(lambda: fake.messages("C1")[-1]["text"] == "picked green")
    assert "blocks" not in fake.messages("C1")[-1]


@pytest.fixture
def client_post(fake: FakeSlack) -> None:
    from slack_sdk import WebClient

    from bot.demo.standin import BOT_TOKEN

    WebClient(token=BOT_TOKEN, base_url=fake.api_url).chat_postMessage(
        channel="C1",
        text="pick a colour",
        blocks=[
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "choose",
                        "placeholder": {"type": "plain_text", "text": "Colour"},
                        "options": [
                            {"text": {"type": "plain_text", "text": "Green"}, "value": "green"}
                        ],
                    }
                ],
            }
        ],
    )


def test_modal_flow(fake: FakeSlack, driver: SlackDriver) -> None:
    driver.command("U1", "C1", "/form")
    views = fake.wait_for(lambda: fake.open_views("U1"))
    view_id = views[0]["id"]
    with pytest.raises(ValueError, match="required input"):
        driver.submit("U1", view_id, {})
    assert driver.click("U1", view_id, "pick", selected="meh") is None  # no dispatch_action
    driver.submit("U1", view_id, {"name": {"value": "bad"}})
    assert fake.view_errors(view_id) == {"name": "Bad name"}
    assert (
        fake.open_views("U1")[0]["state"]["values"]["mood"]["pick"]["selected_option"]["value"]
        == "meh"
    )
    driver.submit("U1", view_id, {"name": {"value": "Alice"}})
    assert fake.open_views("U1") == []
    fake.wait_for(lambda: any(m["text"] == "Thanks Alice" for m in fake.dm_messages("U1")))
    assert "[modal closed]" in fake.transcript("U1")
    assert fake.violations == []


def test_close_sends_view_closed(fake: FakeSlack, driver: SlackDriver) -> None:
    driver.command("U2", "C1", "/form")
    view_id = fake.wait_for(lambda: fake.open_views("U2"))[0]["id"]
    res = driver.close("U2", view_id)
    assert res is not None and res.status == 200
    fake.wait_for(lambda: any(m["text"] == "closed" for m in fake.dm_messages("U2")))


def test_home_opened(fake: FakeSlack, driver: SlackDriver) -> None:
    driver.open_home("U3")
    home = fake.wait_for(lambda: fake.home("U3"))
    assert home["blocks"][0]["text"]["text"] == "Welcome home"
    assert "Welcome home" in fake.transcript("U3")


def test_response_url_rules(fake: FakeSlack) -> None:
    import urllib.error
    import urllib.request

    url = fake.response_url_for("U1", "C1")

    def post(body: object) -> int:
        req = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert post({"text": "one", "response_type": "in_channel"}) == 200
    assert fake.messages("C1")[-1]["text"] == "one"
    assert post({"blocks": [{"type": "section"}]}) == 400
    assert post({"text": "<!here> hi"}) == 200
    assert post({"text": "x", "replace_origin": True}) == 400  # typo: strict
    for _ in range(3):
        assert post({"text": "again"}) == 200
    assert post({"text": "sixth use"}) == 404
    assert len(fake.violations) == 4 and "used more than 5 times" in fake.violations[-1]
    assert [e["text"] for e in fake.ephemerals("U1")] == ["<!here> hi"] + ["again"] * 3

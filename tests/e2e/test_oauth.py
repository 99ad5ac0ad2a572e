"""Installing into many workspaces: two workspaces installed through Bolt's OAuth flow, a
daily in each, one run-due prompting both, each with its own token; an uninstall stops one
workspace's work at once and leaves the other's alone."""

from __future__ import annotations

import html
import io
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.demo.standin.api_oauth import CLIENT_ID, CLIENT_SECRET
from bot.demo.standin.driver import SlackDriver
from bot.demo.standin.harness import SIGNING_SECRET, Bot, running_bot
from bot.demo.standin.server import FakeSlack
from bot.logs import HideSecrets
from tests.e2e.conftest import SUNDAY_NOON
from tests.fakes import utc

MONDAY_10_UTC = utc(2026, 11, 30, 10, 0)
TUESDAY_10_UTC = utc(2026, 12, 1, 10, 0)
WEDNESDAY_10_UTC = utc(2026, 12, 2, 10, 0)


def get(url: str, cookie: str = "") -> tuple[int, str, str]:
    """(status, body, the state cookie it set)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    cookies = "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])
    return status, body.decode(), cookies


def begin_install(bot: Bot) -> tuple[str, str]:
    """The "Add to Slack" page: (the state in its link, the browser's state cookie)."""
    status, page, cookie = get(f"{bot.url}/slack/install")
    assert status == 200, page
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
    assert link is not None, page
    url = html.unescape(link.group(1))
    assert f"client_id={CLIENT_ID}" in url and "chat:write" in url
    found = re.search(r"state=([^&]+)", url)
    assert found is not None
    return found.group(1), cookie


def install(bot: Bot, team: FakeSlack, installer: str) -> int:
    state, cookie = begin_install(bot)
    code = team.consent(installer)  # the person approves on Slack's page
    status, _, _ = get(f"{bot.url}/slack/oauth_redirect?code={code}&state={state}", cookie)
    return status


@pytest.fixture
def two(slack: FakeSlack, tmp_path: Path) -> Iterator[tuple[Bot, FakeSlack, SlackDriver]]:
    other = slack.add_team("T0002", "Other Team")
    other.add_user("UBORIS", "boris", "Europe/London")
    other.add_user("UCLARA", "clara", "Europe/London")
    other.add_channel("COTHER", "other", ["UBORIS", "UCLARA"])
    with running_bot(
        slack,
        tmp_path,
        SUNDAY_NOON,
        slack_bot_token=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
    ) as bot:
        assert bot.runtime.settings.oauth
        driver = SlackDriver(other, bot.driver.app_url, SIGNING_SECRET)
        yield bot, other, driver
    assert slack.violations == [], slack.violations


def dm_prompts(team: FakeSlack, user: str) -> list[dict[str, object]]:
    return [m for m in team.dm_messages(user) if m.get("bot_id")]


def start_daily(driver: SlackDriver, user: str, channel: str) -> None:
    assert driver.command(user, channel, "/daily", "start").status == 200
    driver.fake.wait_for(lambda: driver.fake.messages(channel))


def test_two_workspaces_each_prompted_with_its_own_token_until_one_uninstalls(
    two: tuple[Bot, FakeSlack, SlackDriver],
) -> None:
    bot, other, other_driver = two
    slack = bot.slack
    assert install(bot, slack, "UANNA") == 200
    assert install(bot, other, "UBORIS") == 200
    start_daily(bot.driver, "UANNA", "CTEAM")
    start_daily(other_driver, "UBORIS", "COTHER")

    slack.reset_records()
    bot.tick(MONDAY_10_UTC)
    assert dm_prompts(slack, "UANNA") and dm_prompts(slack, "UBEN") == []  # New York: 15:00
    assert len(dm_prompts(other, "UBORIS")) == 1 and len(dm_prompts(other, "UCLARA")) == 1
    posts = [c for c in slack.calls if c.method == "chat.postMessage"]
    assert {c.token for c in posts} == {slack.token, other.token}
    assert all(c.response["ok"] for c in slack.calls), [
        c for c in slack.calls if not c.response["ok"]
    ]
    # each workspace's DMs went out with that workspace's token, and only with it
    assert [c.args["channel"] for c in posts if c.token == other.token] and all(
        c.response["channel"] in {d.id for d in other.ws.channels.values()}
        for c in posts
        if c.token == other.token
    )

    # each workspace has its own posting pace: one's 429s never slow the other's posts
    teams = bot.runtime.team_clients
    assert teams.clients("T0001")[2] is not teams.clients("T0002")[2]

    other.uninstall()
    assert other_driver.event("app_uninstalled").status == 200
    slack.wait_for(lambda: bot.runtime.idle())
    slack.reset_records()
    tuesday = bot.tick(TUESDAY_10_UTC)
    # The uninstalled workspace's work is not picked up at all: nothing fails, nothing is
    # tried, tick after tick
    assert tuesday.failures == [], tuesday.failures
    for minutes in (1, 120, 600):
        later = bot.tick(TUESDAY_10_UTC + timedelta(minutes=minutes))
        assert later.failures == [], later.failures
    assert len(dm_prompts(slack, "UANNA")) > 1  # still prompted, the day after
    assert len(dm_prompts(other, "UBORIS")) == 1  # nothing more sent there
    assert slack.calls and all(c.token == slack.token for c in slack.calls)
    with bot.runtime.services.uow_factory() as uow:  # its history stays
        assert uow.dailies.daily_in_channel("T0002", "COTHER") is not None

    assert install(bot, other, "UBORIS") == 200  # reinstalled: its work resumes
    bot.tick(WEDNESDAY_10_UTC)
    assert len(dm_prompts(other, "UBORIS")) == 2
    latest = [c for c in slack.calls if c.method == "chat.postMessage" and c.token == other.token]
    assert latest and all(c.response["ok"] for c in latest)


def test_a_forged_or_reused_state_is_refused(two: tuple[Bot, FakeSlack, SlackDriver]) -> None:
    bot, other, _ = two
    code = other.consent("UBORIS")
    status, _, _ = get(
        f"{bot.url}/slack/oauth_redirect?code={code}&state=forged",
        "slack-app-oauth-state=forged",
    )
    assert status >= 400
    state, cookie = begin_install(bot)
    assert get(f"{bot.url}/slack/oauth_redirect?code={code}&state={state}", cookie)[0] == 200
    again = other.consent("UBORIS")
    status, _, _ = get(f"{bot.url}/slack/oauth_redirect?code={again}&state={state}", cookie)
    assert status >= 400
    installed = bot.runtime.installations
    assert installed.find_bot(enterprise_id=None, team_id="T0002") is not None
    assert installed.find_bot(enterprise_id=None, team_id="T0001") is None


def test_a_team_that_never_installed_gets_nothing(two: tuple[Bot, FakeSlack, SlackDriver]) -> None:
    bot, other, other_driver = two
    result = other_driver.command("UBORIS", "COTHER", "/daily", "start")
    assert result.status in (200, 401)
    bot.tick(MONDAY_10_UTC)
    assert dm_prompts(other, "UBORIS") == [] and other.messages("COTHER") == []


def test_no_token_or_secret_reaches_the_log_even_at_debug(
    two: tuple[Bot, FakeSlack, SlackDriver],
) -> None:
    bot, other, other_driver = two
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(HideSecrets())  # as bot.logs.configure_logging sets it up
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        assert install(bot, other, "UBORIS") == 200
        start_daily(other_driver, "UBORIS", "COTHER")
        bot.tick(MONDAY_10_UTC)
        assert dm_prompts(other, "UBORIS")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    log = written.getvalue()
    assert "oauth.v2.access" in log or "oauth" in log.lower()  # slack_sdk did speak
    assert other.token not in log and CLIENT_SECRET not in log


def test_answers_and_buttons_in_the_second_workspace_use_its_token(
    two: tuple[Bot, FakeSlack, SlackDriver],
) -> None:
    bot, other, other_driver = two
    slack = bot.slack
    assert install(bot, slack, "UANNA") == 200
    assert install(bot, other, "UBORIS") == 200
    start_daily(other_driver, "UBORIS", "COTHER")
    bot.tick(MONDAY_10_UTC)
    slack.reset_records()
    for n, text in enumerate(("Wrote the importer", "Tests for it", "none"), start=2):
        other_driver.dm("UBORIS", text)
        other.wait_for(lambda n=n: len(dm_prompts(other, "UBORIS")) == n)
    other.wait_for(lambda: len(dm_prompts(other, "UBORIS")) == 4)
    thread = other.wait_for(
        lambda: [m for m in other.messages("COTHER", include_replies=True) if m.get("thread_ts")]
    )
    assert "Wrote the importer" in str(thread)
    other.wait_for(lambda: bot.runtime.idle())
    assert slack.calls and {c.token for c in slack.calls} == {other.token}
    assert all(c.response.get("ok") for c in slack.calls if c.method != "response_url")
    # the prompt's "Answer in a form" button, pressed in that workspace
    clara_prompt = dm_prompts(other, "UCLARA")[0]
    assert other_driver.click("UCLARA", clara_prompt, "daily_answer_form").status == 200
    assert other.wait_for(lambda: other.open_views("UCLARA"))
    assert {c.token for c in slack.calls} == {other.token}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET"),
        (
            {
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_CLIENT_SECRET": "shh",
                "SLACK_APP_TOKEN": "xapp-1",
            },
            "SLACK_APP_TOKEN",
        ),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "shh"}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_oauth_settings_that_cannot_work_are_one_line_and_exit_2(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    from tests.e2e.test_cli import run_app

    result = run_app("serve", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "shh" not in result.stderr, result.stderr

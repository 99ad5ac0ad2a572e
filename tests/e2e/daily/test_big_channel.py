"""`/daily start` in a big channel reads the workspace directory, not one profile per member."""

from __future__ import annotations

from pathlib import Path

from bot.demo.standin.harness import running_bot
from bot.demo.standin.server import FakeSlack
from tests.e2e.conftest import SUNDAY_NOON


def test_a_300_member_channel_costs_two_directory_pages(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        people = [f"U{i:04d}" for i in range(300)]
        for i, user in enumerate(people):
            slack.add_user(user, f"person{i}", ("Europe/Berlin", "Asia/Tokyo")[i % 2])
        slack.add_user("UBOT9", "a-bot", is_bot=True)
        slack.add_user("UOUTSIDE", "outsider", "Europe/Berlin")  # in the workspace only
        slack.add_channel("CBIG", "big", [*people, "UBOT9"])
        with running_bot(slack, tmp_path, SUNDAY_NOON) as bot:
            bot.driver.command(people[0], "CBIG", "/daily", "start")
            slack.wait_for(lambda: slack.messages("CBIG"), timeout=30)
            with bot.runtime.services.uow_factory() as uow:
                daily = uow.dailies.daily_in_channel("T0001", "CBIG")
                assert daily is not None
                taking_part = {p.user_id for p in uow.dailies.participants(daily.id)}
        assert taking_part == set(people)  # the bot is not asked; the outsider is not in
        assert len(slack.calls_to("users.list")) == 2  # 302 people, 200 a page
        assert len(slack.calls_to("users.info")) <= 2  # the caller, at most
        assert slack.violations == []

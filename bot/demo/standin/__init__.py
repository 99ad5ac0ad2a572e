"""A strict local stand-in for Slack, for end-to-end tests, benchmarks and the offline demo.

``FakeSlack`` serves the Web API the bot calls (checked against Slack's method specs and the
Block Kit schema in ``bot/demo/standin/reference``); ``SlackDriver`` plays users against the bot's
HTTP endpoint with correctly signed requests.
"""

from bot.demo.standin.contracts import check_call, inspect_call, method_spec
from bot.demo.standin.driver import CommandResult, SlackDriver, sign
from bot.demo.standin.inspection import Call
from bot.demo.standin.models import (
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    TEAM_ID,
    Response,
)
from bot.demo.standin.ratelimit import RateLimitConfig, RateLimiter
from bot.demo.standin.server import FakeSlack

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "TEAM_ID",
    "Call",
    "CommandResult",
    "FakeSlack",
    "RateLimitConfig",
    "RateLimiter",
    "Response",
    "SlackDriver",
    "check_call",
    "inspect_call",
    "method_spec",
    "sign",
]

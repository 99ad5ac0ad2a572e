"""Simulated rate limits: 429 + Retry-After, slack_sdk's retry handler, floor computation."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.demo.standin import BOT_TOKEN, FakeSlack, RateLimitConfig, RateLimiter


def test_off_by_default(fake: FakeSlack, client: WebClient) -> None:
    for _ in range(10):
        client.chat_postMessage(channel="C1", text="x")
    assert fake.ratelimited == 0


def test_post_message_429_then_retry_handler_succeeds(fake: FakeSlack) -> None:
    fake.rate_limits = True
    plain = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
    for _ in range(3):  # per-channel burst
        plain.chat_postMessage(channel="C1", text="burst")
    with pytest.raises(SlackApiError) as info:
        plain.chat_postMessage(channel="C1", text="too fast")
    assert info.value.response.status_code == 429
    assert info.value.response.data == {"ok": False, "error": "ratelimited"}
    assert info.value.response.headers["Retry-After"] == "1"
    assert fake.ratelimited == 1
    plain.chat_postMessage(channel="U1", text="other channel is fine")

    retrying = WebClient(
        token=BOT_TOKEN,
        base_url=fake.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    start = time.monotonic()
    assert retrying.chat_postMessage(channel="C1", text="patient")["ok"]
    assert time.monotonic() - start >= 0.5
    assert fake.ratelimited == 2
    assert [m["text"] for m in fake.messages("C1")] == ["burst"] * 3 + ["patient"]
    assert fake.violations == []


def test_tier_buckets(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limits = True
    client.users_list()
    client.users_list()  # Tier 2: 20/min, burst 2
    with pytest.raises(SlackApiError) as info:
        client.users_list()
    assert info.value.response.headers["Retry-After"] == "3"
    assert client.users_info(user="U1")["ok"]  # other methods have their own bucket


def test_workspace_bucket_for_post_message() -> None:
    now = [0.0]
    limiter = RateLimiter(
        RateLimitConfig(post_workspace_per_minute=60, post_workspace_burst=2), clock=lambda: now[0]
    )
    assert limiter.acquire("chat.postMessage", "im:U1") == 0
    assert limiter.acquire("chat.postMessage", "im:U2") == 0
    wait = limiter.acquire("chat.postMessage", "im:U3")
    assert wait == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.acquire("chat.postMessage", "im:U3") == 0
    assert limiter.limited == {"chat.postMessage": 1}
    assert RateLimiter.retry_after(0.2) == 1 and RateLimiter.retry_after(2.01) == 3


def test_floor_seconds() -> None:
    cfg = RateLimitConfig()
    assert cfg.method_limit("users.list") == (20 / 60, 2.0)
    assert cfg.method_limit("conversations.listConnectInvites") == (1 / 60, 1.0)
    assert cfg.method_limit("auth.test") == (100 / 60, 10.0)
    # 1000 DMs to 1000 users: workspace bucket 600/min after a burst of 10.
    assert cfg.floor_seconds("chat.postMessage", 1000, 1000) == pytest.approx(99.0)
    # 10 messages into one channel: 1/s after a burst of 3.
    assert cfg.floor_seconds("chat.postMessage", 10, 1) == pytest.approx(7.0)
    assert cfg.floor_seconds("conversations.open", 105) == pytest.approx(120.0)
    with FakeSlack() as fake:
        assert fake.floor_seconds("chat.postMessage", 5, 5) == 0.0

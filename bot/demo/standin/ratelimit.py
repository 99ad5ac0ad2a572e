"""Token-bucket rate limits modelled on Slack's Web API tiers.

Numbers (per workspace token, per method):

* Tier 1/2/3/4 (``rate_limits`` ``t1``..``t4`` in the method spec): 1, 20, 50, 100 calls per
  minute -- Slack's published floors. Burst capacity is ours: one tenth of the per-minute number,
  at least 1 (t1: 1, t2: 2, t3: 5, t4: 10).
* Special tier (``t5``): ``chat.postMessage`` allows 1 message per second per channel with a
  burst of 3 (Slack: "short bursts allowed"), plus a workspace-wide bucket of 600 messages per
  minute with a burst of 10. Slack does not publish the workspace number; 600/min is OUR choice.
  Other special-tier methods (``auth.test``, ``chat.getPermalink``) are treated as Tier 4.

A call over the limit gets HTTP 429 with ``Retry-After`` (whole seconds, rounded up).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.demo.standin.contracts import method_spec

TIER_PER_MINUTE: dict[str, int] = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
POST_MESSAGE = "chat.postMessage"


@dataclass
class RateLimitConfig:
    """Parameters of the simulated limits; change them before starting load."""

    tier_per_minute: dict[str, int] = field(default_factory=lambda: dict(TIER_PER_MINUTE))
    burst_divisor: int = 10
    special_tier_fallback: str = "t4"
    post_per_channel_per_second: float = 1.0
    post_channel_burst: int = 3
    post_workspace_per_minute: int = 600
    post_workspace_burst: int = 10

    def tier(self, method: str) -> str:
        spec = method_spec(method) or {}
        tier = str(spec.get("rate_limits") or self.special_tier_fallback)
        return tier if tier in self.tier_per_minute else self.special_tier_fallback

    def method_limit(self, method: str) -> tuple[float, float]:
        """(calls per second, burst capacity) of the per-method bucket."""
        if method == POST_MESSAGE:
            return self.post_workspace_per_minute / 60.0, float(self.post_workspace_burst)
        per_minute = self.tier_per_minute[self.tier(method)]
        return per_minute / 60.0, float(max(1, per_minute // self.burst_divisor))

    def channel_limit(self) -> tuple[float, float]:
        """(messages per second, burst) of chat.postMessage's per-channel bucket."""
        return self.post_per_channel_per_second, float(self.post_channel_burst)

    def floor_seconds(self, method: str, n_calls: int, n_channels: int = 1) -> float:
        """Least wall time the limits allow for ``n_calls`` of ``method`` spread evenly over
        ``n_channels`` channels (channels only matter for chat.postMessage), starting from
        full buckets.
        """
        if n_calls <= 0:
            return 0.0
        rate, burst = self.method_limit(method)
        floor = max(0.0, (n_calls - burst) / rate)
        if method == POST_MESSAGE:
            per_channel = math.ceil(n_calls / max(1, n_channels))
            c_rate, c_burst = self.channel_limit()
            floor = max(floor, (per_channel - c_burst) / c_rate)
        return max(0.0, floor)


class TokenBucket:
    """Classic token bucket: ``capacity`` tokens, refilled at ``rate`` tokens per second."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 if available now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1.0


class RateLimiter:
    """Per-method (and for chat.postMessage per-channel) buckets for one workspace token."""

    def __init__(
        self, config: RateLimitConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or RateLimitConfig()
        self.clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()
        self.limited: dict[str, int] = {}

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self.limited.clear()

    def _bucket(self, key: tuple[str, str], limit: tuple[float, float], now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(limit[0], limit[1], now)
        return bucket

    def acquire(self, method: str, channel: str | None = None) -> float:
        """Consume a call; return 0.0, or the seconds to wait when the call is rate limited."""
        with self._lock:
            now = self.clock()
            buckets = [self._bucket((method, ""), self.config.method_limit(method), now)]
            if method == POST_MESSAGE and channel:
                buckets.append(self._bucket((method, channel), self.config.channel_limit(), now))
            wait = max(b.wait(now) for b in buckets)
            if wait > 0:
                self.limited[method] = self.limited.get(method, 0) + 1
                return wait
            for b in buckets:
                b.take()
            return 0.0

    @staticmethod
    def retry_after(wait: float) -> int:
        """The Retry-After header value for a wait: whole seconds, rounded up, at least 1."""
        return max(1, math.ceil(wait))

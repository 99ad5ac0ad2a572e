"""Client-side pacing so a large fan-out runs at Slack's rate limit instead of into it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """`rate` calls per second on average, up to `burst` at once; thread-safe."""

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Takes one token, waiting for it if need be; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait:
            self._sleep(wait)
        return wait


class AdaptivePace:
    """Paces one method's calls to the rate Slack accepts, which Slack does not publish for
    chat.postMessage. From a starting rate it speeds up while calls are accepted; a 429 (the
    refused call itself waits out Retry-After, in slack_sdk's retry handler) slows it down.
    Between two 429s Slack's bucket was empty at both ends, so the calls it accepted in
    between measure its rate: the pace settles just under that, then keeps probing slowly
    upwards in case the limit was a burst. Thread-safe; told each call's outcome."""

    START_UNDER = 0.98  # of the starting rate it is given
    GROWTH = 0.05  # per accepted call, until the first 429: finding the limit quickly
    PROBE = 0.001  # per accepted call afterwards: the limit may be higher than it looked
    BACKOFF = 0.9  # the least a 429 slows down by
    UNDER = 0.97  # how far under Slack's measured rate to settle
    # 429s closer together than this (Retry-After is 1 s or more) and fewer calls accepted
    # in between than SAMPLE are the same crowding: they slow down once.
    EPISODE = 1.0  # seconds
    SAMPLE = 20
    FLOOR = 0.2  # calls per second, whatever happens
    CEILING = 1000.0  # calls per second: past any limit Slack has

    def __init__(
        self,
        rate: float,
        burst: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._bucket = TokenBucket(rate, burst, clock, sleep)
        self._clock = clock
        self._last_429: float | None = None
        self._accepted_since = 0  # calls accepted since the last 429
        self._lock = threading.Lock()

    @classmethod
    def per_minute(cls, calls: int) -> AdaptivePace:
        """Starting a little under `calls` a minute: pacing exactly at a limit turns network
        jitter into 429s, and each costs a Retry-After second or more."""
        return cls(calls * cls.START_UNDER / 60)

    @property
    def rate(self) -> float:
        return self._bucket.rate

    def acquire(self) -> float:
        return self._bucket.acquire()

    def accepted(self) -> None:
        with self._lock:
            self._accepted_since += 1
            growth = self.GROWTH if self._last_429 is None else self.PROBE
            self._bucket.rate = min(self.CEILING, self._bucket.rate * (1 + growth))

    def limited(self) -> None:
        with self._lock:
            now = self._clock()
            last = self._last_429
            since = self._accepted_since
            if last is not None and now - last < self.EPISODE and since < self.SAMPLE:
                return  # the same crowding as the last 429: slowed down for it already
            slower = self._bucket.rate * self.BACKOFF
            if last is not None and since and now > last:
                slower = min(slower, self.UNDER * since / (now - last))
            self._bucket.rate = max(self.FLOOR, slower)
            self._last_429, self._accepted_since = now, 0

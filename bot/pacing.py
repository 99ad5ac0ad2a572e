"""Client-side pacing so a large fan-out runs at Slack's rate limit instead of into it."""

from __future__ import annotations

import threading
import time
from collections import deque
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
    refused call itself waits out Retry-After, in slack_sdk's retry handler) slows it down
    to just under the rate Slack was measured to accept, then it keeps probing slowly
    upwards in case the limit was a burst. Thread-safe; told each call's outcome.

    Slack's rate is measured from the calls it accepted while its bucket was empty:
    - at the first 429, over the last RECENT seconds (the ramp-up before them was our own
      slowness, not Slack's);
    - later, since sending resumed after the previous 429 when that is a fair SAMPLE: the
      refused calls' Retry-After stall is ours too, and counting it (when every worker was
      refused at once) once read a 100/s limit as 15/s;
    - else, at slow limits where few calls fit between two 429s, since the previous 429.
    While ramping up, it stops growing once acceptances no longer keep up with the pace
    (Slack's burst is hiding the limit), so fewer calls are refused at once at the first 429.
    Checked against a simulated Slack with eight workers (tests/unit/test_pacing.py).
    """

    START_UNDER = 0.98  # of the starting rate it is given
    GROWTH = 0.10  # per accepted call, until the first 429: finding the limit quickly
    PROBE = 0.0005  # per accepted call afterwards: the limit may be higher than it looked
    BACKOFF = 0.9  # the least a 429 slows down by
    UNDER = 0.97  # how far under Slack's measured rate to settle
    # 429s closer together than this (Retry-After is 1 s or more) and fewer calls accepted
    # in between than SAMPLE are the same crowding: they slow down once.
    EPISODE = 1.0  # seconds
    SAMPLE = 20
    RECENT = 0.5  # seconds of acceptances measured at the first 429
    KEEP_UP = 0.8  # while ramping up: grow only while acceptances keep up with the pace
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
        self._resumed: float | None = None  # the first of them
        self._recent: deque[float] = deque()  # acceptances, until the first 429
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
            now = self._clock()
            self._accepted_since += 1
            if self._resumed is None:
                self._resumed = now
            growth = self.PROBE
            if self._last_429 is None:
                self._recent.append(now)
                while self._recent[0] < now - self.RECENT:
                    self._recent.popleft()
                growth = 0.0 if self._falling_behind(now) else self.GROWTH
            self._bucket.rate = min(self.CEILING, self._bucket.rate * (1 + growth))

    def _falling_behind(self, now: float) -> bool:
        span = now - self._recent[0]
        count = len(self._recent)
        return count >= self.SAMPLE and span > 0 and count / span < self.KEEP_UP * self.rate

    def limited(self) -> None:
        with self._lock:
            now = self._clock()
            last, since = self._last_429, self._accepted_since
            if last is not None and now - last < self.EPISODE and since < self.SAMPLE:
                return  # the same crowding as the last 429: slowed down for it already
            measured = self._measured(now)
            slower = self._bucket.rate * self.BACKOFF
            if measured is not None:
                slower = min(slower, self.UNDER * measured)
            self._bucket.rate = max(self.FLOOR, slower)
            self._last_429, self._accepted_since, self._resumed = now, 0, None
            self._recent.clear()

    def _measured(self, now: float) -> float | None:
        """The rate Slack accepted calls at, from the calls before this 429 (see above)."""
        last, since, resumed = self._last_429, self._accepted_since, self._resumed
        if last is None:
            count = len(self._recent)
            if count >= self.SAMPLE and now > self._recent[0]:
                return count / (now - self._recent[0])
            return None
        if since >= self.SAMPLE and resumed is not None and now > resumed:
            return since / (now - resumed)
        if since and now > last:
            return since / (now - last)
        return None

"""The adaptive pace of chat.postMessage, against a simulated Slack that enforces a limit the
bot is not told (a token bucket, as Slack's are), on a virtual clock."""

from __future__ import annotations

import heapq
import math
import random

import pytest

from bot.pacing import AdaptivePace


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


class SimulatedSlack:
    """`per_second` calls a second, `burst` at once; over it: 429 with Retry-After."""

    def __init__(self, time: VirtualTime, per_second: float, burst: int = 10) -> None:
        self.time, self.rate, self.burst = time, per_second, burst
        self.tokens, self.stamp = float(burst), 0.0
        self.refused = 0

    def call(self) -> float | None:
        """None if accepted, else Retry-After in whole seconds (rounded up, as Slack does)."""
        now = self.time.now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        self.refused += 1
        return float(math.ceil((1 - self.tokens) / self.rate))


def fan_out(
    calls: int,
    limit_per_minute: int,
    *,
    workers: int = 8,
    latency: float = 0.008,
    jitter: float = 0.0,
    seed: int = 1,
) -> tuple[float, int]:
    """(seconds until the last post was accepted, 429s) for `calls` posts by `workers`
    threads, as the fan-out sends them: each takes its turn at the pace, and a refused call
    keeps its worker for its Retry-After (slack_sdk's retry handler) before its turn again,
    while the other workers go on. Events on a virtual clock; `jitter` delays arrivals."""
    time = VirtualTime()
    slack = SimulatedSlack(time, limit_per_minute / 60)
    start = AdaptivePace.per_minute(600).rate
    pace = AdaptivePace(start, clock=time.clock, sleep=lambda _seconds: None)
    rng = random.Random(seed)
    events: list[tuple[float, int, str]] = [(0.0, n, "next") for n in range(workers)]
    heapq.heapify(events)
    order, left, last_accepted = workers, calls, 0.0
    while events:
        at, _, what = heapq.heappop(events)
        time.now = at
        if what == "next" and not left:
            continue
        if what in ("next", "retry"):
            left -= what == "next"
            send_at, what = at + pace.acquire(), "send"  # the worker sleeps for its turn
        else:
            time.now = at + latency / 2 + rng.random() * jitter
            retry_after = slack.call()
            if retry_after is None:
                pace.accepted()
                last_accepted = time.now
                send_at, what = time.now + latency / 2, "next"
            else:
                pace.limited()
                send_at, what = time.now + latency / 2 + retry_after, "retry"
        order += 1
        heapq.heappush(events, (send_at, order, what))
    return last_accepted, slack.refused


@pytest.mark.parametrize("limit_per_minute", [60, 300, 600, 1200, 6000])
@pytest.mark.parametrize("jitter", [0.0, 0.002])
def test_a_fan_out_runs_close_to_the_limit_with_few_429s(
    limit_per_minute: int, jitter: float
) -> None:
    calls = 1000
    taken, refused = fan_out(calls, limit_per_minute, jitter=jitter)
    floor = (calls - 10) / (limit_per_minute / 60)
    assert taken <= 1.1 * floor, (taken, floor)
    assert refused < 0.05 * calls


def test_every_worker_refused_at_once_does_not_read_as_a_slow_slack() -> None:
    """At 6,000/min the first 429s refused all eight workers at once; the next 429 then
    counted their Retry-After second as Slack's and settled at 14/s (4.5× the floor)."""
    taken, _refused = fan_out(1000, 6000)
    assert taken < 1.1 * 990 / 100


def test_it_speeds_up_while_calls_are_accepted() -> None:
    time = VirtualTime()
    pace = AdaptivePace(10.0, clock=time.clock, sleep=time.sleep)
    for _ in range(20):
        pace.acquire()
        pace.accepted()
    assert pace.rate == pytest.approx(10.0 * 1.10**20)


def test_between_two_429s_it_measures_slack_s_rate_and_settles_just_under_it() -> None:
    time = VirtualTime()
    pace = AdaptivePace(50.0, clock=time.clock, sleep=time.sleep)
    pace.limited()  # the first: only slower, the rate Slack allows is not known yet
    assert pace.rate == pytest.approx(45.0)
    for _ in range(10):  # then Slack let 5 a second through until the next 429
        time.sleep(0.2)
        pace.accepted()
    pace.limited()
    assert pace.rate == pytest.approx(0.97 * 5.0)
    pace.accepted()  # then it probes: 0.05 % more with each accepted call
    assert pace.rate == pytest.approx(0.97 * 5.0 * 1.0005)


def test_429s_of_one_crowding_slow_down_once() -> None:
    time = VirtualTime()
    pace = AdaptivePace(50.0, clock=time.clock, sleep=time.sleep)
    for _ in range(5):  # several workers refused at once
        pace.limited()
    assert pace.rate == pytest.approx(45.0)


def test_it_never_stops_and_never_runs_away() -> None:
    time = VirtualTime()
    pace = AdaptivePace(1.0, clock=time.clock, sleep=time.sleep)
    for _ in range(100):
        time.sleep(1.0)
        pace.limited()  # a second apart, nothing accepted in between
    assert pace.rate == AdaptivePace.FLOOR
    for _ in range(20_000):
        pace.accepted()
    assert pace.rate == AdaptivePace.CEILING

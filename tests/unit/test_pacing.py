"""The adaptive pace of chat.postMessage, against a simulated Slack that enforces a limit the
bot is not told (a token bucket, as Slack's are), on a virtual clock."""

from __future__ import annotations

import heapq
import math

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


def fan_out(calls: int, limit_per_minute: int, start_per_minute: int = 600) -> tuple[float, int]:
    """(seconds until the last post was accepted, 429s) for `calls` posts. As in the bot, a
    refused call is sent again after its Retry-After (slack_sdk's retry handler), in its turn
    at the pace, while the other workers go on."""
    time = VirtualTime()
    slack = SimulatedSlack(time, limit_per_minute / 60)
    pace = AdaptivePace(start_per_minute / 60, clock=time.clock, sleep=time.sleep)
    retries: list[float] = []
    new, last_accepted = calls, 0.0
    while new or retries:
        if retries and (not new or retries[0] <= time.now):
            time.now = max(time.now, heapq.heappop(retries))
            pace.acquire()
        else:
            pace.acquire()
            new -= 1
        retry_after = slack.call()
        if retry_after is None:
            pace.accepted()
            last_accepted = time.now
        else:
            pace.limited()
            heapq.heappush(retries, time.now + retry_after)
        time.sleep(0.001)  # the call itself
    return last_accepted, slack.refused


@pytest.mark.parametrize("limit_per_minute", [60, 300, 600, 1200, 6000])
def test_a_fan_out_runs_close_to_the_limit_with_few_429s(limit_per_minute: int) -> None:
    calls = 1000
    taken, refused = fan_out(calls, limit_per_minute)
    floor = (calls - 10) / (limit_per_minute / 60)
    assert taken <= 1.1 * floor, (taken, floor)
    assert refused < 0.05 * calls


def test_it_speeds_up_while_calls_are_accepted() -> None:
    time = VirtualTime()
    pace = AdaptivePace(10.0, clock=time.clock, sleep=time.sleep)
    for _ in range(20):
        pace.acquire()
        pace.accepted()
    assert pace.rate == pytest.approx(10.0 * 1.05**20)


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
    pace.accepted()  # then it probes: 0.1 % more with each accepted call
    assert pace.rate == pytest.approx(0.97 * 5.0 * 1.001)


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

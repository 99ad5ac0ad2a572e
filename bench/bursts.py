"""Bursts of slash commands sent at a server and timed, for bench/ack.py and bench/soak.py."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from common import median, ms, percentile

from bot.demo.standin.driver import SlackDriver

TEAM_CHANNEL = "CTEAM"
TEAM = ("UANNA", "UBEN", "UCHITRA", "UDAN", "UEVA")
TEAM_ZONE = "Asia/Tokyo"
PACED_SENDERS = 64


@dataclass
class Sample:
    label: str
    acks: list[float]
    statuses: dict[int, int]
    wall: float
    cpu_per_command: float | None = None
    machine_busy: float | None = None  # the share of all cores busy during the burst

    def line(self) -> str:
        codes = ", ".join(f"HTTP {k}: {v}" for k, v in sorted(self.statuses.items()))
        cpu = f"; CPU {ms(self.cpu_per_command)}/cmd" if self.cpu_per_command else ""
        busy = f"; cores busy {self.machine_busy:.0%}" if self.machine_busy is not None else ""
        return (
            f"{self.label:<34} p50 {ms(median(self.acks)):>9}  "
            f"p99 {ms(percentile(self.acks, 99)):>9}  max {ms(max(self.acks)):>9}  "
            f"({len(self.acks)} in {self.wall:.1f} s; {codes}{cpu}{busy})"
        )


def fire(
    driver: SlackDriver,
    label: str,
    users: Sequence[str],
    count: int,
    concurrency: int,
    text: str = "status",
) -> Sample:
    """`count` × `/daily <text>` from `users` in turn, `concurrency` in flight at once."""

    def one(i: int) -> tuple[float, int]:
        result = driver.command(users[i % len(users)], TEAM_CHANNEL, "/daily", text)
        return result.elapsed, result.status

    started = time.monotonic()
    return sent(label, one, count, concurrency, started)


def fire_paced(
    driver: SlackDriver,
    label: str,
    users: Sequence[str],
    count: int,
    rate: float,
    text: str = "status",
) -> Sample:
    """`count` × `/daily <text>` sent at a fixed `rate` a second, whatever the answers do
    (an open loop, as Slack's traffic is): the ack time is counted from when each command
    was due to go, so a server that falls behind is not excused by the senders waiting."""
    started = time.monotonic()

    def one(i: int) -> tuple[float, int]:
        due = started + i / rate
        time.sleep(max(0.0, due - time.monotonic()))
        result = driver.command(users[i % len(users)], TEAM_CHANNEL, "/daily", text)
        return time.monotonic() - due, result.status

    return sent(label, one, count, PACED_SENDERS, started)


def sent(
    label: str,
    one: Callable[[int], tuple[float, int]],
    count: int,
    senders: int,
    started: float,
) -> Sample:
    """Sends commands 0..count-1 with `one` (its ack time and HTTP status) on `senders`
    threads; the sample of their acks.

    The senders and the stand-in Slack live in this process, and the stand-in's records
    grow all run long: a full collection of them paused every sender for 100-200 ms and
    showed up as slow acks of whichever server was being measured, the bare one too. So
    the collector waits until the burst is over.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        with ThreadPoolExecutor(max_workers=senders) as pool:
            results = list(pool.map(one, range(count)))
    finally:
        gc.enable()
    wall = time.monotonic() - started
    statuses = Counter(status for _, status in results)
    return Sample(label, [elapsed for elapsed, _ in results], dict(statuses), wall)

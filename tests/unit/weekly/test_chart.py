"""The weekly trend chart: a readable PNG whatever the figures."""

from __future__ import annotations

import io

import pytest
from matplotlib import image

from bot.charts import CHARTS, weekly_trend


def week(n: int, pct: float | None, blockers: int, done: int, still_open: int) -> dict:
    return {
        "label": f"2026-W{n:02d}",
        "participation_pct": pct,
        "blockers": blockers,
        "actions_done": done,
        "actions_open": still_open,
    }


REALISTIC = {
    "title": "Team API",
    "weeks": [
        week(42, 88.0, 2, 1, 3),
        week(43, 91.5, 1, 2, 2),
        week(44, None, 0, 0, 2),
        week(45, 76.0, 4, 1, 4),
        week(46, 64.2, 6, 0, 5),
        week(47, 58.0, 7, 2, 4),
        week(48, 72.0, 3, 3, 2),
        week(49, 93.0, 2, 1, 3),
    ],
}


def size(png: bytes) -> tuple[int, int]:
    pixels = image.imread(io.BytesIO(png), format="png")
    return pixels.shape[1], pixels.shape[0]


def test_registered() -> None:
    assert CHARTS["weekly_trend"] is weekly_trend
    assert "retro_matrix" in CHARTS


@pytest.mark.parametrize(
    "data",
    [
        REALISTIC,
        {"title": "Quiet", "weeks": [week(n, None, 0, 0, 0) for n in range(1, 9)]},
        {"title": "All zero", "weeks": [week(n, 0.0, 0, 0, 0) for n in range(1, 4)]},
        {"title": "One week", "weeks": [week(1, 100.0, 30, 12, 40)]},
        {"title": "x" * 500, "weeks": [week(n, 50.0, n, n, n) for n in range(1, 13)]},
    ],
)
def test_a_png_of_sensible_size(data: dict) -> None:
    png = weekly_trend(data)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = size(png)
    assert 600 <= width <= 1200 and 500 <= height <= 1000
    assert len(png) < 300_000

"""PNG charts for Slack, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt


def retro_matrix(context: Mapping[str, Any]) -> bytes:
    """Each improvement item placed by its median complexity (x) and importance (y)."""
    figure, axes = plt.subplots(figsize=(7, 6), dpi=110)
    try:
        axes.set_xlim(0.5, 5.5)
        axes.set_ylim(0.5, 5.5)
        axes.set_xlabel("Complexity (median) →")
        axes.set_ylabel("Importance (median) →")
        axes.set_title(f"{context['title']}: importance × complexity", fontsize=11)
        # The quick-win corner: important, and at or below this retro's median complexity.
        threshold = context.get("simple_threshold") or 3
        axes.axvspan(0.5, threshold + 0.25, ymin=0.5, color="#e6f4ea", zorder=0)
        axes.grid(True, linestyle=":", alpha=0.5)
        chosen = {a["number"] for a in context["actions"] if a.get("number") is not None}
        placed: dict[tuple[float, float], int] = {}
        for item in context["items"]:
            if item["importance"] is None:
                continue
            x, y = float(item["complexity"]), float(item["importance"])
            # Items with equal scores are fanned out a little so every label stays readable.
            nth = placed.get((x, y), 0)
            placed[(x, y)] = nth + 1
            x, y = x + 0.3 * (nth % 3), y - 0.22 * (nth // 3)
            star = item["number"] in chosen
            axes.scatter(
                [x],
                [y],
                s=260 if star else 140,
                marker="*" if star else "o",
                color="#d93f0b" if star else "#1d76db",
                edgecolors="white",
                zorder=3,
            )
            axes.annotate(
                f"#{item['number']}",
                (x, y),
                textcoords="offset points",
                xytext=(7, 5),
                fontsize=8,
                weight="bold" if star else "normal",
            )
        axes.text(0.6, 5.35, "quick wins", fontsize=8, color="#2e7d32")
        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


CHARTS = {"retro_matrix": retro_matrix}

"""PNG charts for Slack, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt

from ceremonies.core.i18n import N_


def retro_matrix(context: Mapping[str, Any]) -> bytes:
    """Each improvement item placed by its median complexity (x) and importance (y)."""
    figure, axes = plt.subplots(figsize=(7, 6), dpi=110)
    try:
        axes.set_xlim(0.5, 5.5)
        axes.set_ylim(0.5, 5.5)
        axes.set_xlabel(N_("Complexity (median) →"))
        axes.set_ylabel(N_("Importance (median) →"))
        axes.set_title(
            N_("%(title)s: importance × complexity") % {"title": context["title"]}, fontsize=11
        )
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
        axes.text(0.6, 5.35, N_("quick wins"), fontsize=8, color="#2e7d32")
        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _short_week(label: str) -> str:
    """ "2026-W49" → "W49": the year is in the title; short labels stay readable small."""
    return label.rsplit("-", 1)[-1] if "-W" in label else label


def weekly_trend(context: Mapping[str, Any]) -> bytes:
    """The last weeks of a weekly report, oldest first, in two panels sharing the weeks:

    top, participation % per week (line, 0–100, a gap where there was no daily) over blockers
    per week (bars, right axis); bottom, retro actions done vs still open (stacked bars).
    Drawn for Slack's ~360 px preview: large fonts, few ticks, week labels like "W49".
    """
    weeks = list(context["weeks"])[-8:]
    labels = [_short_week(str(w["label"])) for w in weeks]
    x = list(range(len(weeks)))
    participation = [
        float(w["participation_pct"]) if w.get("participation_pct") is not None else float("nan")
        for w in weeks
    ]
    blockers = [int(w.get("blockers") or 0) for w in weeks]
    done = [int(w.get("actions_done") or 0) for w in weeks]
    still_open = [int(w.get("actions_open") or 0) for w in weeks]
    with plt.rc_context({"font.size": 15, "axes.titlesize": 16, "axes.titleweight": "bold"}):
        figure, (top, bottom) = plt.subplots(
            2, 1, figsize=(8, 7.2), dpi=100, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
        )
        try:
            figure.suptitle(str(context.get("title", ""))[:60], fontsize=18, fontweight="bold")
            bars = top.twinx()
            bars.bar(x, blockers, width=0.55, color="#f4a261", alpha=0.85, label=N_("Blockers"))
            bars.set_ylim(0, max([*blockers, 4]) * 1.25)
            bars.set_ylabel(N_("Blockers"), color="#c4661f")
            bars.tick_params(axis="y", colors="#c4661f")
            bars.yaxis.get_major_locator().set_params(integer=True, nbins=4)
            top.set_zorder(bars.get_zorder() + 1)
            top.patch.set_visible(False)
            top.plot(x, participation, color="#1d76db", linewidth=3.5, marker="o", markersize=9)
            # Counts sit at the foot of their bars, clear of the participation labels above.
            for xi, count in zip(x, blockers, strict=True):
                if count:
                    bars.text(
                        xi,
                        0.15,
                        str(count),
                        ha="center",
                        va="bottom",
                        fontsize=12,
                        color="#7a3e0f",
                        fontweight="bold",
                    )
            for xi, pct in zip(x, participation, strict=True):
                if pct != pct:  # NaN: no daily prompted that week
                    top.text(xi, 12, N_("no daily"), ha="center", fontsize=10, color="#888888")
                else:
                    top.annotate(
                        f"{pct:.0f}",
                        (xi, pct),
                        textcoords="offset points",
                        xytext=(0, 10),
                        ha="center",
                        fontsize=12,
                        color="#1d76db",
                    )
            top.set_ylim(0, 115)
            top.set_yticks([0, 50, 100])
            top.set_ylabel(N_("Answered %"), color="#1d76db")
            top.tick_params(axis="y", colors="#1d76db")
            top.set_title(N_("Daily participation and blockers"), loc="left")
            top.grid(True, axis="y", linestyle=":", alpha=0.6)
            bottom.bar(x, done, width=0.55, color="#2e7d32", label=N_("Done"))
            bottom.bar(x, still_open, width=0.55, bottom=done, color="#bdbdbd", label=N_("Open"))
            bottom.set_ylim(
                0, max([d + o for d, o in zip(done, still_open, strict=True)] + [4]) * 1.3
            )
            bottom.yaxis.get_major_locator().set_params(integer=True, nbins=4)
            bottom.set_title(N_("Retro actions"), loc="left")
            bottom.legend(loc="upper left", ncols=2, fontsize=12, frameon=False)
            bottom.grid(True, axis="y", linestyle=":", alpha=0.6)
            bottom.set_xticks(x, labels)
            bottom.set_xlim(-0.6, max(len(x), 1) - 0.4)
            for axes in (top, bars, bottom):
                axes.spines["top"].set_visible(False)
            bottom.spines["right"].set_visible(False)
            buffer = io.BytesIO()
            figure.tight_layout()
            figure.savefig(buffer, format="png")
            return buffer.getvalue()
        finally:
            plt.close(figure)


CHARTS = {"retro_matrix": retro_matrix, "weekly_trend": weekly_trend}

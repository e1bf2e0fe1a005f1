"""Charts of benchmark results, for the docs: ``--plot PATH`` of throughput.py and quality.py.

matplotlib (the ``bench`` extra) with the Agg backend: PNG files, no display needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

SUMMARY_COLOUR = "#f59e0b"
BULLET_COLOUR = "#2563eb"
BASELINE_COLOUR = "#9ca3af"


def _save(figure: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path


def throughput_chart(results: Mapping[tuple[str, int | str], Mapping[str, float]], path: Path, title: str) -> Path:
    """Articles/s and p50/p95 latency against concurrent clients, one line per server.

    ``results`` maps (server, clients) to at least ``rate``, ``p50`` and ``p95`` (ms); levels that
    are not a plain client count (the single-article rows) are left out.
    """
    servers = list(dict.fromkeys(name for name, _ in results))
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for index, server in enumerate(servers):
        levels = sorted(c for name, c in results if name == server and isinstance(c, int))
        if not levels:
            continue
        colour = BASELINE_COLOUR if "naive" in server else plt.get_cmap("tab10")(index)
        rows = [results[(server, c)] for c in levels]
        left.plot(levels, [r["rate"] for r in rows], marker="o", color=colour, label=server)
        right.plot(levels, [r["p50"] / 1000 for r in rows], marker="o", color=colour, label=f"{server} p50")
        right.plot(levels, [r["p95"] / 1000 for r in rows], marker="^", linestyle="--", color=colour, label="p95")
    for axis in (left, right):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("concurrent clients")
        axis.grid(True, alpha=0.3)
        ticks = sorted({c for _, c in results if isinstance(c, int)})
        axis.set_xticks(ticks, [str(t) for t in ticks])
    left.set_ylabel("articles/s")
    left.set_ylim(bottom=0)
    left.set_title("Throughput")
    left.legend(fontsize=8)
    right.set_ylabel("latency, s (log)")
    right.set_yscale("log")
    right.set_title("Latency: p50 (solid), p95 (dashed)")
    right.legend(fontsize=7, ncol=2)
    figure.suptitle(title, fontsize=10)
    return _save(figure, path)


def quality_chart(
    summaries: Mapping[str, Sequence[float]],
    bullets: Mapping[str, float],
    path: Path,
    title: str,
    baseline: str = "Lead-3",
) -> Path:
    """ROUGE-1/2/Lsum of each summary system beside the baseline, and bullet precision@2 beside its baselines."""
    systems = list(summaries)
    figure, axes = plt.subplots(
        1, 2 if bullets else 1, figsize=(12 if bullets else 7, 4.8), squeeze=False, layout="constrained"
    )
    left = axes[0][0]
    metrics = ["R1", "R2", "RLsum"]
    width = 0.8 / max(len(systems), 1)
    cmap = plt.get_cmap("tab10")
    for index, name in enumerate(systems):
        xs = [m + (index - (len(systems) - 1) / 2) * width for m in range(len(metrics))]
        colour = BASELINE_COLOUR if name == baseline else cmap(index)
        bars = left.bar(xs, summaries[name], width, color=colour, label=name)
        left.bar_label(bars, fmt="%.1f", fontsize=6, padding=1)
    left.set_xticks(range(len(metrics)), metrics)
    left.set_ylabel("F1 x 100")
    left.set_title(f"Summaries against {baseline}")
    left.grid(True, axis="y", alpha=0.3)
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1)
    if bullets:
        right = axes[0][1]
        names = list(bullets)
        colours = [SUMMARY_COLOUR if "learned" in n else BASELINE_COLOUR for n in names]
        bars = right.barh(names, [bullets[n] for n in names], color=colours)
        right.bar_label(bars, fmt="%.3f", fontsize=8, padding=2)
        right.invert_yaxis()
        right.set_xlim(0, 1)
        right.set_xlabel("precision@2 (share of the two best-ranked that are labelled significant)")
        right.set_title('"Why it matters" bullets against baselines')
        right.grid(True, axis="x", alpha=0.3)
    figure.suptitle(title, fontsize=10)
    return _save(figure, path)

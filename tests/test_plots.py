"""The benchmark charts (benchmarks/plots.py): each writes a PNG from results shaped like the scripts' own."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="matplotlib is in the bench extra")

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("plots", ROOT / "benchmarks" / "plots.py")
plots = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(plots)  # type: ignore[union-attr]

PNG = b"\x89PNG\r\n\x1a\n"


def test_throughput_chart(tmp_path: Path) -> None:
    row = {"rate": 5.0, "p50": 100.0, "p95": 180.0, "p99": 200.0, "errors": 0, "rss": 500.0}
    results = {
        (server, clients): {**row, "rate": row["rate"] * (2 if "naive" not in server else 1)}
        for server in ["summarizer serve", "naive baseline"]
        for clients in ["1 (500 words)", 1, 8]
    }
    path = plots.throughput_chart(results, tmp_path / "sub" / "t.png", "test run")
    assert path.read_bytes().startswith(PNG)


def test_quality_chart(tmp_path: Path) -> None:
    rouge = {"Lead-3": [41.0, 19.0, 37.3], "default": [41.1, 19.0, 37.4]}
    bullets = {"random pair (expected)": 0.31, "learned head": 0.62}
    assert plots.quality_chart(rouge, bullets, tmp_path / "q.png", "test").read_bytes().startswith(PNG)
    assert plots.quality_chart(rouge, {}, tmp_path / "q2.png", "no bullets").read_bytes().startswith(PNG)

"""Summary quality on CNN/DailyMail: the default summarizer beside Lead-3, scored in the same run.

    python benchmarks/quality.py [--data ../shared/eval/cnndm_dev.jsonl] [--limit N] [--sentences 3]

ROUGE follows the usual CNN/DM convention: rouge-score with the Porter stemmer, F1 x 100 of
rouge1, rouge2 and rougeLsum, prediction and reference each as sentences joined by newlines.
Lead-3 is the first three sentences of the same segmentation the summarizer uses. Intervals are
95% bootstrap intervals over articles; "P(beats Lead-3)" is the share of paired bootstrap
resamples in which the system's mean R1 is above Lead-3's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from rouge_score import rouge_scorer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Summarizer  # noqa: E402
from summarizer.text import segment  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"
METRICS = ("rouge1", "rouge2", "rougeLsum")
BOOTSTRAP = 2000


def load_records(path: Path, limit: int | None) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return records[:limit] if limit else records


def lead_n(article: str, n: int) -> list[str]:
    return [s.text for s in segment(article)[:n]]


def score(scorer: rouge_scorer.RougeScorer, predictions: list[list[str]], references: list[str]) -> np.ndarray:
    """Array (articles, 3) of F1 x 100 for R1, R2, RLsum."""
    rows = []
    for pred, ref in zip(predictions, references, strict=True):
        result = scorer.score(ref, "\n".join(pred))
        rows.append([result[m].fmeasure * 100 for m in METRICS])
    return np.array(rows)


def bootstrap_interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    idx = rng.integers(0, len(values), size=(BOOTSTRAP, len(values)))
    means = values[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired_win_probability(system: np.ndarray, baseline: np.ndarray, rng: np.random.Generator) -> float:
    idx = rng.integers(0, len(system), size=(BOOTSTRAP, len(system)))
    return float(((system[idx] - baseline[idx]).mean(axis=1) > 0).mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="score only the first N articles")
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16, help="articles per summarize_many call")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--json", type=Path, default=None, help="also write the table as JSON here")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    records = load_records(args.data, args.limit)
    references = [r["reference"] for r in records]
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    rng = np.random.default_rng(0)

    summarizer = Summarizer.load()
    started = time.perf_counter()
    ours: list[list[str]] = []
    for lo in range(0, len(records), args.batch):
        chunk = [r["article"] for r in records[lo : lo + args.batch]]
        results = summarizer.summarize_many(chunk, max_sentences=args.sentences, bullets=0)
        ours.extend([s.text for s in r.sentences] for r in results)
    seconds = time.perf_counter() - started

    systems = {
        f"Lead-{args.sentences}": [lead_n(r["article"], args.sentences) for r in records],
        f"summarizer ({summarizer.encoder.name})": ours,
    }
    scores = {name: score(scorer, preds, references) for name, preds in systems.items()}
    baseline = scores[f"Lead-{args.sentences}"]

    print(
        f"{len(records)} articles from {args.data.name}; {args.sentences} sentences; "
        f"summarizer ran {len(records) / seconds:.1f} articles/s"
    )
    header = "| system | R1 | R2 | RLsum | R1 95% CI | words | P(R1 beats Lead) |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    table = []
    for name, s in scores.items():
        lo, hi = bootstrap_interval(s[:, 0], rng)
        words = float(np.mean([sum(len(x.split()) for x in p) for p in systems[name]]))
        win = paired_win_probability(s[:, 0], baseline[:, 0], rng) if s is not baseline else float("nan")
        row = {
            "system": name,
            "r1": s[:, 0].mean(),
            "r2": s[:, 1].mean(),
            "rlsum": s[:, 2].mean(),
            "r1_ci": [lo, hi],
            "words": words,
            "p_beats_lead": win,
        }
        table.append(row)
        win_text = "-" if s is baseline else f"{win:.2f}"
        print(
            f"| {name} | {row['r1']:.2f} | {row['r2']:.2f} | {row['rlsum']:.2f} | {lo:.2f}-{hi:.2f} "
            f"| {words:.0f} | {win_text} |"
        )
    if args.json:
        args.json.write_text(json.dumps(table, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

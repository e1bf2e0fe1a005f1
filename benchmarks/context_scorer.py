"""Tried (issue 15): a multi-task context scorer over the frozen encoder's outputs, cross-validated.

    python benchmarks/context_scorer.py [--seeds 3] [--cache /tmp/scorer/cache] [--epochs 5]
                                        [--significance-weight 1] [--fold-seed 0]

Data: ../shared/eval/cnndm_dev.jsonl (411 articles, references), benchmarks/data/significance
(110 articles with sentence labels: 90 of the dev file's, 20 written ones with their own text) and
benchmarks/data/bbc_labels (400 BBC articles: labels and summary picks, text from
../shared/eval/bbc_news.jsonl). Model and features: training/context_scorer.py. The encoder (fp32
torch) runs once per article; its embeddings are cached under --cache (about 4 minutes the first
time on 2 cores, then 5 s a fit). ``--seeds 3`` averages three fits' probabilities.

Two cross-validations, folds as benchmarks/quality.py makes them (``folds_for``):
- summaries: 5 folds of the dev file; each fold's scorer is trained on the other four folds' dev
  articles (oracle labels, and significance labels where the article is labelled) plus all BBC
  articles, and picks 3 sentences of each held-out article (its summary probability, MMR 0.3 as the
  learned selection head in quality.py), or keeps the default summary and swaps its least
  summary-worthy sentence for the best other candidate when the scorer prefers it by a margin
  (the issue's "swap steps learned from the dev file"). Also: bullets for the held-out articles (default summary,
  as served: hard negatives never, threshold, MMR, no paraphrase of the summary), for the share of
  cased dev articles without a bullet;
- bullets: 5 folds of the labelled significance examples (quality.py's ``bullet_table`` order); the
  held-out articles are left out of training entirely (their oracle labels too); precision@2 on
  articles with 2+ SIGNIFICANCE candidates, hard negatives (quotes, first person, photo references) ranked last.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from quality import FOLDS, folds_for, print_summary_table

from summarizer import Settings, Summarizer
from summarizer.selection.ranking import (
    LEARNED_REDUNDANCY,
    SUMMARY_PARAPHRASE_SIMILARITY,
    bullet_candidates,
    hard_negatives,
    mmr_select,
    summary_candidates,
)
from training.bullet_head import top2_hits
from training.context_scorer import article_features, fit, predict
from training.scorer_data import SIGNIFICANCE_LABELS, Article, N, load_all

SUMMARY_REDUNDANCY = 0.3  # as the learned selection head of benchmarks/quality.py
SWAP_MARGINS = (0.1, 0.2, 0.3)  # a swap needs the scorer to prefer the later sentence by this much
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)  # bullet thresholds reported (not tuned: a trade-off curve)


def targets(a: Article, n: int) -> tuple[np.ndarray, np.ndarray]:
    summary = np.full(n, np.nan, dtype=np.float32)
    significance = np.full(n, np.nan, dtype=np.float32)
    for i, v in a.summary_target.items():
        summary[i] = v
    for i, v in a.significance.items():
        significance[i] = v
    return summary, significance


def swapped(a: Article, p: np.ndarray, margin: float) -> list[int]:
    """The default summary with its least summary-worthy sentence swapped for the best other candidate,
    when the scorer prefers that one by ``margin`` and it does not duplicate a kept sentence."""
    current = list(a.default_summary)
    rest = [i for i in summary_candidates(a.sentences, N) if i not in current]
    if not rest or not current:
        return current
    out, best = min(current, key=lambda i: p[i]), max(rest, key=lambda i: p[i])
    kept = [i for i in current if i != out]
    duplicate = bool(kept) and max(float(a.embeddings[best] @ a.embeddings[i]) for i in kept) >= 0.9
    return sorted([*kept, best]) if p[best] - p[out] > margin and not duplicate else current


def bullets_for(a: Article, sig: np.ndarray, threshold: float) -> list[int]:
    """As served (ranking.select_bullets with a head), with the scorer's significance probability."""
    cands = bullet_candidates(a.sentences, a.default_summary)
    if not cands:
        return []
    keep = np.flatnonzero((sig[cands] >= threshold) & ~hard_negatives(a.sentences, cands))
    picked = mmr_select(
        sig[cands][keep],
        a.embeddings[cands][keep],
        2,
        LEARNED_REDUNDANCY,
        avoid=a.embeddings[a.default_summary],
        avoid_threshold=SUMMARY_PARAPHRASE_SIMILARITY,
    )
    return [cands[keep[p]] for p in picked]


def bullet_precision(articles: list[Article], significance: dict[str, np.ndarray]) -> None:
    """precision@2 over the labelled articles with 2+ SIGNIFICANCE candidates (hard negatives never), and
    what each threshold returns there; ``significance``: held-out probabilities per sentence, by article id."""
    hits = shown = rich = 0
    returned = {thr: [0, 0] for thr in THRESHOLDS}  # hits, shown among the 2+ articles
    for a in articles:
        cands = bullet_candidates(a.sentences, a.default_summary)
        if not a.significance or not cands:
            continue
        target = np.array([a.significance.get(i) == 1.0 for i in cands], dtype=np.float64)
        prob = np.where(hard_negatives(a.sentences, cands), 0.0, significance[a.id][cands])
        if target.sum() >= 2:
            rich += 1
            h, n = top2_hits(prob, target)
            hits, shown = hits + h, shown + n
            for thr in THRESHOLDS:
                h, n = top2_hits(prob, target, thr)
                returned[thr][0] += h
                returned[thr][1] += n
    print(f"bullets: {rich} labelled articles with 2+ significance candidates; precision@2 {hits / max(shown, 1):.3f}")
    print("| threshold | returned per article (2+ sig.) | precision of returned |")
    print("|---|---|---|")
    for thr, (h, n) in returned.items():
        print(f"| {thr} | {n / max(rich, 1):.2f} | {h / max(n, 1):.3f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/scorer/cache"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--significance-weight", type=float, default=1.0, help="0: summary task only")
    parser.add_argument("--fold-seed", type=int, default=0, help="0: quality.py's folds; others: a robustness check")
    parser.add_argument("--seeds", type=int, default=1, help="average this many models' probabilities")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    summarizer = Summarizer.load(settings=Settings(device="cpu", precision="float32", engine="torch"))
    cnn, written, bbc = load_all(summarizer.backend.models.encoder, args.cache)
    prototypes = summarizer.backend.models.prototypes
    data = {}
    for a in cnn + written + bbc:
        x = article_features(a.sentences, a.embeddings, a.default_summary, prototypes)
        data[a.source, a.id] = (x, *targets(a, len(a.sentences)))

    def train(exclude: set[str]) -> Callable[[np.ndarray], np.ndarray]:
        """Fit on every article outside ``exclude`` (all its labels left out); average over seeds."""
        rows = [data[a.source, a.id] for a in cnn + written + bbc if a.id not in exclude]
        inputs, summary, significance = ([r[j] for r in rows] for j in range(3))
        models = [
            fit(inputs, summary, significance, epochs=args.epochs, significance_weight=args.significance_weight, seed=s)
            for s in range(args.seeds)
        ]
        return lambda x: np.mean([predict(m, x) for m in models], axis=0)

    started = time.perf_counter()
    # -- summaries (and the served bullets' coverage) on the dev file ----------------------------------
    folds = folds_for(len(cnn), args.fold_seed)
    chosen: list[list[int]] = [[] for _ in cnn]
    swaps: dict[float, list[list[int]]] = {m: [[] for _ in cnn] for m in SWAP_MARGINS}
    sig_prob: list[np.ndarray] = [np.zeros(0) for _ in cnn]
    for f in range(FOLDS):
        model = train({cnn[k].id for k in np.flatnonzero(folds == f)})
        for k in np.flatnonzero(folds == f):
            a = cnn[k]
            p = model(data["cnn", a.id][0])
            cands = summary_candidates(a.sentences, N)
            picked = mmr_select(p[cands, 0], a.embeddings[cands], N, SUMMARY_REDUNDANCY)
            chosen[k] = sorted(cands[i] for i in picked)
            sig_prob[k] = p[:, 1]
            for margin in SWAP_MARGINS:
                swaps[margin][k] = swapped(a, p[:, 0], margin)
        print(f"summary fold {f} done ({time.perf_counter() - started:.0f}s)", flush=True)
    systems = {
        f"Lead-{N}": [[s.text for s in a.sentences[:N]] for a in cnn],
        "default: unsupervised, whole sentences": [[a.sentences[i].text for i in a.default_summary] for a in cnn],
        "context scorer, top 3 by MMR": [[a.sentences[i].text for i in c] for a, c in zip(cnn, chosen, strict=True)],
        **{
            f"default + one learned swap (margin {m})": [
                [a.sentences[i].text for i in c] for a, c in zip(cnn, swaps[m], strict=True)
            ]
            for m in SWAP_MARGINS
        },
    }
    print(f"\n{len(cnn)} dev articles, {len(bbc)} BBC articles, {FOLDS}-fold CV")
    print_summary_table(systems, [a.reference or "" for a in cnn], np.random.default_rng(0))
    moved = np.mean([c != a.default_summary for a, c in zip(cnn, chosen, strict=True)])
    lead = np.mean([c != list(range(N)) for c in chosen])
    print(f"top 3 by MMR differing from the default: {moved:.0%}; from the first {N} sentences: {lead:.0%}")
    for m in SWAP_MARGINS:
        print(f"swaps at margin {m}: {sum(c != a.default_summary for a, c in zip(cnn, swaps[m], strict=True))}")
    cased = [k for k, a in enumerate(cnn) if a.cased]
    print("\nserved-style bullets on the cased dev articles (default summary), by threshold:")
    print("| threshold | cased articles with no bullet | with one |")
    print("|---|---|---|")
    for thr in THRESHOLDS:
        counts = [len(bullets_for(cnn[k], sig_prob[k], thr)) for k in cased]
        print(f"| {thr} | {np.mean([c == 0 for c in counts]):.0%} | {np.mean([c == 1 for c in counts]):.0%} |")

    # -- bullets: precision@2 on the labelled significance set -----------------------------------------
    by_id = {a.id: a for a in cnn + written}
    labelled = [json.loads(line)["id"] for line in SIGNIFICANCE_LABELS.open(encoding="utf-8")]
    examples = [
        by_id[i] for i in labelled if i in by_id and bullet_candidates(by_id[i].sentences, by_id[i].default_summary)
    ]
    folds = folds_for(len(examples), args.fold_seed)
    significance: dict[str, np.ndarray] = {}
    for f in range(FOLDS):
        model = train({examples[k].id for k in np.flatnonzero(folds == f)})
        for k in np.flatnonzero(folds == f):
            a = examples[k]
            significance[a.id] = model(data[a.source, a.id][0])[:, 1]
        print(f"bullet fold {f} done ({time.perf_counter() - started:.0f}s)", flush=True)
    print(f"\n{len(examples)} labelled articles")
    bullet_precision(examples, significance)
    print(f"\ntraining and scoring: {time.perf_counter() - started:.0f}s ({10 * args.seeds} fits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

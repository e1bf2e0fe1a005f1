"""Does training the "Why it matters" head on more labels help? Cross-validated, one table.

    python benchmarks/bullet_labels.py [--precision float32]
    python benchmarks/bullet_labels.py --score-head OLD_HEAD.json [--on benchmarks/data/dev_labels/labels.jsonl]

Builds bullet examples (the default summary first, as at serving time) for the CNN/DailyMail
labelled sets (benchmarks/data/significance, 110 articles, and benchmarks/data/dev_labels, 250 more
dev articles) and the BBC labelled set (benchmarks/data/bbc_labels, 400 articles), then scores
precision@2 under 5-fold CV with the head trained on (A) the CNN training folds, (B) the CNN training
folds plus every BBC article, tested on the CNN folds; and (C) all 760 articles' training folds, (D)
only their CNN part, tested on all.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Settings, Summarizer
from summarizer.heads import LinearHead
from summarizer.selection.ranking import hard_negatives
from training.bullet_data import BulletExample, build_examples, load_labelled
from training.bullet_head import fit_bullet_head, fold_ids, top2_hits

SHARED = ROOT.parent / "shared" / "eval"
FOLDS = 5


def folds_for(n: int) -> np.ndarray:
    return fold_ids(n, FOLDS)


Trainer = Callable[[Sequence[BulletExample]], Sequence[BulletExample]]


def figures(scored: list[tuple[np.ndarray, np.ndarray, float]]) -> tuple[float, float, float, float]:
    """From (probability, target, threshold) per article: precision@2 on articles with 2+ significance
    sentences, bullets returned there, precision of the returned ones, and the share of all articles
    that get no bullet."""
    hits = shown = kept_hits = kept = none = 0
    returned = []
    for probability, target, threshold in scored:
        got, n = top2_hits(probability, target, threshold)
        none += n == 0
        if target.sum() >= 2:
            h, _ = top2_hits(probability, target)
            hits, shown, kept_hits, kept = hits + h, shown + 2, kept_hits + got, kept + n
            returned.append(n)
    return hits / shown, float(np.mean(returned)), kept_hits / max(kept, 1), none / len(scored)


def evaluate(examples: list[BulletExample], extra: Trainer) -> tuple[float, float, float, float]:
    """``figures`` under 5-fold CV, the head trained on ``extra(training folds)``."""
    folds = folds_for(len(examples))
    scored = []
    for f in range(FOLDS):
        head = fit_bullet_head(list(extra([e for e, ff in zip(examples, folds, strict=True) if ff != f])))
        for k in np.flatnonzero(folds == f):
            e = examples[k]
            scored.append((head.probability(e.features[:, head.columns(e.names)]), e.target, head.threshold))
    return figures(scored)


def score_fixed(head: LinearHead, examples: list[BulletExample]) -> tuple[float, float, float, float]:
    """``figures`` for a head trained elsewhere (hard negatives never, as served)."""
    scored = []
    for e in examples:
        probability = head.probability(e.features[:, head.columns(e.names)])
        never = hard_negatives(e.article.sentences, e.candidates)
        scored.append((np.where(never, 0.0, probability), e.target, head.threshold))
    return figures(scored)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--precision", default="float32", help="encoder precision (float32: the same on any CPU)")
    parser.add_argument("--score-head", type=Path, help="only score this head JSON on --on (articles it never saw)")
    parser.add_argument("--on", type=Path, default=ROOT / "benchmarks/data/dev_labels/labels.jsonl")
    args = parser.parse_args()
    torch.set_num_threads(2)
    engine = "onnx" if args.precision == "int8" else "torch"
    summarizer = Summarizer.load(settings=Settings(device="cpu", precision=args.precision, engine=engine))
    models = summarizer.backend.models  # type: ignore[attr-defined]
    if args.score_head:
        examples = build_examples(load_labelled(args.on, SHARED / "cnndm_dev.jsonl"), models.encoder, models.prototypes)
        p2, returned, kept, none = score_fixed(LinearHead.load(args.score_head), examples)
        print(
            f"{args.score_head} on {args.on.parent.name} ({len(examples)} articles): precision@2 {p2:.3f}, "
            f"returned (2+ sig.) {returned:.2f}, precision of returned {kept:.3f}, no bullet {none:.0%}"
        )
        return 0
    cnn_articles = [
        *load_labelled(ROOT / "benchmarks/data/significance/labels.jsonl", SHARED / "cnndm_dev.jsonl"),
        *load_labelled(ROOT / "benchmarks/data/dev_labels/labels.jsonl", SHARED / "cnndm_dev.jsonl"),
    ]
    bbc_articles = load_labelled(ROOT / "benchmarks/data/bbc_labels/labels.jsonl", SHARED / "bbc_news.jsonl")
    cnn = build_examples(cnn_articles, models.encoder, models.prototypes)
    bbc = build_examples(bbc_articles, models.encoder, models.prototypes)
    both = cnn + bbc
    cnn_ids = {id(e) for e in cnn}
    rows = {
        "A: CNN folds -> CNN": evaluate(cnn, lambda train: train),
        "B: CNN folds + all BBC -> CNN": evaluate(cnn, lambda train: [*train, *bbc]),
        "C: all folds -> all": evaluate(both, lambda train: train),
        "D: CNN part of the folds -> all": evaluate(both, lambda train: [e for e in train if id(e) in cnn_ids]),
    }
    print(f"{len(cnn)} CNN/DailyMail + {len(bbc)} BBC labelled articles, {FOLDS}-fold CV, {args.precision} encoder")
    print("| trained on -> tested on | precision@2 | returned (2+ sig.) | precision of returned | no bullet |")
    print("|---|---|---|---|---|")
    for name, (p2, returned, kept, none) in rows.items():
        print(f"| {name} | {p2:.3f} | {returned:.2f} | {kept:.3f} | {none:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

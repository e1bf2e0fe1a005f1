"""Fitting the trim head: ridge regression on the ROUGE-1 gain of each candidate cut.

Used by tools/train_heads.py (the shipped weights) and benchmarks/quality.py (cross-validation),
never at serving time (rouge-score is a development dependency).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.heads.linear import LinearHead
from summarizer.selection.compression import FEATURE_NAMES, Cut, best_cuts, trim_features, trimmed_text
from summarizer.text import Sentence
from training.bullet_head import fold_ids

TRIM_L2_GRID = (1.0, 10.0, 100.0)
TRIM_THRESHOLD_GRID = (0.0, 0.2, 0.5)  # least predicted gain, in ROUGE-1 points


@dataclass
class TrimExample:
    """One article's summary: its candidate cuts, their features and what each cut alone is worth."""

    cuts: list[Cut]
    features: np.ndarray
    gains: np.ndarray  # change in the summary's ROUGE-1 F1 x 100 when only this cut is made


def trimmed_texts(text: str, sentences: Sequence[Sentence], summary: Sequence[int], ends: dict[int, int]) -> list[str]:
    """The summary's texts as shown, with the given cuts applied (each kept span as it is)."""
    return [
        trimmed_text(text, sentences[i], ends[k]) if k in ends else sentences[i].text for k, i in enumerate(summary)
    ]


def trim_example(text: str, sentences: Sequence[Sentence], summary: Sequence[int], reference: str) -> TrimExample:
    from rouge_score import rouge_scorer  # training-only dependency

    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)

    def r1(texts: list[str]) -> float:
        return scorer.score(reference, "\n".join(texts))["rouge1"].fmeasure * 100

    cuts, features = trim_features(text, sentences, summary)
    base = r1(trimmed_texts(text, sentences, summary, {}))
    gains = [r1(trimmed_texts(text, sentences, summary, {c.sentence: c.end})) - base for c in cuts]
    return TrimExample(cuts, features, np.asarray(gains, dtype=np.float64))


def fit_ridge(
    features: np.ndarray, targets: np.ndarray, *, l2: float, threshold: float, metadata: dict | None = None
) -> LinearHead:
    """Ridge regression on standardised features, as a ``kind="trim"`` head."""
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    xs = (x - mean) / scale
    coef = np.linalg.solve(xs.T @ xs + l2 * np.eye(x.shape[1]), xs.T @ (y - y.mean()))
    return LinearHead(
        kind="trim",
        feature_names=list(FEATURE_NAMES),
        mean=mean.astype(np.float32).tolist(),
        scale=scale.astype(np.float32).tolist(),
        coef=coef.astype(np.float32).tolist(),
        intercept=float(y.mean()),
        threshold=threshold,
        metadata=metadata or {},
    )


def realised_gain(example: TrimExample, predicted: np.ndarray, threshold: float) -> float:
    """Sum of the true single-cut gains of the cuts the predictions would make (a close proxy for re-scoring)."""
    chosen = best_cuts(example.cuts, predicted, threshold)
    return float(sum(g for c, g in zip(example.cuts, example.gains, strict=True) if chosen.get(c.sentence) == c.end))


def fit_trim_head(
    examples: list[TrimExample], *, inner_folds: int = 4, seed: int = 0, metadata: dict | None = None
) -> LinearHead:
    """Choose L2 and threshold by inner cross-validation on ``examples`` (mean realised gain), then fit on all."""
    folds = fold_ids(len(examples), inner_folds, seed)
    usable = [e for e in examples if len(e.cuts)]
    best: tuple[float, float, float] | None = None
    for l2 in TRIM_L2_GRID:
        predictions: list[tuple[TrimExample, np.ndarray]] = []
        for f in range(inner_folds):
            train = [e for e, ff in zip(examples, folds, strict=True) if ff != f and len(e.cuts)]
            head = fit_ridge(
                np.vstack([e.features for e in train]), np.concatenate([e.gains for e in train]), l2=l2, threshold=0
            )
            predictions += [
                (e, head.score(e.features)) for e, ff in zip(examples, folds, strict=True) if ff == f and len(e.cuts)
            ]
        for threshold in TRIM_THRESHOLD_GRID:
            gain = float(np.mean([realised_gain(e, p, threshold) for e, p in predictions])) if predictions else 0.0
            if best is None or gain > best[0]:
                best = (gain, l2, threshold)
    assert best is not None and usable
    gain, l2, threshold = best
    return fit_ridge(
        np.vstack([e.features for e in usable]),
        np.concatenate([e.gains for e in usable]),
        l2=l2,
        threshold=threshold,
        metadata={
            **(metadata or {}),
            "l2": l2,
            "inner_cv_gain_per_article": round(gain * len(usable) / len(examples), 4),
        },
    )

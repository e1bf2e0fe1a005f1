"""Fitting the heads: L2-regularised logistic regression (torch L-BFGS) and oracle labels.

Used by tools/train_heads.py (the shipped weights) and benchmarks/quality.py (cross-validation),
never at serving time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from summarizer.heads.linear import LinearHead


def fit_logistic(
    features: np.ndarray,
    labels: np.ndarray,
    names: list[str],
    *,
    kind: str,
    l2: float = 1.0,
    positive_weight: float | None = None,
    metadata: dict | None = None,
) -> LinearHead:
    """Logistic regression on standardised features; ``l2`` is the penalty per unit of data weight."""
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    xs = torch.from_numpy((x - mean) / scale)
    yt = torch.from_numpy(y)
    if positive_weight is None:  # balance classes: rare positives (significance) still matter
        positive_weight = float((len(y) - y.sum()) / max(y.sum(), 1.0))
    weights = torch.where(yt > 0.5, positive_weight, 1.0).double()
    weights = weights / weights.mean()
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([w, b], lr=1.0, max_iter=500, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = xs @ w + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, yt, weight=weights)
        loss = loss + l2 * (w @ w) / (2 * len(y))
        loss.backward()
        return loss

    optimizer.step(closure)
    return LinearHead(
        kind=kind,
        feature_names=names,
        mean=mean.astype(np.float32).tolist(),
        scale=scale.astype(np.float32).tolist(),
        coef=w.detach().numpy().astype(np.float32).tolist(),
        intercept=float(b.detach()[0]),
        metadata=metadata or {},
    )


def oracle_labels(sentences: Sequence[str], reference: str, k: int = 3) -> list[int]:
    """Greedy oracle: add the sentence that most raises ROUGE-1 + ROUGE-2 F1, up to ``k``."""
    from rouge_score import rouge_scorer  # training-only dependency

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    chosen: list[int] = []
    best = 0.0
    for _ in range(k):
        gains = []
        for i in range(len(sentences)):
            if i in chosen:
                continue
            pred = "\n".join(sentences[j] for j in sorted([*chosen, i]))
            s = scorer.score(reference, pred)
            gains.append((s["rouge1"].fmeasure + s["rouge2"].fmeasure, i))
        if not gains:
            break
        value, index = max(gains)
        if value <= best:
            break
        best = value
        chosen.append(index)
    return sorted(chosen)


# -- the bullet head: model selection by inner cross-validation -------------------------------------

BULLET_L2_GRID = (1.0, 10.0, 100.0, 1000.0)
BULLET_FEATURE_SETS = ("dense", "dense+embedding")
BULLET_THRESHOLD_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)
MIN_BULLETS_WHEN_PRESENT = 1.6  # target mean bullets on articles with 2+ significance sentences


def feature_columns(names: list[str], feature_set: str) -> list[int]:
    if feature_set == "dense":
        return [i for i, n in enumerate(names) if not n.startswith("emb_")]
    return list(range(len(names)))


def top2_hits(probability: np.ndarray, target: np.ndarray, threshold: float | None = None) -> tuple[int, int]:
    """(significance hits, bullets returned) among the two most probable candidates above threshold."""
    order = np.argsort(-probability)[:2]
    if threshold is not None:
        order = [i for i in order if probability[i] >= threshold]
    return int(sum(target[i] for i in order)), len(order)


def fold_ids(n: int, k: int, seed: int = 0) -> np.ndarray:
    """A fold number (0..k-1) for each of ``n`` items, shuffled by ``seed``: every cross-validation here uses it."""
    return np.random.default_rng(seed).permutation(n) % k


def _fit_columns(examples: list, cols: list[int], l2: float, metadata: dict | None = None) -> LinearHead:
    """A bullet head on the chosen feature columns of ``examples``."""
    names = examples[0].names
    return fit_logistic(
        np.vstack([e.features[:, cols] for e in examples]),
        np.concatenate([e.target for e in examples]),
        [names[c] for c in cols],
        kind="bullets",
        l2=l2,
        metadata=metadata,
    )


def fit_bullet_head(
    examples: list,
    *,
    inner_folds: int = 4,
    seed: int = 0,
    metadata: dict | None = None,
    feature_sets: Sequence[str] = BULLET_FEATURE_SETS,
) -> LinearHead:
    """Choose feature set, L2 and threshold by inner cross-validation on ``examples``, then fit on all.

    Selection uses precision@2 on articles with two or more significance sentences; the threshold
    is the highest one whose inner-CV mean bullet count on those articles stays at or above
    ``MIN_BULLETS_WHEN_PRESENT``.
    """
    names = examples[0].names
    folds = fold_ids(len(examples), inner_folds, seed)
    best: tuple[float, str, float] | None = None
    held_out: dict[tuple[str, float], list[tuple[np.ndarray, np.ndarray]]] = {}
    for feature_set in feature_sets:
        cols = feature_columns(names, feature_set)
        for l2 in BULLET_L2_GRID:
            preds = []
            for f in range(inner_folds):
                head = _fit_columns([e for e, ff in zip(examples, folds, strict=True) if ff != f], cols, l2)
                preds += [
                    (head.probability(e.features[:, cols]), e.target)
                    for e, ff in zip(examples, folds, strict=True)
                    if ff == f
                ]
            held_out[(feature_set, l2)] = preds
            rich = [(p, t) for p, t in preds if t.sum() >= 2]
            precision = sum(top2_hits(p, t)[0] for p, t in rich) / max(2 * len(rich), 1)
            if best is None or precision > best[0]:
                best = (precision, feature_set, l2)
    assert best is not None
    _, feature_set, l2 = best
    rich = [(p, t) for p, t in held_out[(feature_set, l2)] if t.sum() >= 2]
    threshold = min(BULLET_THRESHOLD_GRID)
    for candidate in sorted(BULLET_THRESHOLD_GRID):
        if np.mean([top2_hits(p, t, candidate)[1] for p, t in rich]) >= MIN_BULLETS_WHEN_PRESENT:
            threshold = candidate
    cols = feature_columns(names, feature_set)
    head = _fit_columns(
        examples,
        cols,
        l2,
        metadata={**(metadata or {}), "feature_set": feature_set, "l2": l2, "inner_cv_precision_at_2": best[0]},
    )
    head.threshold = threshold
    return head

"""A per-article bullet decision against the one global cutoff, on held-out probabilities.

Used by benchmarks/quality.py. The global cutoff shows an article's best candidate when its
probability clears one threshold. The per-article decision first asks whether the article has a
"Why it matters" sentence at all: a small logistic model on what the head says about the whole
article (its best and second-best candidate, how many candidates there are, how long the article
is), trained under 5-fold cross-validation on the other articles' held-out probabilities. Both are
compared at the same share of articles left without a bullet; a second bullet is shown in both when
its own probability clears the head's threshold.
"""

from __future__ import annotations

import numpy as np

from training.bullet_head import fit_logistic

COVERAGE = (0.25, 0.35, 0.47)  # shares of articles left without a bullet to compare at
FOLDS = 5
SECOND_BULLET_THRESHOLD = 0.6  # the shipped head's threshold


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def article_features(probability: np.ndarray, sentences: int) -> list[float]:
    """What the head says about the whole article: best and second logit, candidates, length."""
    top = _logit(np.sort(probability)[::-1])
    return [top[0], top[1] if len(top) > 1 else -10.0, np.log(len(top)), np.log(sentences)]


def article_decision_table(examples: list, probability: dict[int, np.ndarray], folds: np.ndarray) -> None:
    """Print both decisions at each coverage in ``COVERAGE``: precision of what is returned, and how
    often a supported article (one with a labelled SIGNIFICANCE candidate) gets none, or an
    unsupported one gets a bullet. ``folds``: the fold of each example (the bullet table's own split)."""
    keys = sorted(probability)
    supported = np.array([examples[k].target[probability[k] > 0].sum() > 0 for k in keys])  # quotes are 0
    x = np.array([article_features(probability[k], len(examples[k].article.sentences)) for k in keys])
    folds = folds[keys]
    article = np.zeros(len(keys))
    for f in range(FOLDS):
        model = fit_logistic(x[folds != f], supported[folds != f].astype(float), ["p1", "p2", "n", "len"], kind="x")
        article[folds == f] = model.probability(x[folds == f])
    best = np.array([probability[k].max() for k in keys])
    print(
        f"\nper-article decision against the global cutoff (held out; {supported.sum()} of {len(keys)} articles "
        "have a SIGNIFICANCE candidate):"
    )
    print(
        "| no bullet | decision | bullets returned | precision of returned "
        "| supported, no bullet | unsupported, a bullet |"
    )
    print("|---|---|---|---|---|---|")
    for share in COVERAGE:
        for name, score in (("global cutoff on the best candidate", best), ("per-article model", article)):
            cut = np.quantile(score, share)
            shown = [_shown(probability[k]) if s >= cut else [] for k, s in zip(keys, score, strict=True)]
            returned = sum(len(s) for s in shown)
            hits = sum(examples[k].target[i] for k, s in zip(keys, shown, strict=True) for i in s)
            empty = np.array([not s for s in shown])
            print(
                f"| {empty.mean():.0%} | {name} | {returned} | {hits / max(returned, 1):.3f} "
                f"| {empty[supported].mean():.0%} | {(~empty[~supported]).mean():.0%} |"
            )


def _shown(probability: np.ndarray) -> list[int]:
    order = np.argsort(-probability)
    return [int(order[0]), *(int(i) for i in order[1:2] if probability[i] >= SECOND_BULLET_THRESHOLD)]

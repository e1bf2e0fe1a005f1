"""The context scorer experiment (training/context_scorer.py): features, masked multi-task fit, prediction."""

from __future__ import annotations

import numpy as np
import torch
from fakes import BUDGET_ARTICLE as ARTICLE
from fakes import HashingEncoder

from summarizer.selection.ranking import select_summary
from summarizer.selection.significance import SIGNIFICANCE_PROTOTYPES
from summarizer.text import segment
from training.context_scorer import _listwise, article_features, fit, predict


def _inputs() -> tuple[np.ndarray, int]:
    encoder = HashingEncoder()
    sentences = segment(ARTICLE)
    emb = encoder.encode([s.text for s in sentences])
    summary, _ = select_summary(sentences, emb, max_sentences=3, max_words=None)
    x = article_features(sentences, emb, summary, encoder.encode(list(SIGNIFICANCE_PROTOTYPES)))
    return x, len(sentences)


def test_features_one_row_per_sentence_and_finite() -> None:
    x, n = _inputs()
    assert x.shape[0] == n and np.isfinite(x).all()


def test_fit_skips_unlabelled_rows_and_predicts_probabilities() -> None:
    torch.set_num_threads(1)
    x, n = _inputs()
    summary = np.full(n, np.nan, dtype=np.float32)
    summary[:3] = [1, 0, 1]
    significance = np.full(n, np.nan, dtype=np.float32)  # a task with no labels at all still trains the other
    for listwise in (False, True):
        model = fit([x, x], [summary, summary], [significance, significance], epochs=2, listwise=listwise)
        p = predict(model, x)
        assert p.shape == (n, 2) and ((p >= 0) & (p <= 1)).all()


def test_listwise_loss_ignores_padding_and_unlabelled() -> None:
    logits = torch.tensor([[2.0, 0.0, 5.0, 9.0]])
    y = torch.tensor([[1.0, 0.0, float("nan"), 0.0]])
    pad = torch.tensor([[False, False, False, True]])
    expected = -torch.log_softmax(torch.tensor([2.0, 0.0]), dim=0)[0]
    assert torch.isclose(_listwise(logits, y, pad), expected)

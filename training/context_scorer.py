"""A small multi-task context scorer over the frozen encoder's sentence embeddings.

Per sentence: its embedding, the article centroid, and dense features (position, length, centrality,
neighbour similarity, the unsupervised summary score, significance prototypes and cues, similarity
to the default summary). A per-sentence projection, then one self-attention layer across the
article's sentences (so "a later sentence states the outcome" can be judged against the lead),
then two logits: summary-worthiness and significance. It reads only what the served encoder pass
already produced (no second encoder pass); the extra cost is about 35k multiply-adds per
sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from summarizer.selection.features import _max_others, _quote_fraction
from summarizer.selection.ranking import SummaryWeights, is_block, is_content, summary_candidates, summary_scores
from summarizer.selection.significance import CUE_PATTERNS, cue_score, is_direct_quote
from summarizer.text import Sentence

RANK_SLOTS = 8  # one-hot rank among content sentences: 0..6 and "7 or later"


def article_features(
    sentences: Sequence[Sentence], emb: np.ndarray, default_summary: Sequence[int], prototypes: np.ndarray
) -> np.ndarray:
    """(n_sentences, dim) inputs for every sentence of one article (non-content rows are masked later)."""
    n = len(sentences)
    content = [s.index for s in sentences if is_content(s)] or list(range(n))
    rank = np.full(n, len(content), dtype=np.float32)
    rank[content] = np.arange(len(content))
    centroid = emb[content].mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    sim = emb @ emb.T
    lead = emb[content[0]]
    prev_sim = np.r_[0.0, np.diag(sim, 1)]
    next_sim = np.r_[np.diag(sim, 1), 0.0]
    cands = summary_candidates(sentences, 3)
    default_score = np.zeros(n, dtype=np.float32)
    default_score[cands] = summary_scores(sentences, emb, cands, None, SummaryWeights())
    summary_emb = emb[list(default_summary)]
    proto = emb @ prototypes.T
    texts = [s.text for s in sentences]
    words = np.array([s.words for s in sentences], dtype=np.float32)
    dense = [
        *[(rank == k) if k < RANK_SLOTS - 1 else (rank >= k) for k in range(RANK_SLOTS)],
        np.log1p(rank),
        np.arange(n) / max(n, 1),
        np.full(n, np.log1p(len(content))),
        np.array([s.position_in_paragraph == 0 for s in sentences]),
        np.log1p(words),
        emb @ centroid,
        emb @ lead,
        _max_others(sim),
        prev_sim,
        next_sim,
        default_score,
        np.isin(np.arange(n), default_summary),
        (emb @ summary_emb.T).max(axis=1) if len(summary_emb) else np.zeros(n),
        proto.max(axis=1),
        proto.mean(axis=1),
        np.array([cue_score(t) for t in texts]),
        *[np.array([bool(rx.search(t)) for t in texts]) for rx, _ in CUE_PATTERNS],
        np.array([_quote_fraction(t) for t in texts]),
        np.array([is_direct_quote(t) for t in texts]),
        np.array([t == t.lower() for t in texts]),
        np.array([any(c.isdigit() for c in t) for t in texts]),
        np.array([is_block(s) for s in sentences]),
    ]
    x = np.column_stack([np.asarray(c, dtype=np.float32) for c in dense])
    return np.hstack([x, emb, np.broadcast_to(centroid, emb.shape)]).astype(np.float32)


class ContextScorer(nn.Module):
    def __init__(
        self, dim: int, hidden: int = 64, heads: int = 2, dropout: float = 0.2, attention: bool = True
    ) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("scale", torch.ones(dim))
        self.project = nn.Sequential(nn.Dropout(dropout), nn.Linear(dim, hidden), nn.GELU())
        self.context = (
            nn.TransformerEncoderLayer(hidden, heads, dim_feedforward=2 * hidden, dropout=dropout, batch_first=True)
            if attention
            else None
        )
        self.out = nn.Linear(hidden, 2)  # [summary-worthiness, significance] logits

    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        """x: (batch, sentences, dim); pad: (batch, sentences) True where padding. -> (batch, sentences, 2)."""
        h = self.project((x - self.mean) / self.scale)
        if self.context is not None:
            h = self.context(h, src_key_padding_mask=pad)
        return self.out(h)


def _batch(items: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    longest = max(len(a) for a in items)
    x = np.zeros((len(items), longest, items[0].shape[1]), dtype=np.float32)
    pad = np.ones((len(items), longest), dtype=bool)
    for k, a in enumerate(items):
        x[k, : len(a)] = a
        pad[k, : len(a)] = False
    return torch.from_numpy(x), torch.from_numpy(pad)


def fit(
    inputs: list[np.ndarray],
    summary_targets: list[np.ndarray],
    significance_targets: list[np.ndarray],
    *,
    epochs: int = 5,
    batch: int = 16,
    seed: int = 0,
    significance_weight: float = 1.0,
    hidden: int = 32,
    dropout: float = 0.5,
    attention: bool = True,
    listwise: bool = False,
    weight_decay: float = 0.1,
) -> ContextScorer:
    """Targets per sentence: 1/0, or NaN where unlabelled (that task's loss skips the row)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    stacked = np.vstack(inputs)
    model = ContextScorer(stacked.shape[1], hidden=hidden, dropout=dropout, attention=attention)
    standardise_from(model, stacked)
    pos_weight = positive_weight(significance_targets)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=weight_decay)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(inputs))
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            x, pad = _batch([inputs[i] for i in idx])
            ys, _ = _batch([summary_targets[i][:, None] for i in idx])
            yg, _ = _batch([significance_targets[i][:, None] for i in idx])
            logits = model(x, pad)
            loss = _listwise(logits[..., 0], ys[..., 0], pad) if listwise else torch.zeros(())
            tasks = ((0, ys, 1.0, None), (1, yg, significance_weight, pos_weight))
            for column, y, weight, pw in tasks[1:] if listwise else tasks:
                loss = loss + weight * task_loss(logits, column, y, pad, pw)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    return model


def standardise_from(model: nn.Module, stacked: np.ndarray) -> None:
    """Set a scorer's input standardisation (its ``mean`` and ``scale`` buffers) from its training inputs."""
    model.mean.copy_(torch.from_numpy(stacked.mean(axis=0)))
    model.scale.copy_(torch.from_numpy(np.maximum(stacked.std(axis=0), 1e-3)))


def positive_weight(significance_targets: list[np.ndarray]) -> torch.Tensor:
    """Weight of a significance positive in the loss: the negative/positive ratio, at most 5 (NaN: unlabelled)."""
    sig = np.concatenate(significance_targets)
    return torch.tensor(min(float(np.nansum(1 - sig) / max(np.nansum(sig), 1.0)), 5.0))


def task_loss(
    logits: torch.Tensor, column: int, y: torch.Tensor, pad: torch.Tensor, pos_weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Binary cross-entropy of one task's logit column over the rows it labels (NaN: unlabelled); 0 if none."""
    mask = ~pad & ~torch.isnan(y[..., 0])
    if not mask.any():
        return torch.zeros(())
    return nn.functional.binary_cross_entropy_with_logits(
        logits[..., column][mask], y[..., 0][mask], pos_weight=pos_weight
    )


def _listwise(logits: torch.Tensor, y: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
    """Softmax cross-entropy per article over its labelled sentences, the oracle set as the target."""
    mask = ~pad & ~torch.isnan(y)
    target = torch.where(mask, torch.nan_to_num(y), 0.0)
    has = target.sum(dim=1) > 0
    if not has.any():
        return torch.zeros(())
    log_p = torch.log_softmax(logits.masked_fill(~mask, -1e4), dim=1)
    per_article = -(target * log_p).sum(dim=1) / target.sum(dim=1).clamp(min=1.0)
    return per_article[has].mean()


@torch.no_grad()
def predict(model: ContextScorer, x: np.ndarray) -> np.ndarray:
    """(n_sentences, 2) probabilities for one article."""
    t, pad = _batch([x])
    return torch.sigmoid(model(t, pad))[0].numpy()

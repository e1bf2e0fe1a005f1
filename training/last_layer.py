"""Tried (issue 15): the context scorer with a trainable token layer, the lever "fine-tune the encoder's top layers".

Two token layers, each read by ``benchmarks/finetune_scorer.py`` under cross-validation:

- ``finetune``: a copy of the encoder's last BERT layer, trained (small learning rate) on the token
  states that enter it, so the sentence vector it pools is tuned to the tasks;
- ``small``: a fresh 96-wide transformer layer over the encoder's final token states.

Either layer's mean-pooled vector joins the context scorer's per-sentence inputs
(``training/context_scorer.py``: dense features, embedding, centroid; one self-attention layer
across the article's sentences; two logits: summary-worthiness and significance).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
from torch import nn

from summarizer.text import Sentence

MAX_TOKENS = 128  # per sentence; longer sentences are truncated (the served encoder windows them)
BUCKET = 64  # sentences per length bucket when the token layer runs (little padding)


class BertLastLayer(nn.Module):
    """One post-LayerNorm BERT layer, initialised from a Hugging Face ``BertLayer``."""

    def __init__(self, hf_layer: nn.Module, heads: int) -> None:
        super().__init__()
        attention = hf_layer.attention
        self.q, self.k, self.v = (
            copy.deepcopy(m) for m in (attention.self.query, attention.self.key, attention.self.value)
        )
        self.o, self.norm1 = copy.deepcopy(attention.output.dense), copy.deepcopy(attention.output.LayerNorm)
        self.up, self.down = copy.deepcopy(hf_layer.intermediate.dense), copy.deepcopy(hf_layer.output.dense)
        self.norm2 = copy.deepcopy(hf_layer.output.LayerNorm)
        self.heads = heads

    def forward(self, h: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """h: (sentences, tokens, width); keep: (sentences, tokens), True on real tokens."""
        s, t, d = h.shape

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(s, t, self.heads, d // self.heads).transpose(1, 2)

        mask = keep[:, None, None, :]
        att = nn.functional.scaled_dot_product_attention(
            split(self.q(h)), split(self.k(h)), split(self.v(h)), attn_mask=mask
        )
        h = self.norm1(h + self.o(att.transpose(1, 2).reshape(s, t, d)))
        return self.norm2(h + self.down(nn.functional.gelu(self.up(h))))


class SmallLayer(nn.Module):
    """A fresh narrow transformer layer over the encoder's final token states."""

    def __init__(self, width: int = 96, source: int = 384) -> None:
        super().__init__()
        self.project = nn.Linear(source, width)
        self.layer = nn.TransformerEncoderLayer(width, 4, 2 * width, dropout=0.1, batch_first=True)

    def forward(self, h: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        return self.layer(self.project(h), src_key_padding_mask=~keep)


class TokenScorer(nn.Module):
    """The context scorer's inputs plus a pooled token-layer vector per sentence -> two logits."""

    def __init__(self, dim: int, token_layer: nn.Module | None, token_dim: int, hidden: int = 32, dropout: float = 0.5):
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("scale", torch.ones(dim))
        self.project = nn.Sequential(nn.Dropout(dropout), nn.Linear(dim, hidden))
        self.token_layer = token_layer
        self.token_dim = token_dim
        self.project_tokens = nn.Sequential(nn.Dropout(0.1), nn.Linear(token_dim, hidden)) if token_layer else None
        self.context = nn.TransformerEncoderLayer(hidden, 2, 2 * hidden, dropout=dropout, batch_first=True)
        self.out = nn.Linear(hidden, 2)  # [summary-worthiness, significance] logits

    def pooled(self, tokens: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """Mean of the token layer's outputs per sentence, run in length buckets."""
        assert self.token_layer is not None
        lengths = keep.sum(dim=1)
        order = torch.argsort(lengths)
        out = torch.zeros(tokens.shape[0], self.token_dim)
        for start in range(0, len(order), BUCKET):
            idx = order[start : start + BUCKET]
            longest = int(lengths[idx].max())
            k = keep[idx, :longest]
            h = self.token_layer(tokens[idx, :longest], k)
            weights = k[..., None].float()
            out[idx] = (h * weights).sum(dim=1) / weights.sum(dim=1)
        return out

    def forward(self, x: torch.Tensor, pad: torch.Tensor, tokens=None, keep=None) -> torch.Tensor:
        """x: (articles, sentences, dim); tokens/keep: every real sentence of the batch, row-major."""
        h = self.project((x - self.mean) / self.scale)
        if self.token_layer is not None and self.project_tokens is not None:
            grid = torch.zeros(*pad.shape, self.token_dim)
            grid[~pad] = self.pooled(tokens, keep)
            h = h + self.project_tokens(grid)
        return self.out(self.context(nn.functional.gelu(h), src_key_padding_mask=pad))


def stack_tokens(items: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-article (sentences, tokens, width) half tensors and keep masks -> one padded float batch."""
    longest = max(t.shape[1] for t, _ in items)
    tokens = torch.zeros(sum(t.shape[0] for t, _ in items), longest, items[0][0].shape[2])
    keep = torch.zeros(tokens.shape[:2], dtype=torch.bool)
    row = 0
    for t, k in items:
        tokens[row : row + t.shape[0], : t.shape[1]] = t.float()
        keep[row : row + t.shape[0], : t.shape[1]] = k
        row += t.shape[0]
    return tokens, keep


@torch.inference_mode()
def token_states(model: nn.Module, tokenizer, sentences: list[Sentence], path: Path) -> dict[str, np.ndarray]:
    """The token states entering the last layer (``h5``) and leaving it (``h6``), cached as half-precision .npz."""
    if path.exists():
        return dict(np.load(path))
    enc = tokenizer(
        [s.text for s in sentences], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
    )
    hidden = model(**enc, output_hidden_states=True).hidden_states
    out = {
        "h5": hidden[-2].half().numpy(),
        "h6": hidden[-1].half().numpy(),
        "keep": enc["attention_mask"].numpy().astype(bool),
    }
    np.savez(path, **out)
    return out

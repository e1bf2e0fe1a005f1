"""Per-sentence features for the learned heads, computed from the frozen encoder's embeddings.

The same functions serve training (tools/train_heads.py, benchmarks/quality.py) and inference
(summarizer/ranking.py), so the two can never disagree on what a feature means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from summarizer.selection.significance import CUE_PATTERNS, cue_score
from summarizer.text import Sentence

_QUOTE_CHARS = "\"“”‘’'"
_SAID_RE = re.compile(r"\b(?:said|says|told|according to|added|explained)\b", re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
_RANK_SLOTS = 6  # one-hot position among candidates: 0..4 and "5 or later"


def _quote_fraction(text: str) -> float:
    inside, quoted = False, 0
    for ch in text:
        if ch in '"“”':
            inside = not inside
        elif inside:
            quoted += 1
    return quoted / max(len(text), 1)


def _max_others(sim: np.ndarray) -> np.ndarray:
    if len(sim) < 2:
        return np.zeros(len(sim))
    masked = sim - 2.0 * np.eye(len(sim))
    return masked.max(axis=1)


def _common(sentences: Sequence[Sentence], emb: np.ndarray, candidates: Sequence[int]) -> tuple[list, list]:
    """Features shared by both heads: position, shape and similarity structure."""
    n = len(candidates)
    sim = emb @ emb.T
    centroid = emb.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    centrality = emb @ centroid
    lead_sim = sim[:, 0]
    mean_sim = (sim.sum(axis=1) - 1.0) / max(n - 1, 1)
    max_other = _max_others(sim)
    total = max(len(sentences), 1)
    cols, names = [], []
    rank = np.arange(n)
    for slot in range(_RANK_SLOTS):
        hit = rank == slot if slot < _RANK_SLOTS - 1 else rank >= slot
        cols.append(hit.astype(np.float32))
        names.append(f"rank_{slot}")
    rows = [sentences[i] for i in candidates]
    words = np.array([s.words for s in rows], dtype=np.float32)
    cols += [
        np.log1p(rank),
        np.array([s.index / total for s in rows]),
        np.array([s.position_in_paragraph == 0 for s in rows], dtype=np.float32),
        np.log1p([s.paragraph for s in rows]),
        np.log1p(words),
        (words > 40).astype(np.float32),
        (words < 10).astype(np.float32),
        centrality,
        lead_sim,
        mean_sim,
        max_other,
        np.array([_quote_fraction(s.text) for s in rows]),
        np.array([s.text[:1] in _QUOTE_CHARS for s in rows], dtype=np.float32),
        np.array([bool(_SAID_RE.search(s.text)) for s in rows], dtype=np.float32),
        np.array([bool(_DIGIT_RE.search(s.text)) for s in rows], dtype=np.float32),
        np.array([s.text == s.text.lower() for s in rows], dtype=np.float32),
        np.full(n, np.log1p(n), dtype=np.float32),
    ]
    names += [
        "log_rank",
        "relative_position",
        "paragraph_lead",
        "log_paragraph",
        "log_words",
        "long",
        "short",
        "centrality",
        "lead_similarity",
        "mean_similarity",
        "max_similarity_other",
        "quote_fraction",
        "starts_with_quote",
        "attribution",
        "has_digit",
        "lowercase",
        "log_candidates",
    ]
    return cols, names


def summary_features(
    sentences: Sequence[Sentence],
    embeddings: np.ndarray,
    candidates: Sequence[int],
    title_embedding: np.ndarray | None,
) -> tuple[np.ndarray, list[str]]:
    """Matrix (len(candidates), n_features) for the summary head, and the feature names."""
    emb = embeddings[list(candidates)]
    cols, names = _common(sentences, emb, candidates)
    has_title = title_embedding is not None
    cols += [
        emb @ title_embedding if has_title else np.zeros(len(candidates)),
        np.full(len(candidates), float(has_title)),
    ]
    names += ["title_similarity", "has_title"]
    dense = np.column_stack(cols).astype(np.float32)
    names += [f"emb_{k}" for k in range(emb.shape[1])]
    return np.hstack([dense, emb.astype(np.float32)]), names


def bullet_features(
    sentences: Sequence[Sentence],
    embeddings: np.ndarray,
    candidates: Sequence[int],
    summary: Sequence[int],
    prototype_embeddings: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    """Matrix (len(candidates), n_features) for the bullet head, and the feature names."""
    emb = embeddings[list(candidates)]
    cols, names = _common(sentences, emb, candidates)
    proto = emb @ prototype_embeddings.T
    summary_emb = embeddings[list(summary)] if summary else None
    to_summary = (emb @ summary_emb.T).max(axis=1) if summary_emb is not None else np.zeros(len(candidates))
    texts = [sentences[i].text for i in candidates]
    cols += [
        proto.max(axis=1),
        proto.mean(axis=1),
        to_summary,
        np.array([cue_score(t) for t in texts]),
        np.array([sentences[i].section == "why_it_matters" for i in candidates], dtype=np.float32),
    ]
    names += ["prototype_max", "prototype_mean", "summary_similarity", "cue_score", "own_section"]
    for k, (rx, _) in enumerate(CUE_PATTERNS):
        cols.append(np.array([bool(rx.search(t)) for t in texts], dtype=np.float32))
        names.append(f"cue_{k}")
    cols += [proto[:, k] for k in range(proto.shape[1])]
    names += [f"prototype_{k}" for k in range(proto.shape[1])]
    dense = np.column_stack(cols).astype(np.float32)
    names += [f"emb_{k}" for k in range(emb.shape[1])]
    return np.hstack([dense, emb.astype(np.float32)]), names

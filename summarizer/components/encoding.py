"""One encoder pass for a whole batch: every sentence and title of every article, whatever its options."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.components.prepare import PreparedArticle
from summarizer.models.encoder import Encoder


@dataclass(frozen=True)
class EncodedArticle:
    embeddings: np.ndarray  # one unit-length row per sentence
    title_embedding: np.ndarray | None


def encode_articles(encoder: Encoder, articles: Sequence[PreparedArticle]) -> list[EncodedArticle]:
    """Sentence and title embeddings of every article, from one shared ``encoder.encode`` call."""
    batch: list[str] = []
    for a in articles:
        batch.extend(s.text for s in a.sentences)
        if a.title:
            batch.append(a.title)
    embeddings = encoder.encode(batch)
    out = []
    offset = 0
    for a in articles:
        n = len(a.sentences)
        title = embeddings[offset + n] if a.title else None
        out.append(EncodedArticle(embeddings[offset : offset + n], title))
        offset += n + (1 if a.title else 0)
    return out


def encode_timed(encoder: Encoder, articles: Sequence[PreparedArticle]) -> tuple[list[EncodedArticle], float]:
    """``encode_articles`` and its milliseconds per article (the shared pass, split evenly)."""
    started = time.perf_counter()
    encoded = encode_articles(encoder, articles)
    return encoded, (time.perf_counter() - started) * 1000 / max(len(articles), 1)

"""Test doubles shared by the library and service tests: a fast deterministic encoder, and summarizers around it."""

from __future__ import annotations

import re
import zlib

import numpy as np

from summarizer import Settings, Summarizer
from summarizer.backends.abstractive import AbstractiveBackend
from summarizer.backends.extractive import ExtractiveBackend
from summarizer.components.shared import SharedModels
from summarizer.models.seq2seq import Seq2SeqModel


class HashingEncoder:
    """Bag-of-words embeddings via hashed, lower-cased tokens: similar wording -> similar vectors."""

    name = "fake-hashing-encoder"
    device = "cpu"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                out[row, zlib.crc32(token.encode()) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm == 0:
                out[row, 0] = 1.0
            else:
                out[row] /= norm
        return out


def make_summarizer(encoder: object, settings: Settings | None = None) -> Summarizer:
    """An extractive summarizer around ``encoder`` (prototypes encoded, heads loaded as the settings say)."""
    settings = settings or Settings()
    return Summarizer(ExtractiveBackend(SharedModels.build(encoder, settings), settings))  # type: ignore[arg-type]


def make_abstractive(encoder: object, generator: Seq2SeqModel, settings: Settings | None = None) -> Summarizer:
    """An abstractive summarizer: ``generator`` writes, ``encoder`` selects bullets and attributes."""
    settings = settings or Settings()
    models = SharedModels.build(encoder, settings)  # type: ignore[arg-type]
    return Summarizer(AbstractiveBackend(models, generator, settings))

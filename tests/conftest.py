"""Shared fixtures: a fast deterministic fake encoder, and the real embedded model once per session."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch

from summarizer import Settings, Summarizer

# One thread: CI machines are small and noisy; oversubscription only slows tests down.
torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "seeds" / "000_05444940e5ccca5a.txt"


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


@pytest.fixture
def fake_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture
def fake_summarizer(fake_encoder: HashingEncoder) -> Summarizer:
    return Summarizer(fake_encoder, Settings(max_text_chars=50_000))


@pytest.fixture(scope="session")
def real_summarizer() -> Summarizer:
    """The embedded all-MiniLM-L6-v2, loaded once for the whole test session."""
    return Summarizer.load(settings=Settings(device="cpu"))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")

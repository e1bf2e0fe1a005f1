"""Shared fixtures: a fast deterministic fake encoder, the real embedded model and tiny seq2seq checkpoints
(each built once per session), and clean settings for tests that touch SUMMARIZER_* variables."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from fakes import HashingEncoder, make_summarizer

from summarizer import Settings, Summarizer
from summarizer.config import get_settings

# One thread: CI machines are small and noisy; oversubscription only slows tests down.
torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "seeds" / "000_05444940e5ccca5a.txt"


@pytest.fixture
def fake_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture
def fake_summarizer(fake_encoder: HashingEncoder) -> Summarizer:
    return make_summarizer(fake_encoder, Settings(max_text_chars=50_000))


@pytest.fixture(scope="session")
def real_summarizer() -> Summarizer:
    """The embedded all-MiniLM-L6-v2, loaded once for the whole test session."""
    return Summarizer.load(settings=Settings(device="cpu"))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings are cached per process; tests that touch SUMMARIZER_* must not leak into others."""
    for name in list(os.environ):
        if name.startswith("SUMMARIZER_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def tiny_seq2seq(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Directory of a tiny random-weight checkpoint ("bart" or "t5") from tools/make_tiny_seq2seq.py, built
    the first time a test asks for that family."""
    spec = importlib.util.spec_from_file_location("make_tiny_seq2seq", ROOT / "tools" / "make_tiny_seq2seq.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    root = tmp_path_factory.mktemp("seq2seq")
    built: dict[str, Path] = {}

    def get(family: str) -> Path:
        if family not in built:
            built[family] = module.make_tiny_seq2seq(root / f"tiny-{family}", family)
        return built[family]

    return get

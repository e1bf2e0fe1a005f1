"""Loading a local language model: what is refused, and how."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.errors import ModelLoadError
from summarizer.models.local_llm import checkpoint_dir


def test_a_file_named_gguf_that_is_not_one_is_a_clean_load_error(tmp_path: Path) -> None:
    pytest.importorskip("gguf")
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="not a usable GGUF model"):
        checkpoint_dir(str(fake), Settings(cache_dir=tmp_path / "cache"))


def test_pickled_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ModelLoadError, match="pickled weights are refused"):
        checkpoint_dir(str(tmp_path), Settings())

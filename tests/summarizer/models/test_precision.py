"""Precision is chosen from the hardware, never assumed, and can be forced by a setting."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from summarizer.errors import ModelLoadError
from summarizer.models.device import resolve_dtype
from summarizer.models.encoder import TransformerEncoder

CPU = torch.device("cpu")


@pytest.mark.parametrize(
    ("name", "dtype"), [("float32", torch.float32), ("bfloat16", torch.bfloat16), ("float16", torch.float16)]
)
def test_explicit_precision_wins(name: str, dtype: torch.dtype) -> None:
    assert resolve_dtype(name, CPU) is dtype


def test_unknown_precision_is_a_clear_error() -> None:
    with pytest.raises(ModelLoadError, match="unknown precision"):
        resolve_dtype("int3", CPU)


def test_auto_on_cuda_is_float16() -> None:
    assert resolve_dtype("auto", torch.device("cuda")) is torch.float16


def test_auto_on_cpu_resolves_to_float32_the_encoder_times_its_paths_instead() -> None:
    assert resolve_dtype("auto", CPU) is torch.float32


@pytest.mark.model
def test_bfloat16_encoder_agrees_with_float32() -> None:
    sentences = ["The central bank cut interest rates.", "Rain is expected tomorrow."]
    fp32 = TransformerEncoder.load(device="cpu", precision="float32").encode(sentences)
    bf16_encoder = TransformerEncoder.load(device="cpu", precision="bfloat16")
    assert bf16_encoder.precision == "bfloat16"
    bf16 = bf16_encoder.encode(sentences)
    assert bf16.dtype == np.float32
    cosine = (fp32 * bf16).sum(axis=1)
    assert np.all(cosine > 0.99)

"""Precision is chosen from the hardware, never assumed, and can be forced by a setting."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from summarizer.errors import ModelLoadError
from summarizer.models import device as device_module
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


def test_auto_cpu_without_bf16_flags_is_float32(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device_module, "_cpu_flags", lambda: {"avx2", "fma"})
    monkeypatch.setattr(device_module, "_bf16_matmul_speedup", lambda: pytest.fail("no benchmark without flags"))
    assert resolve_dtype("auto", CPU) is torch.float32


@pytest.mark.parametrize(("speedup", "dtype"), [(4.0, torch.bfloat16), (1.1, torch.float32)])
def test_auto_cpu_with_bf16_flags_trusts_the_measurement(
    monkeypatch: pytest.MonkeyPatch, speedup: float, dtype: torch.dtype
) -> None:
    monkeypatch.setattr(device_module, "_cpu_flags", lambda: {"avx512f", "avx512_bf16", "amx_bf16"})
    monkeypatch.setattr(device_module, "_bf16_matmul_speedup", lambda: speedup)
    assert resolve_dtype("auto", CPU) is dtype


def test_speedup_measurement_returns_a_positive_ratio() -> None:
    assert device_module._bf16_matmul_speedup(size=32, repeats=1) > 0


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

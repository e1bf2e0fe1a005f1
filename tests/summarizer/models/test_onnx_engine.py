"""The ONNX Runtime engine: same embeddings as torch, int8 close to them, a verified on-disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from summarizer import ModelLoadError
from summarizer.models import onnx_engine
from summarizer.models.encoder import TransformerEncoder, _choose_onnx

CPU, CUDA = torch.device("cpu"), torch.device("cuda")
SENTENCES = [
    "The central bank cut interest rates by half a point on Thursday.",
    "Heavy rain flooded several streets in the old town.",
    "Shares rose.",
    " ".join(["The committee discussed the budget at length"] * 40),  # longer than one window
]


def test_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_engine, "available", lambda: True)
    assert _choose_onnx("auto", False, CPU, torch.float32)
    assert not _choose_onnx("auto", False, CPU, torch.bfloat16)  # bf16 stays in torch
    assert not _choose_onnx("auto", False, CUDA, torch.float16)
    assert not _choose_onnx("torch", False, CPU, torch.float32)
    assert _choose_onnx("onnx", False, CPU, torch.float32)
    assert _choose_onnx("auto", True, CPU, torch.float32)
    with pytest.raises(ModelLoadError, match="CPU only"):
        _choose_onnx("onnx", False, CUDA, torch.float32)
    with pytest.raises(ModelLoadError, match="needs the ONNX Runtime engine"):
        _choose_onnx("torch", True, CPU, torch.float32)
    with pytest.raises(ModelLoadError, match="unknown engine"):
        _choose_onnx("tensorrt", False, CPU, torch.float32)


@pytest.mark.model
def test_auto_without_onnxruntime_times_only_torch_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(onnx_engine, "available", lambda: False)
    encoder = TransformerEncoder.load(device="cpu", precision="auto", cache_dir=tmp_path)
    assert encoder.engine == "torch" and encoder.engine_choice is not None
    assert encoder.engine_choice.timings_ms and all(k.startswith("torch/") for k in encoder.engine_choice.timings_ms)


def test_without_onnxruntime_auto_falls_back_and_int8_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_engine, "available", lambda: False)
    assert not _choose_onnx("auto", False, CPU, torch.float32)
    with pytest.raises(ModelLoadError, match="onnxruntime is not installed"):
        _choose_onnx("auto", True, CPU, torch.float32)


@pytest.mark.model
def test_onnx_matches_torch_and_its_cache_is_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # float32 on both sides: on a CPU with native bf16, "auto" would give torch bfloat16 (a looser match).
    reference = TransformerEncoder.load(device="cpu", engine="torch", precision="float32").encode(SENTENCES)
    encoder = TransformerEncoder.load(device="cpu", engine="onnx", precision="float32", cache_dir=tmp_path)
    assert (encoder.engine, encoder.precision) == ("onnxruntime", "float32")
    np.testing.assert_allclose(encoder.encode(SENTENCES), reference, atol=1e-4)

    # A second load reuses the verified file: no export.
    def no_export(*args: object, **kwargs: object) -> None:
        raise AssertionError("exported again although the cache is valid")

    real_export = onnx_engine._export
    monkeypatch.setattr(onnx_engine, "_export", no_export)
    TransformerEncoder.load(device="cpu", engine="onnx", precision="float32", cache_dir=tmp_path)

    # A damaged file fails its checksum and is rebuilt, never run.
    graph = next(tmp_path.glob("*.onnx"))
    graph.write_bytes(graph.read_bytes()[:1000])
    calls = []
    monkeypatch.setattr(onnx_engine, "_export", lambda *a, **k: (calls.append(1), real_export(*a, **k)))
    rebuilt = TransformerEncoder.load(device="cpu", engine="onnx", precision="float32", cache_dir=tmp_path)
    assert calls == [1]
    np.testing.assert_allclose(rebuilt.encode(SENTENCES), reference, atol=1e-4)


@pytest.mark.model
def test_int8_stays_close_to_float32(tmp_path: Path) -> None:
    # float32 on both sides: on a CPU with native bf16, "auto" would give torch bfloat16 (a looser match).
    reference = TransformerEncoder.load(device="cpu", engine="torch", precision="float32").encode(SENTENCES)
    encoder = TransformerEncoder.load(device="cpu", precision="int8", cache_dir=tmp_path)
    assert (encoder.engine, encoder.precision) == ("onnxruntime", "int8")
    cosine = (encoder.encode(SENTENCES) * reference).sum(axis=1)
    assert cosine.min() > 0.97 and cosine.mean() > 0.98


@pytest.mark.model
def test_float32_groups_give_each_window_what_it_gets_alone() -> None:
    """fp32 windows run in padded length groups; the padding is masked, so grouping changes nothing."""
    encoder = TransformerEncoder.load(device="cpu", engine="onnx", precision="float32")
    runner = encoder.runner
    assert runner is not None and not runner.quantized
    rng = np.random.default_rng(0)
    windows = [[101, *rng.integers(1000, 29000, size=int(n)).tolist(), 102] for n in rng.integers(3, 120, size=40)]
    alone = np.vstack([runner._group_sums([w]) for w in windows])
    grouped = runner.token_sums(windows)
    assert len({len(w) for w in windows}) > 10  # groups of several lengths, so padding is exercised
    np.testing.assert_allclose(grouped, alone, rtol=1e-4, atol=1e-3)

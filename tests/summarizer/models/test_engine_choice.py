"""precision=auto on a CPU: the encoder's paths are timed end to end, the fastest kept and cached per machine."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.models import engine_choice
from summarizer.models.encoder import TransformerEncoder
from summarizer.models.engine_choice import Candidate, choose, cpu_candidates, machine_key


class SleepyEncoder:
    """An encoder whose cost is a fixed sleep: the choice must follow the measured time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls = 0

    def encode(self, texts: list[str]) -> None:
        self.calls += 1
        time.sleep(self.seconds)


def test_candidates_follow_the_hardware_and_what_is_installed() -> None:
    labels = [c.label for c in cpu_candidates(native_bf16=False, onnx=False)]
    assert labels == ["torch/float32"]
    labels = [c.label for c in cpu_candidates(native_bf16=True, onnx=True)]
    assert labels == ["torch/float32", "torch/bfloat16", "onnx/float32"]  # int8 fails the quality guard


def test_the_fastest_end_to_end_wins_and_is_cached(tmp_path: Path) -> None:
    costs = {"torch/float32": 0.006, "torch/bfloat16": 0.004, "onnx/int8": 0.001}
    candidates = [Candidate(*label.split("/")) for label in costs]
    built: list[str] = []

    def build(c: Candidate) -> SleepyEncoder:
        built.append(c.label)
        return SleepyEncoder(costs[c.label])

    cache = tmp_path / "engine_choice.json"
    winner, record, encoder = choose(candidates, build, cache, "machine-a")
    assert winner.label == record.chosen == "onnx/int8" and record.source == "measured"
    assert set(record.timings_ms) == set(costs)
    assert record.timings_ms["onnx/int8"] < record.timings_ms["torch/bfloat16"] < record.timings_ms["torch/float32"]
    assert encoder.calls == engine_choice.WARMUP_CALLS + engine_choice.ROUNDS  # warm-up, then interleaved rounds
    assert json.loads(cache.read_text())["machine-a"]["chosen"] == "onnx/int8"

    built.clear()
    again, cached, _ = choose(candidates, build, cache, "machine-a")
    assert again.label == "onnx/int8" and cached.source == "cached" and built == ["onnx/int8"]  # nothing timed
    _, other, _ = choose(candidates, build, cache, "machine-b")  # another machine measures for itself
    assert other.source == "measured"


def test_a_path_that_fails_to_build_is_left_out_but_the_first_must_build(tmp_path: Path) -> None:
    candidates = [Candidate("torch", "float32"), Candidate("onnx", "int8")]

    def build(c: Candidate) -> SleepyEncoder:
        if c.engine == "onnx":
            raise RuntimeError("export failed")
        return SleepyEncoder(0.0)

    winner, record, _ = choose(candidates, build, tmp_path / "c.json", "k")
    assert winner.label == "torch/float32" and list(record.timings_ms) == ["torch/float32"]

    def broken(c: Candidate) -> SleepyEncoder:
        raise RuntimeError("no model")

    with pytest.raises(RuntimeError, match="no model"):
        choose(candidates, broken, tmp_path / "d.json", "k")


def test_a_corrupt_cache_is_measured_again(tmp_path: Path) -> None:
    cache = tmp_path / "engine_choice.json"
    cache.write_text("{not json")
    _, record, _ = choose([Candidate("torch", "float32")], lambda c: SleepyEncoder(0.0), cache, "k")
    assert record.source == "measured" and json.loads(cache.read_text())["k"]["chosen"] == "torch/float32"


def test_the_machine_key_changes_with_threads_versions_and_model() -> None:
    base = machine_key("weights-1", 2, {"torch": "2.13.0"})
    assert base == machine_key("weights-1", 2, {"torch": "2.13.0"})
    assert (
        len(
            {
                base,
                machine_key("weights-2", 2, {"torch": "2.13.0"}),
                machine_key("weights-1", 4, {"torch": "2.13.0"}),
                machine_key("weights-1", 2, {"torch": "2.14.0"}),
                machine_key("weights-1", 2, {"torch": "2.13.0"}, ["torch/float32", "onnx/float32"]),
                machine_key("weights-1", 2, {"torch": "2.13.0"}, ["torch/float32"]),
            }
        )
        == 6
    )
    # The order the candidates come in does not matter, which ones do.
    assert machine_key("w", 2, {}, ["a", "b"]) == machine_key("w", 2, {}, ["b", "a"])


@pytest.fixture
def own_choice_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A choice file of this test run only, in the usual cache folder (the exported graphs stay there:
    exporting again costs a minute); unique per run, so one left by a failed run never answers."""
    name = f"engine_choice-test-{uuid.uuid4().hex}.json"
    monkeypatch.setattr(engine_choice, "CHOICE_FILE", name)
    path = Path.home() / ".cache" / "summarizer" / "onnx" / name
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.model
def test_the_real_encoder_times_every_path_this_cpu_has(tmp_path: Path, own_choice_file: Path) -> None:
    encoder = TransformerEncoder.load(device="cpu", precision="auto")
    record = encoder.engine_choice
    assert record is not None and record.source == "measured"
    assert "torch/float32" in record.timings_ms and record.chosen in record.timings_ms
    assert record.timings_ms[record.chosen] == min(record.timings_ms.values())
    assert f"{encoder.engine.replace('onnxruntime', 'onnx')}/{encoder.precision}" == record.chosen
    again = TransformerEncoder.load(device="cpu", precision="auto")
    stored = own_choice_file.read_text() if own_choice_file.exists() else "no file"
    assert again.engine_choice is not None and again.engine_choice.source == "cached", stored
    assert again.engine_choice.chosen == record.chosen
    torch_only = TransformerEncoder.load(device="cpu", precision="auto", engine="torch", cache_dir=tmp_path)
    assert torch_only.engine == "torch" and torch_only.engine_choice is not None
    assert all(label.startswith("torch/") for label in torch_only.engine_choice.timings_ms)


def test_resolve_reads_the_cache_and_falls_back_to_fp32_when_timing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "model.safetensors").write_bytes(b"weights")
    candidates = [Candidate("torch", "float32"), Candidate("torch", "bfloat16")]
    key = engine_choice.key_for(model_dir, candidates)
    (tmp_path / engine_choice.CHOICE_FILE).write_text(
        json.dumps({key: {"chosen": "torch/bfloat16", "timings_ms": {"torch/bfloat16": 1.0}}})
    )
    cached = engine_choice.resolve(model_dir, tmp_path, candidates)
    assert (cached.chosen, cached.source) == ("torch/bfloat16", "cached")
    # The same machine and model with other candidates is another key: a torch-only choice never answers for auto.
    assert engine_choice.key_for(model_dir, [*candidates, Candidate("onnx", "float32")]) != key

    def broken_child(*args, **kwargs):
        raise subprocess.CalledProcessError(1, args[0], stderr="boom")

    monkeypatch.setattr(engine_choice.subprocess, "run", broken_child)
    fallback = engine_choice.resolve(model_dir, tmp_path / "elsewhere", candidates)
    assert (fallback.chosen, fallback.source) == ("torch/float32", "fallback")

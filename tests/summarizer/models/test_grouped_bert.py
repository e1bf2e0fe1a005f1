"""The grouped CPU forward pass computes what the Hugging Face BertModel computes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from fakes import tiny_bert
from transformers import BertModel

from summarizer import Summarizer
from summarizer.models.encoder import TransformerEncoder, embedded_model_dir, load_transformers_model
from summarizer.models.grouped_bert import GroupedBert, plan_groups, supports


def _reference_sums(model: BertModel, windows: list[list[int]]) -> np.ndarray:
    """Hugging Face forward, one window at a time (no padding at all), summed over tokens."""
    with torch.inference_mode():
        return np.stack(
            [model(input_ids=torch.tensor([w])).last_hidden_state[0].float().sum(0).numpy() for w in windows]
        )


def _windows(count: int, seed: int = 1) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [rng.integers(1, 120, size=int(rng.integers(2, 60))).tolist() for _ in range(count)]


@pytest.mark.parametrize("lengths", [[5], [3, 3, 3], [40, 7, 56, 12, 12, 33, 7, 50, 2, 64, 9, 31], list(range(1, 90))])
@pytest.mark.parametrize("chunk", [16, 64, 2048])
def test_plan_covers_every_window_once_in_tight_groups(lengths: list[int], chunk: int) -> None:
    chunks = plan_groups(lengths, waste=0.1, chunk_tokens=chunk)
    flat = [w for c in chunks for g in c for w in g]
    assert sorted(flat) == list(range(len(lengths)))
    for c in chunks:
        sizes = [len(g) * max(lengths[w] for w in g) for g in c]
        assert sum(sizes) <= chunk or len(c) == 1  # only a group bigger than a chunk stands alone over it
        for g in c:
            padded = len(g) * max(lengths[w] for w in g)
            assert padded - sum(lengths[w] for w in g) <= 0.1 * padded or len(g) == 1


@pytest.mark.parametrize("chunk", [8, 100, 2048])
def test_grouped_sums_equal_the_transformers_forward_in_float32(chunk: int) -> None:
    model = tiny_bert()
    windows = _windows(30)
    grouped = GroupedBert.from_model(model, chunk_tokens=chunk)
    np.testing.assert_allclose(grouped.token_sums(windows), _reference_sums(model, windows), rtol=1e-4, atol=1e-4)


def test_grouped_sums_in_bfloat16_stay_close_to_float32() -> None:
    model = tiny_bert()
    windows = _windows(20, seed=2)
    reference = _reference_sums(model, windows)
    grouped = GroupedBert.from_model(model.to(torch.bfloat16))
    assert grouped.dtype == torch.bfloat16
    got = grouped.token_sums(windows)
    cosine = (got * reference).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(reference, axis=1)
    assert cosine.min() > 0.999


def test_a_window_does_not_depend_on_its_neighbours() -> None:
    model = tiny_bert()
    windows = _windows(12, seed=3)
    alone = GroupedBert.from_model(model).token_sums(windows[:1])
    mixed = GroupedBert.from_model(model).token_sums(windows)
    np.testing.assert_allclose(mixed[:1], alone, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "overrides", [{"hidden_act": "relu"}, {"position_embedding_type": "relative_key"}, {"is_decoder": True}]
)
def test_other_architectures_are_not_claimed(overrides: dict) -> None:
    model = tiny_bert(**overrides)
    assert not supports(model)
    with pytest.raises(ValueError):
        GroupedBert.from_model(model)
    with pytest.raises(ValueError):
        GroupedBert(model.config.to_dict(), model.state_dict())


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_a_checkpoint_read_from_disk_runs_as_the_loaded_model(tmp_path: Path, dtype: torch.dtype) -> None:
    model = tiny_bert()
    model.save_pretrained(tmp_path, safe_serialization=True)
    windows = _windows(25, seed=4)
    from_disk = GroupedBert.from_directory(tmp_path, dtype)
    assert from_disk.dtype == dtype
    loaded = GroupedBert.from_model(model.to(dtype))
    np.testing.assert_array_equal(from_disk.token_sums(windows), loaded.token_sums(windows))


def test_a_task_checkpoint_names_its_encoder_bert(tmp_path: Path) -> None:
    """BertForMaskedLM and the like store the encoder under "bert."; the pass finds it there."""
    model = tiny_bert()
    weights = {f"bert.{k}": v for k, v in model.state_dict().items()}
    windows = _windows(5, seed=5)
    prefixed = GroupedBert(model.config.to_dict(), weights)
    np.testing.assert_array_equal(prefixed.token_sums(windows), GroupedBert.from_model(model).token_sums(windows))


def test_a_checkpoint_missing_a_tensor_is_refused_by_name() -> None:
    model = tiny_bert()
    weights = {k: v for k, v in model.state_dict().items() if "layer.1.output.dense.bias" not in k}
    with pytest.raises(ValueError, match=r"encoder\.layer\.1\.output\.dense\.bias"):
        GroupedBert(model.config.to_dict(), weights)


@pytest.mark.model
def test_embedded_encoder_runs_grouped_on_cpu_and_matches_transformers(real_summarizer: Summarizer) -> None:
    served = real_summarizer.backend.models.encoder  # type: ignore[attr-defined]
    assert isinstance(served, TransformerEncoder)
    encoder = TransformerEncoder.load(device="cpu", precision="float32", engine="torch")
    assert encoder.grouped is not None and encoder.model is None  # read from the checkpoint, no transformers model
    sentences = [
        "The central bank cut interest rates by half a point on Thursday.",
        "Shares rose.",
        " ".join(["The committee discussed the budget at length"] * 40),  # several windows
    ]
    model = load_transformers_model(embedded_model_dir(), torch.float32)
    reference = TransformerEncoder(
        model, encoder.tokenizer, name="hf", device=torch.device("cpu"), max_seq_length=256, batch_size=64
    )
    reference.grouped = None  # the Hugging Face forward, padded batches
    np.testing.assert_allclose(encoder.encode(sentences), reference.encode(sentences), atol=1e-5)


@pytest.mark.model
def test_the_served_encoder_never_imports_the_transformers_model_classes() -> None:
    """What keeps the service under its memory target: importing modeling_bert alone costs ~120 MB."""
    code = (
        "import sys\n"
        "from summarizer.models.encoder import TransformerEncoder\n"
        "e = TransformerEncoder.load(device='cpu', precision='float32', engine='torch')\n"
        "e.encode(['One sentence.', 'Another one here.'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('transformers.models.bert.modeling')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"

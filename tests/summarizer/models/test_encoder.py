"""The transformer encoder (real model, marked) and the loading and device rules (no model needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from tolerances import batching_atol

from summarizer import ModelLoadError, Summarizer
from summarizer.models.device import resolve_device
from summarizer.models.encoder import Encoder, TransformerEncoder, embedded_model_dir, load_transformers_model

# -- the embedded model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encoder(real_summarizer: Summarizer) -> TransformerEncoder:
    enc = real_summarizer.backend.models.encoder  # type: ignore[attr-defined]
    assert isinstance(enc, TransformerEncoder)
    return enc


@pytest.mark.model
def test_embeddings_are_unit_length_rows_in_input_order(encoder: TransformerEncoder) -> None:
    texts = [
        "The cat sat on the mat.",
        "Stock markets fell sharply on Tuesday after the central bank raised interest rates again.",
        "",  # empty input still gets a row
        "\u200b",
        "The cat sat on the mat.",
    ]
    emb = encoder.encode(texts)
    assert isinstance(encoder, Encoder)
    assert emb.shape == (len(texts), 384) == (len(texts), encoder.dimension)
    assert emb.dtype == np.float32
    assert np.all(np.isfinite(emb))
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    # Rows follow the input order even though batches are length-sorted inside.
    np.testing.assert_allclose(emb[0], emb[4], atol=1e-5)
    single = encoder.encode([texts[1]])[0]
    np.testing.assert_allclose(emb[1], single, atol=1e-4)
    assert encoder.encode([]).shape == (0, encoder.dimension)


@pytest.mark.model
def test_paraphrase_is_closer_than_an_unrelated_sentence(encoder: TransformerEncoder) -> None:
    a, paraphrase, unrelated = encoder.encode(
        [
            "The government raised taxes on fuel this week.",
            "This week the state increased the tax on petrol.",
            "The recipe needs two eggs and a cup of flour.",
        ]
    )
    assert float(a @ paraphrase) > float(a @ unrelated) + 0.2


@pytest.mark.model
def test_long_sentence_is_encoded_whole(encoder: TransformerEncoder) -> None:
    head = " ".join(["The council debated the city budget for hours"] * 25)  # 200 words
    tail = " ".join(["Astronauts repaired the telescope while orbiting the moon"] * 225)  # 1800 words
    long = head + " " + tail
    assert len(long.split()) == 2000
    emb = encoder.encode([long, head, tail])
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    long_emb, head_emb, tail_emb = emb
    # Windows past the first one count: nine tenths of the words are the tail, so the embedding is
    # close to the tail's and far from the first 200 words' (a truncating encoder gives ~0.9 to the head).
    assert float(long_emb @ head_emb) < 0.7
    assert float(long_emb @ tail_emb) > 0.9


@pytest.mark.model
def test_real_summarizer_runs_on_cpu(real_summarizer: Summarizer) -> None:
    info = real_summarizer.describe()
    assert (info.backend, info.model, info.device) == ("extractive", "all-MiniLM-L6-v2", "cpu")


# -- loading ------------------------------------------------------------------------------------


def test_load_missing_directory_names_the_path() -> None:
    with pytest.raises(ModelLoadError) as info:
        TransformerEncoder.load("/nonexistent", device="cpu")
    assert "/nonexistent" in str(info.value)
    assert info.value.code == "model_load_failed"


def test_load_refuses_pickled_weights(tmp_path: Path) -> None:
    (tmp_path / "pytorch_model.bin").write_bytes(b"")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelLoadError) as info:
        TransformerEncoder.load(tmp_path, device="cpu")
    assert "safetensors" in str(info.value)
    assert str(tmp_path) in str(info.value)


def test_load_refuses_a_file_instead_of_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"")
    with pytest.raises(ModelLoadError):
        TransformerEncoder.load(path, device="cpu")


def test_load_wraps_broken_safetensors_directories(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not really safetensors")
    with pytest.raises(ModelLoadError) as info:
        TransformerEncoder.load(tmp_path, device="cpu")
    assert str(tmp_path) in str(info.value)


# -- devices ------------------------------------------------------------------------------------


def test_auto_device_is_cpu_without_accelerators() -> None:
    if torch.cuda.is_available() or torch.backends.mps.is_available():
        pytest.skip("an accelerator is available")
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("") == torch.device("cpu")
    assert resolve_device(None) == torch.device("cpu")  # type: ignore[arg-type]


def test_explicit_cpu() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(" CPU ") == torch.device("cpu")


def test_cuda_without_cuda_is_refused() -> None:
    if torch.cuda.is_available():
        pytest.skip("CUDA is available")
    for name in ("cuda", "cuda:0"):
        with pytest.raises(ModelLoadError) as info:
            resolve_device(name)
        assert "CUDA" in str(info.value)


def test_mps_without_mps_is_refused() -> None:
    if torch.backends.mps.is_available():
        pytest.skip("MPS is available")
    with pytest.raises(ModelLoadError):
        resolve_device("mps")


@pytest.mark.parametrize("name", ["bogus", "gpu", "cuda:x"])
def test_unknown_device_is_refused(name: str) -> None:
    with pytest.raises(ModelLoadError) as info:
        resolve_device(name)
    assert name in str(info.value)


def _bare_encoder(batch_tokens: int, batch_size: int = 64) -> TransformerEncoder:
    return TransformerEncoder(
        object(),  # never run: these tests plan batches only
        None,
        config={"max_position_embeddings": 512, "hidden_size": 8},
        name="bare",
        device=torch.device("cpu"),
        max_seq_length=256,
        batch_size=batch_size,
        batch_tokens=batch_tokens,
    )


def test_batches_cover_every_window_once_within_the_token_budget() -> None:
    lengths = [40, 7, 256, 12, 12, 90, 33, 7, 150, 64]
    encoder = _bare_encoder(batch_tokens=200, batch_size=3)
    batches = encoder._batches(lengths)
    assert sorted(w for b in batches for w in b) == list(range(len(lengths)))
    flat = [lengths[w] for b in batches for w in b]
    assert flat == sorted(flat)  # similar lengths travel together
    for batch in batches:
        assert len(batch) <= 3
        # a single window longer than the budget still gets its own pass
        assert len(batch) * max(lengths[w] for w in batch) <= 200 or len(batch) == 1


def test_default_token_budget_depends_on_the_device() -> None:
    assert _bare_encoder(batch_tokens=None).batch_tokens == 512  # type: ignore[arg-type]


@pytest.mark.model
def test_batching_does_not_change_embeddings(encoder: TransformerEncoder) -> None:
    """Torch path: padded, length-bucketed batches give the embeddings of one big batch."""
    model = load_transformers_model(embedded_model_dir(), torch.float32)
    encoder = TransformerEncoder(
        model,
        encoder.tokenizer,
        name="torch",
        device=torch.device("cpu"),
        max_seq_length=encoder.max_seq_length,
        batch_size=64,
    )
    sentences = [
        "Short one.",
        "A somewhat longer sentence about the central bank and its decision on interest rates this week.",
        "Medium length sentence here.",
        " ".join(["word"] * 300),
    ]
    tight = TransformerEncoder(
        model,
        encoder.tokenizer,
        name="tight",
        device=torch.device("cpu"),
        max_seq_length=encoder.max_seq_length,
        batch_size=2,
        batch_tokens=32,
    )
    encoder.grouped = tight.grouped = None  # the Hugging Face forward in padded batches, not the grouped pass
    # Padding changes what a bfloat16 model rounds; the drift allowed is that of the precision served.
    np.testing.assert_allclose(tight.encode(sentences), encoder.encode(sentences), atol=batching_atol(tight.precision))


SENTENCES = [
    "The central bank cut interest rates by half a point on Thursday.",
    "Shares rose.",
    "Critics warned that the plan would raise taxes for families with young children next year.",
    " ".join(["The committee discussed the budget at length"] * 40),  # several windows
]


@pytest.mark.model
@pytest.mark.parametrize("precision", ["int8", "float32"])
def test_onnx_embeddings_do_not_depend_on_what_else_is_encoded(precision: str) -> None:
    """The service mixes articles of concurrent requests in one encoder call; int8 must not shift with them."""
    encoder = TransformerEncoder.load(device="cpu", precision=precision, engine="onnx")
    alone = encoder.encode(SENTENCES)
    others = [f"Unrelated filler sentence {i} about weather, sport and markets." * (i % 5 + 1) for i in range(40)]
    mixed = encoder.encode(others[:20] + SENTENCES + others[20:])[20 : 20 + len(SENTENCES)]
    np.testing.assert_array_equal(alone, mixed)
    reference = TransformerEncoder.load(device="cpu", precision="float32", engine="torch").encode(SENTENCES)
    assert (alone * reference).sum(axis=1).min() > (0.97 if precision == "int8" else 0.9999)

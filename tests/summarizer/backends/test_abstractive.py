"""The abstractive backend on tiny random-weight BART and T5 checkpoints built by the test session.

Random weights write gibberish: these tests check loading, recipes, beams, chunking, batching,
offsets and determinism, never wording.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from fakes import make_abstractive
from long_articles import long_article

from summarizer import Settings, Summarizer
from summarizer.backends import abstractive as abstractive_module
from summarizer.backends.abstractive import AbstractiveBackend
from summarizer.backends.extractive import ExtractiveBackend
from summarizer.components.shared import load_shared_models
from summarizer.errors import ModelLoadError
from summarizer.models.recipes import recipe_for
from summarizer.models.seq2seq import Seq2SeqModel, resolve_precision
from summarizer.schemas import Summary
from summarizer.text import count_words, segment

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "000_05444940e5ccca5a.txt"
FAST = {"device": "cpu", "num_beams": 2, "max_new_tokens": 24}  # small searches keep the tests quick


@pytest.fixture(scope="session")
def bart(tiny_seq2seq: Callable[[str], Path]) -> Seq2SeqModel:
    return Seq2SeqModel.load(str(tiny_seq2seq("bart")), device="cpu", batch_size=32)


@pytest.fixture
def make(fake_encoder, bart: Seq2SeqModel) -> Callable[..., Summarizer]:
    def build(**settings: object) -> Summarizer:
        return make_abstractive(fake_encoder, bart, Settings(**(FAST | settings)))

    return build


def check_provenance(text: str, result: Summary) -> None:
    """Every offset is a real sentence of the input; generated spans point at their strongest source."""
    spans = {(s.start, s.end) for s in segment(text)}
    assert result.sentences, "a summary is never empty"
    for span in result.sentences:
        assert span.generated is True and span.text
        assert span.sources and (span.start, span.end) == (span.sources[0].start, span.sources[0].end)
        assert all((s.start, s.end) in spans for s in span.sources)
        similarities = [s.similarity for s in span.sources]
        assert similarities == sorted(similarities, reverse=True)
    for bullet in result.why_it_matters:
        assert 0 <= bullet.start < bullet.end <= len(text)
        assert [(s.start, s.end) for s in bullet.sources] == [(bullet.start, bullet.end)]


# -- loading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["bart", "t5"])
def test_loads_from_a_directory(tiny_seq2seq: Callable[[str], Path], family: str) -> None:
    model = Seq2SeqModel.load(str(tiny_seq2seq(family)), device="cpu")
    assert model.name == f"tiny-{family}"
    assert (model.device, model.precision, model.window) == ("cpu", "float32", 256)
    framed = model.frame("The council met.", "summary")
    assert framed == ("summarize: The council met." if family == "t5" else "The council met.")


def test_missing_directory_fails_fast_naming_the_path() -> None:
    started = time.monotonic()
    settings = Settings(backend="abstractive", model="/nonexistent/distilbart-cnn-12-6", device="cpu")
    with pytest.raises(ModelLoadError, match="/nonexistent/distilbart-cnn-12-6"):
        Summarizer.load(settings=settings)
    assert time.monotonic() - started < 5, "checked before any model is loaded"


def test_abstractive_needs_a_checkpoint() -> None:
    with pytest.raises(ModelLoadError, match="SUMMARIZER_MODEL"):
        Summarizer.load(settings=Settings(backend="abstractive", device="cpu"))


def test_pickled_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "bart"}')
    (tmp_path / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(ModelLoadError, match="safetensors"):
        Seq2SeqModel.load(str(tmp_path), device="cpu")


def test_offline_hub_id_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    started = time.monotonic()
    with pytest.raises(ModelLoadError) as failure:
        Seq2SeqModel.load("example-org/not-a-cached-model", device="cpu")
    assert "example-org/not-a-cached-model" in failure.value.message
    assert "HF_HUB_OFFLINE" in failure.value.message
    assert time.monotonic() - started < 30


def test_offline_cli_prints_one_line_and_exits(tmp_path: Path) -> None:
    """The real thing: HF_HUB_OFFLINE=1 in the environment, a hub id that is not cached, the CLI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "HF_"))}
    env |= {
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf"),
        "SUMMARIZER_BACKEND": "abstractive",
        "SUMMARIZER_MODEL": "facebook/bart-large-cnn",
    }
    run = subprocess.run(
        [sys.executable, "-m", "summarizer", "summarize", str(SEED)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("summarizer: error: ")
    assert "facebook/bart-large-cnn" in lines[0] and "HF_HUB_OFFLINE" in lines[0]


@pytest.mark.model
def test_summarizer_load_dispatches_on_the_backend(tiny_seq2seq: Callable[[str], Path]) -> None:
    settings = Settings(backend="abstractive", model=str(tiny_seq2seq("t5")), device="cpu", engine="torch")
    loaded = Summarizer.load(settings=settings)
    assert isinstance(loaded.backend, AbstractiveBackend)
    info = loaded.describe()
    assert (info.model, info.device, info.encoder) == ("tiny-t5", "cpu", "all-MiniLM-L6-v2")
    result = loaded.summarize(SEED.read_text(encoding="utf-8"), max_sentences=1, bullets=1)
    assert result.meta.encoder == "all-MiniLM-L6-v2" and result.meta.model == "tiny-t5"
    # The encoder, prototypes and heads are loaded once per process: the extractive backend and a
    # second load share them.
    extractive = Summarizer.load(settings=settings.model_copy(update={"backend": "extractive", "model": None}))
    assert isinstance(extractive.backend, ExtractiveBackend)
    assert extractive.backend.models is loaded.backend.models is load_shared_models(settings)
    assert Summarizer.load(settings=settings).backend.models is loaded.backend.models


# -- recipes and precision -----------------------------------------------------------------------


def test_bart_cnn_recipe_as_generation_config(bart: Seq2SeqModel) -> None:
    config = bart.generation_config("summary")
    assert (config.num_beams, config.length_penalty, config.no_repeat_ngram_size) == (4, 2.0, 3)
    assert (config.min_new_tokens, config.max_new_tokens) == (56, 142)
    assert config.early_stopping is True and config.do_sample is False
    one = bart.generation_config("summary", sentences=1)
    assert one.max_new_tokens < 142 and one.min_new_tokens <= one.max_new_tokens // 2
    assert bart.generation_config("summary", max_words=20).max_new_tokens <= 20 * 1.4 + 8
    override = bart.generation_config("summary", num_beams=6, max_new_tokens=500)
    assert (override.num_beams, override.max_new_tokens) == (6, 254), "bounded by the decoder's positions"
    assert bart.generation_config("chunk").max_new_tokens <= bart.text_budget() // 4


def test_recipes_by_family_and_checkpoint() -> None:
    assert recipe_for("pegasus", "pegasus-cnn_dailymail", {}).num_beams == 8
    assert recipe_for("t5", "t5-base", {}).prefix == "summarize: "
    flan = recipe_for("t5", "google/flan-t5-large", {"prefix": "summarize: "})
    assert flan.instruct and flan.prefix == ""
    published = recipe_for("bart", "my-bart", {"num_beams": 6, "max_length": 100, "min_length": 20})
    assert (published.num_beams, published.max_new_tokens, published.min_new_tokens) == (6, 99, 19)
    assert recipe_for("t5", "t5-small", {}, prompt_style="none").prefix == ""


def test_instruction_tuned_models_get_a_prompt(tiny_seq2seq: Callable[[str], Path]) -> None:
    model = Seq2SeqModel.load(str(tiny_seq2seq("t5")), device="cpu", prompt_style="instruct")
    assert model.frame("Text.", "summary", 2).startswith("Summarize the following news article in 2 sentences.")
    assert model.frame("Text.", "bullet").startswith("Explain in one short sentence why")
    assert model.text_budget() < 256 - 10, "the prompt's tokens come out of the budget"


def test_precision_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert resolve_precision("auto", cuda, "bart") == (torch.bfloat16, False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert resolve_precision("auto", cuda, "bart") == (torch.float16, False)
    assert resolve_precision("auto", cuda, "t5") == (torch.float32, False), "T5 overflows in fp16"
    assert resolve_precision("auto", cpu, "bart") == (torch.float32, False)
    assert resolve_precision("int8", cpu, "bart") == (torch.float32, True)
    with pytest.raises(ModelLoadError, match="CPU only"):
        resolve_precision("int8", cuda, "bart")


def test_int8_dynamic_quantization_on_cpu(tiny_seq2seq: Callable[[str], Path]) -> None:
    model = Seq2SeqModel.load(str(tiny_seq2seq("bart")), device="cpu", precision="int8")
    assert model.precision == "int8"
    assert any("quantized" in type(m).__module__ for m in model.model.modules())
    outputs, cut = model.generate(["The council approved the budget."], model.generation_config("bullet"))
    assert len(outputs) == 1 and cut == [False]


# -- generation ----------------------------------------------------------------------------------


def test_generation_with_beams_is_deterministic(bart: Seq2SeqModel, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    generate = bart.model.generate

    def spy(*args: object, **kwargs: object) -> torch.Tensor:
        seen.append(kwargs["generation_config"].num_beams)  # type: ignore[union-attr]
        return generate(*args, **kwargs)

    monkeypatch.setattr(bart.model, "generate", spy)
    texts = ["The council approved a new budget on Tuesday.", "Researchers reported a study of heart disease."]
    config = bart.generation_config("summary")
    first, cut = bart.generate(texts, config)
    assert bart.generate(texts, config) == (first, cut)
    assert seen == [4, 4] and cut == [False, False]
    assert all(isinstance(o, str) for o in first)


def test_seed_summary_shape_and_offsets(make: Callable[..., Summarizer]) -> None:
    text = SEED.read_text(encoding="utf-8")
    result = make().summarize(text, max_sentences=2, bullets=2)
    check_provenance(text, result)
    assert len(result.sentences) <= 2
    assert result.summary == " ".join(s.text for s in result.sentences)
    meta = result.meta
    assert (meta.backend, meta.model, meta.encoder, meta.truncated) == (
        "abstractive",
        "tiny-bart",
        "fake-hashing-encoder",
        False,
    )
    assert meta.chunks >= 1 and {"segment", "encode", "rank", "generate"} <= set(meta.timings_ms)
    dumped = result.model_dump()
    assert dumped["sentences"][0]["generated"] is True and "similarity" in dumped["sentences"][0]["sources"][0]


def test_bullets_condense_the_extractive_selection(make: Callable[..., Summarizer], fake_summarizer) -> None:
    text = SEED.read_text(encoding="utf-8")
    extractive = fake_summarizer.summarize(text, bullets=2)
    abstractive = make().summarize(text, bullets=2)
    assert [(b.start, b.end) for b in abstractive.why_it_matters] == [
        (b.start, b.end) for b in extractive.why_it_matters
    ]
    assert all(b.generated for b in abstractive.why_it_matters)


def test_long_article_is_chunked_and_nothing_is_dropped(
    make: Callable[..., Summarizer], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = long_article(2_500)
    summarizer = make()
    inputs: list[list[str]] = []
    generate = summarizer.backend.generator.generate

    def spy(texts: list[str], config: object) -> tuple[list[str], list[bool]]:
        inputs.append(list(texts))
        return generate(texts, config)

    monkeypatch.setattr(summarizer.backend.generator, "generate", spy)
    result = summarizer.summarize(text, bullets=1)
    check_provenance(text, result)
    assert result.meta.chunks > 1 and result.meta.truncated is False
    assert len(inputs[0]) == result.meta.chunks, "all chunks of the first round go to generate() together"
    first_round = " ".join(inputs[0])
    for sentence in segment(text):
        if not sentence.boilerplate:
            assert sentence.text.split()[-1] in first_round
    assert not result.warnings


def test_cut_input_is_reported_never_silent(make: Callable[..., Summarizer], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(abstractive_module, "MAX_REDUCE_ROUNDS", 0)  # no reduce round: the input must be cut
    result = make().summarize(long_article(1_500), bullets=0)
    assert result.meta.truncated is True
    assert any("cut to fit" in w for w in result.warnings)


def test_several_articles_share_generate_calls(
    make: Callable[..., Summarizer], monkeypatch: pytest.MonkeyPatch
) -> None:
    summarizer = make()
    calls: list[int] = []
    generate = summarizer.backend.generator.generate

    def spy(texts: list[str], config: object) -> tuple[list[str], list[bool]]:
        calls.append(len(texts))
        return generate(texts, config)

    monkeypatch.setattr(summarizer.backend.generator, "generate", spy)
    articles = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("00[1-3]*.txt"))]
    results = summarizer.summarize_many(articles, bullets=1)
    assert len(results) == 3
    for text, result in zip(articles, results, strict=True):
        check_provenance(text, result)
    # First round: the articles that fit one window in one call, every chunk of the others in another.
    single = sum(r.meta.chunks == 1 for r in results)
    multi = sum(r.meta.chunks for r in results if r.meta.chunks > 1)
    assert calls[: (single > 0) + (multi > 0)] == [n for n in (single, multi) if n], calls
    assert calls[-1] == sum(len(r.why_it_matters) for r in results) > 0, "all bullets in one call"


def test_empty_generation_falls_back_to_extractive(
    make: Callable[..., Summarizer], monkeypatch: pytest.MonkeyPatch
) -> None:
    summarizer = make()
    monkeypatch.setattr(
        summarizer.backend.generator, "generate", lambda texts, config: ([""] * len(texts), [False] * len(texts))
    )
    text = SEED.read_text(encoding="utf-8")
    result = summarizer.summarize(text, max_sentences=2, bullets=1)
    assert result.sentences and all(s.generated is False for s in result.sentences)
    assert all(text[s.start : s.end].strip() for s in result.sentences)
    assert all(b.generated is False for b in result.why_it_matters)
    assert any("empty summary" in w for w in result.warnings)


def test_max_words_keeps_whole_generated_sentences(make: Callable[..., Summarizer]) -> None:
    result = make().summarize(SEED.read_text(encoding="utf-8"), max_sentences=3, max_words=5, bullets=0)
    assert len(result.sentences) == 1  # the first sentence always stays, with a warning when it is over
    over = count_words(result.sentences[0].text) > 5
    assert over == any("max_words=5" in w for w in result.warnings)


def test_invalid_input_raises_before_generation(make: Callable[..., Summarizer]) -> None:
    from summarizer.errors import InvalidInputError

    with pytest.raises(InvalidInputError) as failure:
        make().summarize_many(["A fine article about the council vote today.", "   "])
    assert failure.value.article_index == 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_half_precision_batched(tiny_seq2seq: Callable[[str], Path], fake_encoder) -> None:
    model = Seq2SeqModel.load(str(tiny_seq2seq("bart")), device="cuda")
    assert model.device.startswith("cuda") and model.precision in ("bfloat16", "float16")
    summarizer = make_abstractive(fake_encoder, model, Settings(**(FAST | {"device": "cuda"})))
    articles = [SEED.read_text(encoding="utf-8"), long_article(1_500)]
    results = summarizer.summarize_many(articles, bullets=1)
    for text, result in zip(articles, results, strict=True):
        check_provenance(text, result)
        assert result.meta.device.startswith("cuda") and result.meta.truncated is False


def test_short_input_has_no_length_floor(make: Callable[..., Summarizer], monkeypatch) -> None:
    summarizer = make(max_new_tokens=None)
    floors: list[int] = []
    generate = summarizer.backend.generator.generate

    def spy(texts: list[str], config: object) -> tuple[list[str], list[bool]]:
        floors.append(config.min_new_tokens)  # type: ignore[attr-defined]
        return generate(texts, config)

    monkeypatch.setattr(summarizer.backend.generator, "generate", spy)
    summarizer.summarize("The council approved the budget on Tuesday. Critics said taxes will rise.", bullets=0)
    assert floors == [0], "56 forced tokens from a 20-word input would be invention"


def test_provenance_sources() -> None:
    import numpy as np

    from summarizer.components.provenance import fit_sentences, generated_span

    sentences = segment("First sentence is here. Second one follows now. Third closes it all.")
    embeddings = np.eye(3, dtype=np.float32)
    vector = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    span = generated_span("Written.", vector, sentences, embeddings, [0, 1, 2])
    assert [(s.start, s.end) for s in span.sources] == [(sentences[1].start, sentences[1].end), (0, sentences[0].end)]
    assert (span.start, span.end) == (sentences[1].start, sentences[1].end)
    weak = generated_span("Written.", np.array([0.3, 0.95, 0.0], dtype=np.float32), sentences, embeddings, [0, 1, 2])
    assert len(weak.sources) == 1, "a second source below 0.5 similarity is not listed"
    kept, warnings = fit_sentences(
        [s.text for s in segment("\ufffd\ufffd. A real sentence here. Another one.")], 1, None
    )
    assert kept == ["A real sentence here."] and not warnings

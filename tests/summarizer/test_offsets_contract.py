"""The offset contract: every sentence and bullet taken from the input is ``input[start:end]`` with its
whitespace collapsed, across the seeds and the 411 CNN/DailyMail dev articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import make_summarizer

from summarizer import Summarizer, Summary
from summarizer.text import segment
from summarizer.text.segment import display_text

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"
SEEDS = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "seeds" / "html").glob("*.txt"))


def normalize(text: str) -> str:
    return display_text(text)


def assert_contract(text: str, result: Summary) -> None:
    for span in [*result.sentences, *result.why_it_matters]:
        assert 0 <= span.start < span.end <= len(text), span
        assert normalize(text[span.start : span.end]) == normalize(span.text), (text[span.start : span.end], span)
        if span.sentence_end is not None:  # a trimmed sentence: the whole one is still addressable
            assert span.end < span.sentence_end <= len(text)


def _dev_articles() -> list[str]:
    if not DEV.is_file():
        pytest.skip(f"{DEV} is not here (the shared evaluation data sits beside the repository)")
    return [json.loads(line)["article"] for line in DEV.open(encoding="utf-8")]


def test_every_segmented_sentence_shows_its_span() -> None:
    for text in [p.read_text(encoding="utf-8") for p in SEEDS] + _dev_articles():
        for sentence in segment(text):
            assert normalize(text[sentence.content_start : sentence.end]) == sentence.text


@pytest.mark.parametrize("trimming", ["off", "learned"])
def test_summaries_and_bullets_of_the_dev_file_keep_the_contract(fake_summarizer: Summarizer, trimming: str) -> None:
    texts = _dev_articles()
    settings = fake_summarizer.settings.model_copy(update={"summary_trimming": trimming})
    summarizer = make_summarizer(fake_summarizer.backend.models.encoder, settings)  # type: ignore[attr-defined]
    results = summarizer.summarize_many(texts)
    for text, result in zip(texts, results, strict=True):
        assert_contract(text, result)
    if trimming == "learned":
        assert any(s.sentence_end is not None for r in results for s in r.sentences)  # cuts were made


@pytest.mark.model
def test_the_seeds_keep_the_contract_with_the_real_model(real_summarizer: Summarizer) -> None:
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        assert_contract(text, real_summarizer.summarize(text))

"""Provenance for generated text: which input sentences each generated sentence draws on, as offsets.

Generated sentences have no span of their own in the input, so each one points at the article
sentences most similar to it by the encoder (the strongest first); a condensed bullet points at
the sentence it condenses. Pure functions over sentences and unit-length embeddings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np

from summarizer.schemas import SourceSpan, Span
from summarizer.text import Sentence, count_words
from summarizer.text.segment import display_text

MAX_SOURCES = 2
SECOND_SOURCE_MIN_SIMILARITY = 0.5  # below this a second sentence is not what the summary drew on


def clean_generated(text: str) -> str:
    """Generated text without control characters, whitespace collapsed."""
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return display_text(kept)


def fit_sentences(sentences: Sequence[str], max_sentences: int, max_words: int | None) -> tuple[list[str], list[str]]:
    """The first ``max_sentences`` generated sentences within ``max_words`` (whole sentences only), and warnings."""
    kept: list[str] = []
    words = 0
    for s in [s for s in sentences if count_words(s)][:max_sentences]:  # stray punctuation is no sentence
        n = count_words(s)
        if max_words is not None and kept and words + n > max_words:
            break
        kept.append(s)
        words += n
    if max_words is not None and words > max_words:
        return kept, [f"the first generated sentence has {words} words, more than max_words={max_words}"]
    return kept, []


def generated_span(
    text: str, vector: np.ndarray, sentences: Sequence[Sentence], embeddings: np.ndarray, candidates: Sequence[int]
) -> Span:
    """A generated summary sentence: ``start``/``end`` of its strongest source, ``sources`` all of them."""
    similarity = embeddings[list(candidates)] @ vector
    order = np.argsort(-similarity, kind="stable")[:MAX_SOURCES]
    picked = [order[0]] + [k for k in order[1:] if similarity[k] >= SECOND_SOURCE_MIN_SIMILARITY]
    sources = [
        SourceSpan(
            start=sentences[candidates[k]].content_start,
            end=sentences[candidates[k]].end,
            similarity=round(float(similarity[k]), 4),
        )
        for k in picked
    ]
    return Span(text=text, start=sources[0].start, end=sources[0].end, generated=True, sources=sources)


def condensed_span(text: str, vector: np.ndarray | None, source: Span, source_embedding: np.ndarray) -> Span:
    """A condensed bullet keeps its source sentence's offsets; with no text the source itself is returned."""
    if not text or vector is None:
        return source.model_copy(update={"generated": False})
    similarity = round(float(vector @ source_embedding), 4)
    origin = SourceSpan(start=source.start, end=source.end, similarity=similarity)
    return Span(text=text, start=source.start, end=source.end, generated=True, sources=[origin])


def taken_span(sentence: Sentence) -> Span:
    """An input sentence returned as is (the fallback when the model writes nothing)."""
    return Span(text=sentence.text, start=sentence.content_start, end=sentence.end, generated=False)

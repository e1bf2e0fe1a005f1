"""Text processing: sentence segmentation with offsets, labels and boilerplate detection, chunking."""

from summarizer.text.segment import (
    MAX_SENTENCE_WORDS,
    MIN_CONTENT_WORDS,
    Sentence,
    count_words,
    normalize_for_model,
    segment,
    visible_text,
)

__all__ = [
    "MAX_SENTENCE_WORDS",
    "MIN_CONTENT_WORDS",
    "Sentence",
    "count_words",
    "normalize_for_model",
    "segment",
    "visible_text",
]

"""Text processing: sentence segmentation with offsets, labels and boilerplate detection, chunking."""

from summarizer.text.segment import (
    MIN_CONTENT_WORDS,
    Sentence,
    count_words,
    normalize_for_model,
    segment,
    visible_text,
)

__all__ = [
    "MIN_CONTENT_WORDS",
    "Sentence",
    "count_words",
    "normalize_for_model",
    "segment",
    "visible_text",
]

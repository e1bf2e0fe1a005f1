"""Cheap input checks shared by the library, the service and the CLI (no model needed).

Running them before any model work lets a batch fail fast and the CLI reject bad input
without loading the encoder.
"""

from __future__ import annotations

from summarizer.config import Settings
from summarizer.errors import InputTooLargeError, InvalidInputError
from summarizer.text import Sentence, segment, visible_text

MAX_SENTENCES_RANGE = (1, 10)
BULLETS_RANGE = (0, 5)
MAX_WORDS_RANGE = (1, 10_000)
MIN_CONTENT_WORDS = 3  # shorter fragments ("Key points", "asdf") are not sentences to summarize
# Longer "sentences" are text without sentence punctuation (a dump, a table): never a summary sentence.
# The longest real sentence in the 411 CNN/DailyMail dev articles has 328 words.
MAX_SENTENCE_WORDS = 1_000


def check_range(name: str, value: object, bounds: tuple[int, int], *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise InvalidInputError(
            f"{name} must be an integer from {bounds[0]} to {bounds[1]}, got {value!r}", code="invalid_parameter"
        )


def validate_knobs(max_sentences: object, max_words: object, bullets: object) -> None:
    check_range("max_sentences", max_sentences, MAX_SENTENCES_RANGE)
    check_range("bullets", bullets, BULLETS_RANGE)
    check_range("max_words", max_words, MAX_WORDS_RANGE, optional=True)


def validate_article(text: object, title: object, settings: Settings) -> tuple[list[Sentence], str | None]:
    """Check one article against the limits; return its sentences and the cleaned title."""
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a string, got {type(text).__name__}", code="invalid_text")
    if title is not None and not isinstance(title, str):
        raise InvalidInputError(f"title must be a string, got {type(title).__name__}", code="invalid_title")
    if not visible_text(text).strip():
        raise InvalidInputError("text is empty or contains only whitespace", code="empty_text")
    if len(text) > settings.max_text_chars:
        raise InputTooLargeError(
            f"text has {len(text)} characters; the limit is {settings.max_text_chars} (split the article or raise "
            "SUMMARIZER_MAX_TEXT_CHARS)"
        )
    if title is not None and len(title) > settings.max_title_chars:
        raise InputTooLargeError(
            f"title has {len(title)} characters; the limit is {settings.max_title_chars}", code="title_too_long"
        )
    sentences = segment(text)
    if not any(MIN_CONTENT_WORDS <= s.words <= MAX_SENTENCE_WORDS for s in sentences):
        longest = max((s.words for s in sentences), default=0)
        if longest > MAX_SENTENCE_WORDS:
            raise InvalidInputError(
                f"text has no sentence boundaries: it runs {longest} words without one (a summary is made of "
                f"sentences of at most {MAX_SENTENCE_WORDS} words)",
                code="no_sentence_boundaries",
            )
        raise InvalidInputError(
            "text contains no sentence to summarize (need at least one sentence of three or more words)",
            code="no_sentences",
        )
    clean_title = " ".join(visible_text(title).split()) if title else None
    return sentences, clean_title or None

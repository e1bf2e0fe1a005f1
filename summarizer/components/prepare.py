"""Validation and segmentation of articles: no model needed, so it runs before any model work.

The library, the service and the CLI all go through ``prepare_article``: a batch fails fast, the
service refuses a bad article before it queues for the model, and the CLI rejects bad input
without loading the encoder. A ``PreparedArticle`` is what every backend summarizes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.config import Settings
from summarizer.errors import InputTooLargeError, InvalidInputError
from summarizer.options import DEFAULT_OPTIONS, SummaryOptions
from summarizer.text import MIN_CONTENT_WORDS, Sentence, segment, visible_text
from summarizer.text.script import lone_surrogate, unspaced_script


@dataclass(frozen=True)
class PreparedArticle:
    """An article validated and segmented, with the options its summary is made with."""

    text: str
    title: str | None  # cleaned; a headline line when the caller gave none
    sentences: list[Sentence]
    options: SummaryOptions
    segment_ms: float


def validate_article(text: object, title: object, settings: Settings) -> tuple[list[Sentence], str | None]:
    """Check one article against the limits; return its sentences and the cleaned title."""
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a string, got {type(text).__name__}", code="invalid_text")
    if title is not None and not isinstance(title, str):
        raise InvalidInputError(f"title must be a string, got {type(title).__name__}", code="invalid_title")
    for name, value in (("text", text), ("title", title)):
        if value is not None and (at := lone_surrogate(value)) is not None:
            raise InvalidInputError(
                f"{name} is not valid Unicode: a lone surrogate (U+{ord(value[at]):04X}) at character {at}; "
                "send UTF-8 text (a JSON \\u escape must be a complete surrogate pair)",
                code="invalid_unicode",
            )
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
    script = unspaced_script(text)
    if script is not None:
        raise InvalidInputError(
            f"text is mostly {script} script, which this summarizer cannot split into sentences or rank: "
            "its segmenter and its encoder are English",
            code="unsupported_language",
        )
    sentences = segment(text)
    if not any(s.words >= MIN_CONTENT_WORDS for s in sentences):
        raise InvalidInputError(
            "text contains no sentence to summarize (need at least one sentence of three or more words)",
            code="no_sentences",
        )
    clean_title = " ".join(visible_text(title).split()) if title else None
    return sentences, clean_title or None


def prepare_article(
    text: object, title: object, settings: Settings, options: SummaryOptions = DEFAULT_OPTIONS
) -> PreparedArticle:
    """Validate and segment one article; raises ``InvalidInputError`` (``InputTooLargeError`` over a limit)."""
    started = time.perf_counter()
    sentences, clean_title = validate_article(text, title, settings)
    if clean_title is None and sentences and sentences[0].heading:
        clean_title = sentences[0].text  # a headline line is the title when none is given
    segment_ms = (time.perf_counter() - started) * 1000
    return PreparedArticle(
        text=text,  # type: ignore[arg-type]  # validate_article checked it is a str
        title=clean_title,
        sentences=sentences,
        options=options,
        segment_ms=segment_ms,
    )


def prepare_articles(
    texts: Sequence[object],
    titles: Sequence[object] | None,
    settings: Settings,
    options: SummaryOptions | Sequence[SummaryOptions] = DEFAULT_OPTIONS,
) -> list[PreparedArticle]:
    """Prepare every article before any model work; the first invalid one raises, numbered in a batch.

    Articles already prepared are taken as they are (their title and options are inside).
    """
    if isinstance(texts, str):
        raise InvalidInputError("texts must be a list of strings, not one string", code="invalid_parameter")
    titles = list(titles) if titles is not None else [None] * len(texts)
    per_article = [options] * len(texts) if isinstance(options, SummaryOptions) else list(options)
    if len(titles) != len(texts) or len(per_article) != len(texts):
        raise InvalidInputError("titles and options must have one entry per text", code="invalid_parameter")
    prepared = []
    for i, (text, title, opts) in enumerate(zip(texts, titles, per_article, strict=True)):
        if isinstance(text, PreparedArticle):
            prepared.append(text)
            continue
        try:
            prepared.append(prepare_article(text, title, settings, opts))
        except InvalidInputError as exc:
            if len(texts) > 1:
                exc.article_index = i
            raise
    return prepared

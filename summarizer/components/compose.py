"""Pieces of a ``Summary`` every backend builds the same way: bullets, their warnings, input statistics."""

from __future__ import annotations

from summarizer.components.encoding import EncodedArticle
from summarizer.components.prepare import PreparedArticle
from summarizer.components.shared import SharedModels
from summarizer.schemas import InputStats, Span
from summarizer.selection.bullet_tidy import trim_bullet
from summarizer.selection.ranking import is_content, select_bullets
from summarizer.text import Sentence, count_words
from summarizer.text.segment import display_text


def sentence_span(sentence: Sentence) -> Span:
    """A sentence as shown: ``text`` is ``input[start:end]`` with whitespace collapsed (a leading label or
    dateline moves ``start`` past it)."""
    return Span(text=sentence.text, start=sentence.content_start, end=sentence.end)


def bullet_span(text: str, sentence: Sentence) -> Span:
    """A "Why it matters" sentence trimmed to read on its own; the offsets move with the trim."""
    start, end = trim_bullet(text, sentence.content_start, sentence.end)
    if (start, end) == (sentence.content_start, sentence.end):
        return sentence_span(sentence)
    shown = display_text(text[start:end])
    # A cut connective leaves "the deal could..."; the reader sees a capital, the span stays exact.
    capital = shown[:1].upper() + shown[1:] if start > sentence.content_start else shown
    return Span(text=shown, start=start, end=end, display=capital if capital != shown else None)


def trimmed_span(sentence: Sentence, shown: str, end: int) -> Span:
    """A summary sentence cut at ``end``: the kept text, shown closed with a period, and where the whole one ends."""
    closed = shown if shown.endswith(_CLOSERS) else shown.rstrip(",;:-–— ") + "."
    return Span(text=shown, start=sentence.content_start, end=end, sentence_end=sentence.end, display=closed)


def joined_summary(spans: list[Span]) -> str:
    """The summary as one string: each sentence as it should be shown (``display``, else ``text``)."""
    return " ".join(s.display or s.text for s in spans)


def bullet_warnings(asked: int, returned: int, abstained: bool, content_sentences: int) -> list[str]:
    """Why fewer bullets came back than were asked for."""
    if asked and content_sentences <= 1:
        return ["article has one sentence: no bullets"]
    if abstained:
        return [
            f"asked for {asked} bullets; only {returned} sentences are confidently about why this matters, "
            "so no more were invented"
        ]
    if returned < asked:
        return [f"asked for {asked} bullets but only {returned} sentences outside the summary qualify"]
    return []


def pick_bullets(
    models: SharedModels, article: PreparedArticle, encoded: EncodedArticle, summary: list[int]
) -> tuple[list[int], list[str]]:
    """The "Why it matters" sentences (indices) outside ``summary``, and the warnings that explain a shortfall."""
    asked = article.options.bullets
    picked, abstained = select_bullets(
        article.sentences, encoded.embeddings, summary, models.prototypes, count=asked, head=models.bullet_head
    )
    content = content_count(article)
    return picked, bullet_warnings(asked, len(picked), abstained, content)


_CLOSERS = (".", "!", "?", "…")
PSEUDO_WARNING = (
    "the text has long runs without sentence punctuation (a transcript, captions): they were cut into "
    "pseudo-sentences at clause breaks, so a summary sentence may not be one the author wrote"
)


def pseudo_warnings(article: PreparedArticle, shown: list[int]) -> list[str]:
    """The warning owed when any sentence shown (summary or bullet) is a pseudo-sentence."""
    return [PSEUDO_WARNING] if any(article.sentences[i].pseudo for i in shown) else []


def content_count(article: PreparedArticle) -> int:
    return sum(is_content(s) for s in article.sentences)


def input_stats(article: PreparedArticle) -> InputStats:
    return InputStats(characters=len(article.text), words=count_words(article.text), sentences=len(article.sentences))


def rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in timings.items()}

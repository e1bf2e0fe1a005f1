"""The public entry point: ``Summarizer`` turns article text into a ``Summary``.

Lifecycle: ``Summarizer.load()`` once (model weights, prototype embeddings), then any number of
``summarize`` / ``summarize_many`` calls. ``summarize_many`` sends the sentences of all articles
through the encoder in shared batches.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from summarizer.config import Settings, get_settings
from summarizer.encoder import Encoder, TransformerEncoder
from summarizer.errors import InvalidInputError
from summarizer.heads import load_bullet_head, load_trim_head
from summarizer.heads.compression import trim_summary, trimmed_text
from summarizer.ranking import is_content, select_bullets, select_summary
from summarizer.schemas import InputStats, Meta, Span, Summary
from summarizer.significance import SIGNIFICANCE_PROTOTYPES
from summarizer.text import Sentence, count_words
from summarizer.text.segment import display_text
from summarizer.text.trim import trim_bullet
from summarizer.validation import validate_article, validate_knobs


@dataclass
class PreparedArticle:
    """An article validated and segmented ahead of model work (``Summarizer.prepare``)."""

    text: str
    title: str | None
    sentences: list[Sentence]
    segment_ms: float


class Summarizer:
    """Extractive summarizer: encoder embeddings, position-aware ranking, significance bullets."""

    backend = "extractive"

    def __init__(self, encoder: Encoder, settings: Settings | None = None) -> None:
        self.encoder = encoder
        self.settings = settings or get_settings()
        self.prototypes = encoder.encode(list(SIGNIFICANCE_PROTOTYPES))
        self.bullet_head = load_bullet_head(self.settings)
        self.bullet_selector = "learned" if self.bullet_head is not None else "heuristic"
        self.trim_head = load_trim_head(self.settings)

    @classmethod
    def load(
        cls, model: str | None = None, *, device: str | None = None, settings: Settings | None = None
    ) -> Summarizer:
        """Load the encoder (default: the embedded all-MiniLM-L6-v2) and prepare the summarizer.

        With ``settings.backend == "abstractive"``, ``Summarizer.load`` returns an
        ``AbstractiveSummarizer`` instead (``model`` is then the seq2seq checkpoint).
        """
        settings = settings or get_settings()
        if cls is Summarizer and settings.backend == "abstractive":
            from summarizer.backends.abstractive import AbstractiveSummarizer  # lazy: it imports this module

            return AbstractiveSummarizer.load(model, device=device, settings=settings)
        if settings.torch_threads:
            torch.set_num_threads(settings.torch_threads)
        encoder = TransformerEncoder.load(
            model if model is not None else settings.model,
            device=device or settings.device,
            precision=settings.precision,
            engine=settings.engine,
            cache_dir=settings.cache_dir,
            max_seq_length=settings.max_seq_length,
            batch_size=settings.encode_batch_size,
            batch_tokens=settings.encode_batch_tokens,
        )
        return cls(encoder, settings)

    @property
    def model_name(self) -> str:
        """The model that writes the summary (for this backend, the encoder that ranks sentences)."""
        return self.encoder.name

    @property
    def device(self) -> str:
        return self.encoder.device

    # -- public API -----------------------------------------------------------------------------

    def summarize(
        self,
        text: str,
        title: str | None = None,
        *,
        max_sentences: int = 3,
        max_words: int | None = None,
        bullets: int = 2,
    ) -> Summary:
        return self.summarize_many([text], [title], max_sentences=max_sentences, max_words=max_words, bullets=bullets)[
            0
        ]

    def summarize_many(
        self,
        texts: Sequence[str | PreparedArticle],
        titles: Sequence[str | None] | None = None,
        *,
        max_sentences: int = 3,
        max_words: int | None = None,
        bullets: int = 2,
    ) -> list[Summary]:
        """Summarize several articles with one shared pass through the encoder.

        ``texts`` holds article strings, or ``PreparedArticle`` results of ``prepare``. Every article
        is validated before any model work; the first invalid one raises
        ``InvalidInputError`` whose message names its position when there are several.
        """
        validate_knobs(max_sentences, max_words, bullets)
        prepared = self._prepare_many(texts, titles)
        if not prepared:
            return []

        started = time.perf_counter()
        encoded = self._encode_many(prepared)
        encode_ms = (time.perf_counter() - started) * 1000 / len(prepared)  # shared pass, split evenly
        return [
            self._compose(p, emb, title_emb, max_sentences, max_words, bullets, encode_ms)
            for p, (emb, title_emb) in zip(prepared, encoded, strict=True)
        ]

    # -- steps ----------------------------------------------------------------------------------

    def prepare(self, text: str, title: str | None = None) -> PreparedArticle:
        """Validate and segment one article (no model work), e.g. on another thread while the model is busy.

        ``summarize_many`` accepts the result in place of the text; raises ``InvalidInputError``.
        """
        return self._prepare(text, title)

    def _prepare_many(
        self, texts: Sequence[str | PreparedArticle], titles: Sequence[str | None] | None
    ) -> list[PreparedArticle]:
        """Validate and segment every article before any model work (shared with the other backends).

        Articles already prepared by ``prepare`` are taken as they are (their title is inside).
        """
        if isinstance(texts, str):
            raise InvalidInputError("texts must be a list of strings, not one string", code="invalid_parameter")
        titles = list(titles) if titles is not None else [None] * len(texts)
        if len(titles) != len(texts):
            raise InvalidInputError("titles must have one entry per text", code="invalid_parameter")
        prepared = []
        for i, (text, title) in enumerate(zip(texts, titles, strict=True)):
            if isinstance(text, PreparedArticle):
                prepared.append(text)
                continue
            try:
                prepared.append(self._prepare(text, title))
            except InvalidInputError as exc:
                if len(texts) > 1:
                    exc.article_index = i
                raise
        return prepared

    def _encode_many(self, prepared: Sequence[PreparedArticle]) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Sentence and title embeddings of every article, from one shared encoder pass."""
        batch: list[str] = []
        for p in prepared:
            batch.extend(s.text for s in p.sentences)
            if p.title:
                batch.append(p.title)
        embeddings = self.encoder.encode(batch)
        out = []
        offset = 0
        for p in prepared:
            n = len(p.sentences)
            out.append((embeddings[offset : offset + n], embeddings[offset + n] if p.title else None))
            offset += n + (1 if p.title else 0)
        return out

    def _prepare(self, text: object, title: object) -> PreparedArticle:
        started = time.perf_counter()
        sentences, clean_title = validate_article(text, title, self.settings)
        if clean_title is None and sentences and sentences[0].heading:
            clean_title = sentences[0].text  # a headline line is the title when none is given
        segment_ms = (time.perf_counter() - started) * 1000
        return PreparedArticle(text=text, title=clean_title, sentences=sentences, segment_ms=segment_ms)  # type: ignore[arg-type]

    def _compose(
        self,
        p: PreparedArticle,
        embeddings: np.ndarray,
        title_embedding: np.ndarray | None,
        max_sentences: int,
        max_words: int | None,
        bullets: int,
        encode_ms: float,
    ) -> Summary:
        started = time.perf_counter()
        chosen, warnings = select_summary(
            p.sentences, embeddings, max_sentences=max_sentences, max_words=max_words, title_embedding=title_embedding
        )
        bullet_idx, abstained = select_bullets(
            p.sentences, embeddings, chosen, self.prototypes, count=bullets, head=self.bullet_head
        )
        cut = trim_summary(p.text, p.sentences, chosen, self.trim_head) if self.trim_head is not None else {}
        rank_ms = (time.perf_counter() - started) * 1000
        content = sum(is_content(s) for s in p.sentences)
        warnings.extend(bullet_warnings(bullets, len(bullet_idx), abstained, content))
        if len(chosen) < max_sentences and max_words is None and content > len(chosen):
            warnings.append(f"returned {len(chosen)} of {max_sentences} sentences: the rest repeat chosen ones")

        def span(k: int, i: int) -> Span:
            s = p.sentences[i]
            if k in cut:  # a trimmed sentence: the kept prefix, and where the whole one ends
                return Span(
                    text=trimmed_text(p.text, s, cut[k]),
                    start=s.content_start,
                    end=cut[k],
                    sentence_end=s.end,
                )
            return Span(text=s.text, start=s.start, end=s.end)

        summary_spans = [span(k, i) for k, i in enumerate(chosen)]
        meta = Meta(
            backend=self.backend,
            bullet_selector=self.bullet_selector,
            summary_trimming="learned" if self.trim_head is not None else "off",
            model=self.encoder.name,
            device=self.encoder.device,
            precision=getattr(self.encoder, "precision", "float32"),
            engine=getattr(self.encoder, "engine", "torch"),
            elapsed_ms=round(p.segment_ms + encode_ms + rank_ms, 2),
            input=InputStats(characters=len(p.text), words=count_words(p.text), sentences=len(p.sentences)),
            timings_ms={
                "segment": round(p.segment_ms, 2),
                "encode": round(encode_ms, 2),
                "rank": round(rank_ms, 2),
            },
        )
        return Summary(
            summary=" ".join(s.text for s in summary_spans),
            sentences=summary_spans,
            why_it_matters=[bullet_span(p.text, p.sentences[i]) for i in bullet_idx],
            meta=meta,
            warnings=warnings,
        )


def bullet_span(text: str, sentence: Sentence) -> Span:
    """A "Why it matters" sentence trimmed to read on its own; the offsets move with the trim."""
    start, end = trim_bullet(text, sentence.content_start, sentence.end)
    if (start, end) == (sentence.content_start, sentence.end):
        return Span(text=sentence.text, start=sentence.start, end=sentence.end)
    return Span(text=display_text(text[start:end]), start=start, end=end)


def bullet_warnings(asked: int, returned: int, abstained: bool, content_sentences: int) -> list[str]:
    """Why fewer bullets came back than were asked for (shared by the backends)."""
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

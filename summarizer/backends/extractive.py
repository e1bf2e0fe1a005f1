"""Extractive backend: summary sentences and "Why it matters" bullets taken from the article, with offsets.

One encoder pass for all articles of a call, then per article: position-aware ranking with MMR,
learned bullet selection, learned trimming of summary sentences.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from summarizer.components.compose import (
    bullet_span,
    content_count,
    input_stats,
    joined_summary,
    pick_bullets,
    pseudo_warnings,
    rounded,
    sentence_span,
    trimmed_span,
)
from summarizer.components.encoding import EncodedArticle, encode_articles
from summarizer.components.prepare import PreparedArticle, prepare_article
from summarizer.components.shared import SharedModels, engine_choice_info, load_shared_models
from summarizer.config import Settings
from summarizer.options import SummaryOptions
from summarizer.schemas import BackendInfo, Meta, Span, Summary
from summarizer.selection.compression import trim_summary, trimmed_text
from summarizer.selection.ranking import select_summary


class ExtractiveBackend:
    """Sentences chosen from the article by the embedded encoder and the learned heads."""

    name = "extractive"

    def __init__(self, models: SharedModels, settings: Settings) -> None:
        self.models = models
        self.settings = settings

    @classmethod
    def load(cls, settings: Settings, *, model: str | None = None, device: str | None = None) -> ExtractiveBackend:
        """The encoder in ``model`` (a local directory; default the embedded all-MiniLM-L6-v2)."""
        return cls(load_shared_models(settings, model=model, device=device), settings)

    def describe(self) -> BackendInfo:
        encoder = self.models.encoder
        return BackendInfo(
            backend=self.name,
            model=encoder.name,
            device=encoder.device,
            engine=self.models.engine,
            precision=self.models.precision,
            engine_choice=engine_choice_info(encoder),
        )

    def prepare(self, text: object, title: object, options: SummaryOptions) -> PreparedArticle:
        return prepare_article(text, title, self.settings, options)

    def summarize_many(self, articles: Sequence[PreparedArticle]) -> list[Summary]:
        if not articles:
            return []
        started = time.perf_counter()
        encoded = encode_articles(self.models.encoder, articles)
        encode_ms = (time.perf_counter() - started) * 1000 / len(articles)  # shared pass, split evenly
        info = self.describe()  # the same for every article of the call
        return [self._compose(a, e, encode_ms, info) for a, e in zip(articles, encoded, strict=True)]

    def _compose(
        self, article: PreparedArticle, encoded: EncodedArticle, encode_ms: float, info: BackendInfo
    ) -> Summary:
        started = time.perf_counter()
        options, sentences, models = article.options, article.sentences, self.models
        chosen, warnings = select_summary(
            sentences,
            encoded.embeddings,
            max_sentences=options.max_sentences,
            max_words=options.max_words,
            title_embedding=encoded.title_embedding,
        )
        bullets, bullet_notes = pick_bullets(models, article, encoded, chosen)
        cut = trim_summary(article.text, sentences, chosen, models.trim_head) if models.trim_head is not None else {}
        rank_ms = (time.perf_counter() - started) * 1000
        warnings.extend(bullet_notes)
        warnings.extend(pseudo_warnings(article, chosen + bullets))
        if len(chosen) < options.max_sentences and options.max_words is None and content_count(article) > len(chosen):
            warnings.append(f"returned {len(chosen)} of {options.max_sentences} sentences: the rest repeat chosen ones")

        def span(k: int, i: int) -> Span:
            s = sentences[i]
            if k in cut:  # a trimmed sentence: the kept prefix, and where the whole one ends
                return trimmed_span(s, trimmed_text(article.text, s, cut[k]), cut[k])
            return sentence_span(s)

        summary_spans = [span(k, i) for k, i in enumerate(chosen)]
        timings = {"segment": article.segment_ms, "encode": encode_ms, "rank": rank_ms}
        meta = Meta(
            backend=self.name,
            bullet_selector=models.bullet_selector,
            summary_trimming=models.summary_trimming,
            model=info.model,
            device=info.device,
            precision=info.precision,
            engine=info.engine,
            elapsed_ms=round(article.segment_ms + encode_ms + rank_ms, 2),
            input=input_stats(article),
            timings_ms=rounded(timings),
        )
        return Summary(
            summary=joined_summary(summary_spans),
            sentences=summary_spans,
            why_it_matters=[bullet_span(article.text, sentences[i]) for i in bullets],
            meta=meta,
            warnings=warnings,
        )

"""The extractive summary of one encoded article: what the extractive backend returns, and what the llm
backend falls back to (a model server down, or every generated sentence unsupported by the article)."""

from __future__ import annotations

import time

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
from summarizer.components.encoding import EncodedArticle
from summarizer.components.prepare import PreparedArticle
from summarizer.components.shared import SharedModels, engine_choice_info
from summarizer.schemas import BackendInfo, Meta, Span, Summary
from summarizer.selection.compression import trim_summary, trimmed_text
from summarizer.selection.ranking import select_summary


def extractive_info(models: SharedModels) -> BackendInfo:
    encoder = models.encoder
    return BackendInfo(
        backend="extractive",
        model=encoder.name,
        device=encoder.device,
        engine=models.engine,
        precision=models.precision,
        engine_choice=engine_choice_info(encoder),
    )


def compose_extractive(
    models: SharedModels, article: PreparedArticle, encoded: EncodedArticle, encode_ms: float, info: BackendInfo
) -> Summary:
    """Position-aware ranking with MMR, learned bullet selection, learned trimming of summary sentences."""
    started = time.perf_counter()
    options, sentences = article.options, article.sentences
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
        backend=info.backend,
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

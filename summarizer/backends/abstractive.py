"""Abstractive backend: a seq2seq model writes the summary; the extractive machinery keeps it checkable.

For a batch of articles:

1. validate and segment (shared with the extractive backend) and encode every sentence once;
2. pick the "Why it matters" sentences with the extractive selector (the extractive summary is
   what they must not repeat, and the fallback should the model write nothing);
3. summary: each article's sentences are packed into chunks that fit the model's window, every
   chunk of every article goes through ``generate()`` together, and the chunk summaries are
   reduced the same way until one input holds them all; nothing is dropped or silently cut;
4. bullets: the model condenses each selected sentence (an instruction for instruction-tuned
   models, a plain summary otherwise); each bullet keeps its source sentence's offsets;
5. provenance: each generated summary sentence is matched, by encoder similarity, to the article
   sentences it draws on most, as offsets.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from summarizer.components.compose import bullet_span, input_stats, pick_bullets, pseudo_warnings
from summarizer.components.encoding import EncodedArticle, encode_articles
from summarizer.components.prepare import PreparedArticle, prepare_article
from summarizer.components.provenance import (
    clean_generated,
    condensed_span,
    fit_sentences,
    generated_span,
    taken_span,
)
from summarizer.components.shared import SharedModels, load_shared_models
from summarizer.config import Settings
from summarizer.errors import ModelLoadError
from summarizer.models.recipes import Task
from summarizer.models.seq2seq import Seq2SeqModel
from summarizer.options import SummaryOptions
from summarizer.schemas import BackendInfo, Meta, Summary
from summarizer.selection.ranking import is_content, select_summary
from summarizer.text import count_words, normalize_for_model, segment
from summarizer.text.chunking import plan_chunks

if TYPE_CHECKING:
    from transformers import GenerationConfig

# Each reduce round shrinks the text about fourfold (a chunk's summary is capped at a quarter of the
# window), so eight rounds cover far more than the longest accepted article; past them the last
# input is cut to the window and the response says so.
MAX_REDUCE_ROUNDS = 8


@dataclass
class _Work:
    """One article on its way through the batch."""

    p: PreparedArticle
    embeddings: np.ndarray
    chosen: list[int]  # the extractive summary
    bullets: list[int]
    warnings: list[str]
    units: list[str]  # text still to summarize: the sentences, then chunk summaries
    chunks: int = 1
    truncated: bool = False
    summary: str = ""
    condensed: list[str] = field(default_factory=list)


class AbstractiveBackend:
    """A seq2seq ``generator`` writes; the shared encoder and heads select bullets and attribute sentences."""

    name = "abstractive"

    def __init__(self, models: SharedModels, generator: Seq2SeqModel, settings: Settings) -> None:
        self.models = models
        self.generator = generator
        self.settings = settings

    @classmethod
    def load(cls, settings: Settings, *, model: str | None = None, device: str | None = None) -> AbstractiveBackend:
        """Load the seq2seq checkpoint (``model`` or ``settings.model``) first, so a bad path fails fast."""
        checkpoint = model or settings.model
        if not checkpoint:
            raise ModelLoadError(
                "the abstractive backend needs a summarization checkpoint: set SUMMARIZER_MODEL to its directory "
                "(e.g. a DistilBART-CNN or BART-large-CNN download) or a hub id"
            )
        if settings.torch_threads:
            torch.set_num_threads(settings.torch_threads)
        generator = Seq2SeqModel.load(
            checkpoint,
            device=device or settings.device,
            precision=settings.generation_precision,
            prompt_style=settings.prompt_style,
            batch_size=settings.generation_batch_size,
            max_window=settings.chunk_tokens,
        )
        # SUMMARIZER_MODEL names the checkpoint here; the sentence encoder is the embedded one.
        return cls(load_shared_models(settings, device=device), generator, settings)

    def describe(self) -> BackendInfo:
        g = self.generator
        return BackendInfo(
            backend=self.name,
            model=g.name,
            device=g.device,
            engine="torch",
            precision=g.precision,
            encoder=self.models.encoder.name,
        )

    def prepare(self, text: object, title: object, options: SummaryOptions) -> PreparedArticle:
        return prepare_article(text, title, self.settings, options)

    def summarize_many(self, articles: Sequence[PreparedArticle]) -> list[Summary]:
        """Summarize several articles; their chunks share ``generate()`` batches and encoder passes."""
        if not articles:
            return []
        started = time.perf_counter()
        encoded = encode_articles(self.models.encoder, articles)
        encoded_at = time.perf_counter()
        work = [self._select(a, e) for a, e in zip(articles, encoded, strict=True)]
        ranked_at = time.perf_counter()
        by_length: dict[tuple[int, int | None], list[_Work]] = {}  # generation settings depend on the length knobs
        for w in work:
            by_length.setdefault((w.p.options.max_sentences, w.p.options.max_words), []).append(w)
        for (max_sentences, max_words), group in by_length.items():
            self._write_summaries(group, max_sentences, max_words)
        self._condense_bullets(work)
        generated_at = time.perf_counter()
        results = self._attribute(work)
        n = len(articles)  # shared passes: their time is split evenly
        shared = {
            "encode": (encoded_at - started + time.perf_counter() - generated_at) * 1000 / n,
            "rank": (ranked_at - encoded_at) * 1000 / n,
            "generate": (generated_at - ranked_at) * 1000 / n,
        }
        for w, result in zip(work, results, strict=True):
            timings = {"segment": w.p.segment_ms, **shared}
            result.meta.timings_ms = {k: round(v, 2) for k, v in timings.items()}
            result.meta.elapsed_ms = round(sum(timings.values()), 2)
        return results

    # -- steps ----------------------------------------------------------------------------------

    def _select(self, p: PreparedArticle, encoded: EncodedArticle) -> _Work:
        chosen, _ = select_summary(
            p.sentences,
            encoded.embeddings,
            max_sentences=p.options.max_sentences,
            max_words=p.options.max_words,
            title_embedding=encoded.title_embedding,
        )
        picked, warnings = pick_bullets(self.models, p, encoded, chosen)
        warnings += pseudo_warnings(p, chosen + picked)
        # Bylines, captions and "Click here" lines are not the article; everything else goes to the model.
        units = [t for s in p.sentences if not s.boilerplate and (t := normalize_for_model(s.text))]
        return _Work(p=p, embeddings=encoded.embeddings, chosen=chosen, bullets=picked, warnings=warnings, units=units)

    def _write_summaries(self, work: list[_Work], max_sentences: int, max_words: int | None) -> None:
        """Map-reduce over chunks, all articles together: one batched ``generate()`` per round and task."""
        g = self.generator
        budget = g.text_budget()
        beams, longest = self.settings.num_beams, self.settings.max_new_tokens
        final_config = g.generation_config(
            "summary", sentences=max_sentences, max_words=max_words, num_beams=beams, max_new_tokens=longest
        )
        unfloored_config = copy.deepcopy(final_config)
        unfloored_config.min_new_tokens = 0
        chunk_config = g.generation_config("chunk", num_beams=beams)
        pending = [i for i, w in enumerate(work) if w.units]
        for round_ in range(MAX_REDUCE_ROUNDS + 1):
            finals: list[tuple[int, str]] = []
            parts: list[tuple[int, str]] = []
            overlap = self.settings.chunk_overlap_sentences if round_ == 0 else 0  # summaries need no overlap
            for i in pending:
                plan = plan_chunks(work[i].units, g.count_tokens, budget, overlap)
                if round_ == 0:
                    work[i].chunks = len(plan.chunks)
                chunk_texts = plan.texts()
                if len(chunk_texts) == 1 or round_ == MAX_REDUCE_ROUNDS:  # the last round is cut, and says so
                    finals.append((i, " ".join(plan.units)))
                else:
                    parts.extend((i, text) for text in chunk_texts)
            # A length floor longer than the input makes a model invent; short inputs go without one.
            lengths = g.count_tokens([text for _, text in finals])
            floor = 2 * (final_config.min_new_tokens or 0)
            full = [f for f, n in zip(finals, lengths, strict=True) if n >= floor]
            short = [f for f, n in zip(finals, lengths, strict=True) if n < floor]
            for group, config in ((full, final_config), (short, unfloored_config)):
                written = self._generate(group, "summary", config, max_sentences)
                for (i, _), out, cut in zip(group, *written, strict=True):
                    work[i].summary = out
                    work[i].truncated |= cut
            reduced: dict[int, list[str]] = {}
            for (i, _), out, cut in zip(parts, *self._generate(parts, "chunk", chunk_config), strict=True):
                work[i].truncated |= cut
                reduced.setdefault(i, [])
                if out:
                    reduced[i].append(out)
            for i, units in reduced.items():
                work[i].units = units
            pending = [i for i in reduced if reduced[i]]
            if not pending:
                return

    def _generate(
        self, items: list[tuple[int, str]], task: Task, config: GenerationConfig, sentences: int = 3
    ) -> tuple[list[str], list[bool]]:
        if not items:
            return [], []
        framed = [self.generator.frame(text, task, sentences) for _, text in items]
        outputs, cut = self.generator.generate(framed, config)
        return [clean_generated(o) for o in outputs], cut

    def _condense_bullets(self, work: list[_Work]) -> None:
        items = [
            (i, normalize_for_model(bullet_span(w.p.text, w.p.sentences[b]).text))
            for i, w in enumerate(work)
            for b in w.bullets
        ]
        config = self.generator.generation_config("bullet", num_beams=self.settings.num_beams)
        outputs, cut = self._generate(items, "bullet", config)
        for (i, _), out, c in zip(items, outputs, cut, strict=True):
            work[i].condensed.append(out if count_words(out) else "")  # no word at all: use the sentence itself
            work[i].truncated |= c

    def _attribute(self, work: list[_Work]) -> list[Summary]:
        """Split the summaries into sentences, encode them with the bullets in one pass, attach sources."""
        kept = [
            fit_sentences(
                [s.text for s in segment(w.summary)] if w.summary else [],
                w.p.options.max_sentences,
                w.p.options.max_words,
            )
            for w in work
        ]
        flat = [s for sentences, _ in kept for s in sentences] + [b for w in work for b in w.condensed if b]
        vectors = iter(self.models.encoder.encode(flat)) if flat else iter(())
        summary_vectors = [[next(vectors) for _ in sentences] for sentences, _ in kept]  # bullets' vectors follow
        results = []
        for w, (sentences, fit_warnings), vecs in zip(work, kept, summary_vectors, strict=True):
            p = w.p
            candidates = [s.index for s in p.sentences if is_content(s)] or [s.index for s in p.sentences]
            warnings = w.warnings + fit_warnings
            spans = [
                generated_span(text, v, p.sentences, w.embeddings, candidates)
                for text, v in zip(sentences, vecs, strict=True)
            ]
            if not spans:
                spans = [taken_span(p.sentences[i]) for i in w.chosen]
                warnings.append("the model wrote an empty summary; the extractive summary is returned instead")
            bullet_spans = [
                condensed_span(
                    text, next(vectors) if text else None, bullet_span(p.text, p.sentences[b]), w.embeddings[b]
                )
                for b, text in zip(w.bullets, w.condensed, strict=True)
            ]
            if w.truncated:
                warnings.append("part of the input was cut to fit the model's window")
            summary = " ".join(s.text for s in spans)
            results.append(
                Summary(
                    summary=summary, sentences=spans, why_it_matters=bullet_spans, meta=self._meta(w), warnings=warnings
                )
            )
        return results

    def _meta(self, w: _Work) -> Meta:
        p, g = w.p, self.generator
        return Meta(
            backend=self.name,
            bullet_selector=self.models.bullet_selector,
            model=g.name,
            device=g.device,
            engine="torch",
            precision=g.precision,
            elapsed_ms=0.0,  # set once the shared passes are timed
            input=input_stats(p),
            encoder=self.models.encoder.name,
            chunks=w.chunks,
            truncated=w.truncated,
        )

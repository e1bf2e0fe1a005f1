"""LLM backend: an instruction-tuned language model writes the summary and bullets; the grounding guard checks them.

For each article:

1. validate and segment (shared) and encode every sentence once, all articles of the call together;
2. if the article does not fit the model's window, its sentences are packed into chunks
   (``text.chunking.plan_chunks``, counted with the model's tokenizer), each chunk is condensed to
   notes, and the notes are packed again until they fit (map-reduce; nothing is dropped or cut);
3. one prompt (template files, ``components/llm_prompts.py``) asks for the summary and the "Why it
   matters" bullets as one JSON object; the answer is parsed whatever its shape;
4. the grounding guard (``components/grounding.py``) aligns every generated sentence to the article
   sentences that support it and drops or flags the unsupported ones; if no summary sentence is
   left, or the model server fails and ``SUMMARIZER_LLM_FALLBACK=extractive``, the extractive
   result is returned with a warning (``meta.fallback_from: llm``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from summarizer.components.compose import input_stats
from summarizer.components.encoding import EncodedArticle, encode_timed
from summarizer.components.extractive import compose_extractive, extractive_info
from summarizer.components.grounding import ArticleFacts, Part, apply_policy, check
from summarizer.components.llm_prompts import Answer, Templates, answer_schema, note_sentences, parse_answer
from summarizer.components.prepare import PreparedArticle, prepare_article
from summarizer.components.provenance import clean_generated, fit_sentences
from summarizer.components.shared import SharedModels, load_shared_models
from summarizer.config import Settings
from summarizer.errors import ModelLoadError, UpstreamError
from summarizer.models.chat_loader import load_chat_client
from summarizer.models.llm import ChatClient, Completion, Message, OnToken
from summarizer.options import SummaryOptions
from summarizer.schemas import BackendInfo, Meta, Summary, TokenCounts
from summarizer.selection.ranking import is_content
from summarizer.text import normalize_for_model
from summarizer.text.chunking import plan_chunks

MAX_REDUCE_ROUNDS = 8  # each round shrinks the text at least fourfold (notes are capped at a quarter of a chunk)
_TEMPLATE_MARGIN_TOKENS = 48  # chat-template markup around the messages
_NOTE_SENTENCES = 3


@dataclass
class _Run:
    """What one article's generation used."""

    chunks: int = 1
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def add(self, c: Completion) -> Completion:
        self.prompt_tokens += c.prompt_tokens
        self.completion_tokens += c.completion_tokens
        self.seconds += c.seconds
        return c


class LlmBackend:
    """A chat model (local or behind an OpenAI-compatible server) writes; the shared encoder checks and attributes."""

    name = "llm"

    def __init__(self, models: SharedModels, client: ChatClient, settings: Settings) -> None:
        self.models = models
        self.client = client
        self.settings = settings
        self.templates = Templates.load(settings.llm_templates_dir)

    @classmethod
    def load(cls, settings: Settings, *, model: str | None = None, device: str | None = None) -> LlmBackend:
        """The chat model first (``model`` overrides SUMMARIZER_LLM_MODEL), so a bad path fails fast."""
        if model:
            settings = settings.model_copy(update={"llm_model": model})
        client = load_chat_client(settings, device=device)
        return cls(load_shared_models(settings, device=device), client, settings)

    def describe(self) -> BackendInfo:
        c = self.client
        return BackendInfo(
            backend=self.name,
            model=c.name,
            device=c.device,
            engine=c.engine,
            precision=c.precision,
            encoder=self.models.encoder.name,
            provider=c.provider,
        )

    def prepare(self, text: object, title: object, options: SummaryOptions) -> PreparedArticle:
        return prepare_article(text, title, self.settings, options)

    def summarize_many(self, articles: Sequence[PreparedArticle]) -> list[Summary]:
        if not articles:
            return []
        encoded, encode_ms = encode_timed(self.models.encoder, articles)
        jobs = list(zip(articles, encoded, strict=True))
        if self.client.max_concurrency > 1 and len(jobs) > 1:
            with ThreadPoolExecutor(min(self.client.max_concurrency, len(jobs))) as pool:
                return list(pool.map(lambda job: self._one(job[0], job[1], encode_ms, None), jobs))
        return [self._one(a, e, encode_ms, None) for a, e in jobs]

    def summarize_streaming(self, article: PreparedArticle, on_token: OnToken) -> Summary:
        """One article; ``on_token`` receives the final answer's text as the model writes it."""
        (encoded,), encode_ms = encode_timed(self.models.encoder, [article])
        return self._one(article, encoded, encode_ms, on_token)

    # -- one article ----------------------------------------------------------------------------

    def _one(self, p: PreparedArticle, encoded: EncodedArticle, encode_ms: float, on_token: OnToken | None) -> Summary:
        run = _Run()
        started = time.perf_counter()
        try:
            answer = self._generate(p, run, on_token)
        except UpstreamError as exc:
            if self.settings.llm_fallback != "extractive":
                raise
            return self._fallback(p, encoded, encode_ms, f"the language model failed ({exc.code}: {exc.message})")
        generate_ms = (time.perf_counter() - started) * 1000
        return self._ground(
            p, encoded, answer, run, {"segment": p.segment_ms, "encode": encode_ms, "generate": generate_ms}
        )

    def _budget(self, options: SummaryOptions, max_new_tokens: int) -> int:
        """Article tokens that fit one prompt beside the template and the answer."""
        overhead = self.client.count_tokens([m["content"] for m in self.templates.summary_messages("", "", options)])
        budget = self.client.context_tokens - sum(overhead) - _TEMPLATE_MARGIN_TOKENS - max_new_tokens
        if budget < 64:
            raise ModelLoadError(
                f"the model's window ({self.client.context_tokens} tokens) leaves no room for an article after the "
                f"prompt and {max_new_tokens} answer tokens: raise SUMMARIZER_LLM_CONTEXT_TOKENS or lower "
                "SUMMARIZER_LLM_MAX_NEW_TOKENS"
            )
        return budget

    def _generate(self, p: PreparedArticle, run: _Run, on_token: OnToken | None) -> Answer:
        max_new = self.settings.llm_max_new_tokens
        budget = self._budget(p.options, max_new)
        units = [t for s in p.sentences if not s.boilerplate and (t := normalize_for_model(s.text))]
        note_tokens = max(8, min(max_new, budget // 4))
        overlap = self.settings.chunk_overlap_sentences
        for round_ in range(MAX_REDUCE_ROUNDS + 1):
            plan = plan_chunks(units, self.client.count_tokens, budget, overlap if round_ == 0 else 0)
            if round_ == 0:
                run.chunks = max(1, len(plan.chunks))
            texts = plan.texts()
            if len(texts) <= 1:
                break
            if round_ == MAX_REDUCE_ROUNDS:  # not reached for any accepted article; said, never silent
                raise UpstreamError("the article did not shrink to the model's window", code="upstream_bad_response")
            parts = [self.templates.chunk_messages(t, k + 1, len(texts), _NOTE_SENTENCES) for k, t in enumerate(texts)]
            notes = self._map(parts, note_tokens, run)
            units = [s for note in notes for s in note_sentences(clean_generated(note.text))]
            if not units:
                raise UpstreamError("the model wrote nothing for the article's parts", code="upstream_bad_response")
        article = " ".join(units)
        messages = self.templates.summary_messages(article, p.title, p.options)
        answer = run.add(
            self.client.complete(
                messages, max_new_tokens=max_new, json_schema=answer_schema(p.options), on_token=on_token
            )
        )
        return parse_answer(answer.text)

    def _map(self, messages: list[list[Message]], max_new_tokens: int, run: _Run) -> list[Completion]:
        call: Callable[[list[Message]], Completion] = lambda m: run.add(  # noqa: E731
            self.client.complete(m, max_new_tokens=max_new_tokens)
        )
        if self.client.max_concurrency > 1 and len(messages) > 1:
            with ThreadPoolExecutor(min(self.client.max_concurrency, len(messages))) as pool:
                return list(pool.map(call, messages))
        return [call(m) for m in messages]

    def _ground(
        self, p: PreparedArticle, encoded: EncodedArticle, answer: Answer, run: _Run, timings: dict[str, float]
    ) -> Summary:
        started = time.perf_counter()
        o = p.options
        generated: list[tuple[Part, str]] = [("summary", clean_generated(t)) for t in answer.summary]
        generated += [("why_it_matters", clean_generated(t)) for t in answer.why_it_matters]
        generated = [(part, t) for part, t in generated if t]
        candidates = [s.index for s in p.sentences if is_content(s)] or [s.index for s in p.sentences]
        vectors = self.models.encoder.encode([t for _, t in generated]) if generated else np.zeros((0, 1))
        threshold = self.settings.llm_support_threshold
        checked = check(
            generated, vectors, p.sentences, encoded.embeddings, candidates, ArticleFacts.of(p.text), threshold
        )
        summary, bullets, grounding = apply_policy(checked, self.settings.llm_unsupported, threshold)
        kept, warnings = fit_sentences([s.text for s in summary], o.max_sentences, o.max_words)
        summary = summary[: len(kept)]
        bullets = bullets[: o.bullets]
        if not answer.structured and generated:
            warnings.append("the model did not answer in the JSON asked for; its text was split into sentences")
        if grounding.dropped:
            warnings.append(f"{grounding.dropped} generated sentence(s) dropped: not supported by the article")
        if grounding.flagged:
            warnings.append(
                f"{grounding.flagged} generated sentence(s) kept but not supported by the article: "
                "they carry supported=false and their issues"
            )
        supported_bullets = sum(b.supported is not False for b in bullets)
        if supported_bullets < o.bullets:
            warnings.append(f"asked for {o.bullets} bullets; {supported_bullets} supported ones were written")
        if not summary:
            reason = (
                "no generated summary sentence is supported by the article" if generated else "the model wrote nothing"
            )
            fallback = self._fallback(p, encoded, timings["encode"], reason)
            fallback.meta.grounding = grounding
            fallback.meta.chunks = run.chunks
            fallback.meta.tokens = TokenCounts(prompt=run.prompt_tokens, completion=run.completion_tokens)
            fallback.meta.timings_ms["generate"] = round(timings["generate"], 2)
            return fallback
        timings["ground"] = (time.perf_counter() - started) * 1000
        meta = self._meta(p, run, timings)
        meta.grounding = grounding
        return Summary(
            summary=" ".join(s.text for s in summary),
            sentences=summary,
            why_it_matters=bullets,
            meta=meta,
            warnings=run.warnings + warnings,
        )

    def _fallback(self, p: PreparedArticle, encoded: EncodedArticle, encode_ms: float, reason: str) -> Summary:
        result = compose_extractive(self.models, p, encoded, encode_ms, extractive_info(self.models))
        result.meta.fallback_from = self.name
        result.warnings.insert(0, f"{reason}; the extractive summary is returned instead")
        return result

    def _meta(self, p: PreparedArticle, run: _Run, timings: dict[str, float]) -> Meta:
        c = self.client
        return Meta(
            backend=self.name,
            bullet_selector="generated",
            model=c.name,
            device=c.device,
            engine=c.engine,
            precision=c.precision,
            elapsed_ms=round(sum(timings.values()), 2),
            input=input_stats(p),
            timings_ms={k: round(v, 2) for k, v in timings.items()},
            encoder=self.models.encoder.name,
            chunks=run.chunks,
            truncated=False,
            tokens=TokenCounts(prompt=run.prompt_tokens, completion=run.completion_tokens),
        )

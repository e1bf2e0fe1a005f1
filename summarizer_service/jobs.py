"""The one request path: HTTP articles become service jobs once, are prepared once, summarized, finished.

    SummarizeRequest -> ArticleJob (html/url resolved to text) -> cache lookup
        -> PreparedArticle (validated and segmented on a pool thread) -> batcher (one model pass)
        -> Summary (+ source, source_text) -> cache

Blocking work (HTML extraction, fetching, segmentation) runs on worker threads, never on the event
loop and never in the single model worker; fetches have a thread limit of their own, so slow
origins cannot take the threads that other requests need. Whatever stops one article (a page that
cannot be fetched, text that cannot be summarized, a model failure) is that article's outcome only:
a batch request answers every other article.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import anyio
import anyio.to_thread

from summarizer import Settings, Summarizer, Summary
from summarizer.components.prepare import PreparedArticle
from summarizer.errors import FetchTimeoutError, SummarizerError
from summarizer.inputs.fetch import fetch_html
from summarizer.inputs.html import html_article
from summarizer.options import SummaryOptions
from summarizer.schemas import SourceInfo
from summarizer_service.cache import ResultCache
from summarizer_service.runtime import Outcome
from summarizer_service.schemas import SummarizeRequest


@dataclass
class ArticleJob:
    """One article of a request: its text (once resolved), or the error that stopped it."""

    text: str
    title: str | None
    options: SummaryOptions
    include_source: bool
    source: SourceInfo | None = None
    error: SummarizerError | None = None

    def cache_key(self) -> bytes:
        """Everything that shapes the result: text, title and options (the service holds one model)."""
        o = self.options
        payload = json.dumps([self.text, self.title, o.max_sentences, o.max_words, o.bullets], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).digest()

    def finish(self, summary: Summary) -> Summary:
        """Add ``source`` (html/url input) and ``source_text`` (when asked) to the summary."""
        update: dict[str, object] = {}
        if self.source is not None:
            update["source"] = self.source
        if self.include_source:
            update["source_text"] = self.text
        return summary.model_copy(update=update) if update else summary


class Batcher(Protocol):
    """What the routes need from a batcher: ``MicroBatcher``, or Ray Serve's ``@serve.batch`` (ray_serve.py)."""

    @property
    def depth(self) -> int: ...
    def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def submit(self, summarizer: Summarizer, articles: Sequence[PreparedArticle]) -> list[Outcome]: ...


def _resolve(request: SummarizeRequest, settings: Settings, deadline: float | None) -> ArticleJob:
    """Runs on a worker thread: html/url input becomes text (fetching and extraction block)."""
    job = ArticleJob("", request.title, request.options(), request.include_source)
    try:
        html, url = request.html, None
        if request.url is not None:
            page = fetch_html(request.url, settings, deadline=deadline)
            html, url = page.html, page.url
        article = html_article(html, settings, title=request.title, url=url)
    except SummarizerError as exc:
        job.error = exc
        return job
    job.text, job.title, job.source = article.text, article.title, article.source
    return job


async def _job(request: SummarizeRequest, settings: Settings, fetches: anyio.CapacityLimiter) -> ArticleJob:
    if request.text is not None:  # the common case: nothing blocks
        return ArticleJob(request.text, request.title, request.options(), request.include_source)
    if request.url is None:
        return await anyio.to_thread.run_sync(_resolve, request, settings, None)
    # The fetch deadline starts now: time spent waiting for a fetch thread counts against it. The
    # fetch ends itself at the deadline; the margin here only bounds the wait for a thread.
    deadline = time.monotonic() + settings.fetch_timeout_s
    with anyio.move_on_after(settings.fetch_timeout_s + 1):
        return await anyio.to_thread.run_sync(
            _resolve, request, settings, deadline, limiter=fetches, abandon_on_cancel=True
        )
    timed_out = ArticleJob("", request.title, request.options(), request.include_source)
    timed_out.error = FetchTimeoutError("the page took too long to fetch (SUMMARIZER_FETCH_TIMEOUT_S)")
    return timed_out


async def make_jobs(
    requests: Sequence[SummarizeRequest], settings: Settings, fetches: anyio.CapacityLimiter
) -> list[ArticleJob]:
    """One job per article, in order; html/url articles are resolved concurrently."""
    jobs: list[ArticleJob | None] = [None] * len(requests)

    async def resolve(i: int, request: SummarizeRequest) -> None:
        jobs[i] = await _job(request, settings, fetches)

    async with anyio.create_task_group() as group:
        for i, request in enumerate(requests):
            group.start_soon(resolve, i, request)
    return [job for job in jobs if job is not None]


def _prepare(summarizer: Summarizer, jobs: Sequence[ArticleJob]) -> list[PreparedArticle | SummarizerError]:
    prepared: list[PreparedArticle | SummarizerError] = []
    for job in jobs:
        try:
            prepared.append(summarizer.prepare(job.text, job.title, options=job.options))
        except SummarizerError as exc:
            prepared.append(exc)
    return prepared


async def summarize_jobs(
    jobs: Sequence[ArticleJob], summarizer: Summarizer, batcher: Batcher, cache: ResultCache | None
) -> list[Outcome]:
    """Each job's outcome, in order: cached summaries at once, the rest through one model pass."""
    outcomes: list[Outcome | None] = [job.error for job in jobs]
    keys = {i: job.cache_key() for i, job in enumerate(jobs) if job.error is None and cache is not None}
    for i, key in keys.items():
        outcomes[i] = cache.get(key) if cache is not None else None
    missing = [i for i, outcome in enumerate(outcomes) if outcome is None]
    if missing:
        # Off the model thread: the model encodes other requests meanwhile, and an invalid article is
        # refused at once instead of after waiting its turn.
        prepared = await anyio.to_thread.run_sync(_prepare, summarizer, [jobs[i] for i in missing])
        ready = [(i, p) for i, p in zip(missing, prepared, strict=True) if isinstance(p, PreparedArticle)]
        for i, p in zip(missing, prepared, strict=True):
            if not isinstance(p, PreparedArticle):
                outcomes[i] = p
        if ready:
            fresh = await batcher.submit(summarizer, [p for _, p in ready])
            for (i, _), outcome in zip(ready, fresh, strict=True):
                outcomes[i] = outcome
                if cache is not None and isinstance(outcome, Summary):
                    cache.put(keys[i], outcome)
    return [
        jobs[i].finish(outcome) if isinstance(outcome, Summary) else outcome
        for i, outcome in enumerate(outcomes)
        if outcome is not None
    ]

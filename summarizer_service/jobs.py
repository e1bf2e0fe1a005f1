"""The one request path: HTTP articles become service jobs once, are prepared once, summarized, finished.

    SummarizeRequest -> ArticleJob (html/url resolved to text) -> cache lookup
        -> PreparedArticle (validated and segmented on a pool thread) -> batcher (one model pass)
        -> Summary (+ source, source_text) -> cache

Blocking work (HTML extraction, fetching, segmentation) runs in Starlette's thread pool, never on
the event loop and never in the single model worker. An error names its article in a batch request.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from starlette.concurrency import run_in_threadpool

from summarizer import Settings, Summarizer, Summary
from summarizer.components.prepare import PreparedArticle
from summarizer.errors import SummarizerError
from summarizer.inputs.fetch import fetch_html
from summarizer.inputs.html import html_article
from summarizer.options import SummaryOptions
from summarizer.schemas import SourceInfo
from summarizer_service.cache import ResultCache
from summarizer_service.schemas import SummarizeRequest


@dataclass
class ArticleJob:
    """One article of a request, as text, with what its answer still needs."""

    index: int | None  # position in a batch request (None for a single article): errors name it
    text: str
    title: str | None
    options: SummaryOptions
    include_source: bool
    source: SourceInfo | None = None

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
    async def submit(self, summarizer: Summarizer, articles: Sequence[PreparedArticle]) -> list[Summary]: ...


def _numbered(exc: SummarizerError, index: int | None) -> SummarizerError:
    exc.article_index = index
    return exc


def _job(request: SummarizeRequest, index: int | None, settings: Settings) -> ArticleJob:
    """Runs on a pool thread: html/url input becomes text (fetching and extraction block)."""
    text, title, source = request.text, request.title, None
    try:
        if text is None:
            html, url = request.html, None
            if request.url is not None:
                page = fetch_html(request.url, settings)
                html, url = page.html, page.url
            article = html_article(html, settings, title=title, url=url)
            text, title, source = article.text, article.title, article.source
    except SummarizerError as exc:
        raise _numbered(exc, index) from None
    return ArticleJob(index, text, title, request.options(), request.include_source, source)


async def make_jobs(requests: Sequence[SummarizeRequest], settings: Settings) -> list[ArticleJob]:
    """One job per article; the first that cannot be resolved fails the request, naming its article."""
    numbered = len(requests) > 1
    if all(r.text is not None for r in requests):  # the common case: nothing blocks
        return [_job(r, i if numbered else None, settings) for i, r in enumerate(requests)]
    return list(
        await asyncio.gather(
            *(run_in_threadpool(_job, r, i if numbered else None, settings) for i, r in enumerate(requests))
        )
    )


def _prepare(summarizer: Summarizer, jobs: Sequence[ArticleJob]) -> list[PreparedArticle]:
    prepared = []
    for job in jobs:
        try:
            prepared.append(summarizer.prepare(job.text, job.title, options=job.options))
        except SummarizerError as exc:
            raise _numbered(exc, job.index) from None
    return prepared


async def summarize_jobs(
    jobs: Sequence[ArticleJob], summarizer: Summarizer, batcher: Batcher, cache: ResultCache | None
) -> list[Summary]:
    """Summaries of ``jobs`` (one request), in order: cached ones at once, the rest through one model pass."""
    keys = [job.cache_key() for job in jobs] if cache is not None else []
    results: list[Summary | None] = [cache.get(k) for k in keys] if cache is not None else [None] * len(jobs)
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        # Off the model thread: the model encodes other requests meanwhile, and an invalid article is
        # refused at once instead of after waiting its turn.
        prepared = await run_in_threadpool(_prepare, summarizer, [jobs[i] for i in missing])
        for i, summary in zip(missing, await batcher.submit(summarizer, prepared), strict=True):
            results[i] = summary
            if cache is not None:
                cache.put(keys[i], summary)
    return [job.finish(r) for job, r in zip(jobs, results, strict=True) if r is not None]

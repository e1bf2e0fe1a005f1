"""HTML and URL articles: turned into text before they reach the model, and their answers completed.

Extraction and fetching block (lxml, sockets), so they run in Starlette's thread pool, never on the
event loop and never in the single model worker. Status codes of the fetch errors:

| code | status | cause |
|---|---|---|
| url_fetch_disabled, host_not_allowed, redirect_not_allowed | 403 | the server's fetch policy refuses it |
| invalid_url, unsupported_content_type | 422 | the URL or the page it names is not usable |
| page_too_large | 413 | the page is over SUMMARIZER_FETCH_MAX_BYTES |
| fetch_failed, too_many_redirects | 502 | the upstream site failed (unreachable, error status) |
| fetch_timeout | 504 | the upstream site was too slow |
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from service.errors import ApiError
from service.schemas import SummarizeRequest
from summarizer import Settings, Summary
from summarizer.errors import FetchError, FetchRefusedError, InvalidInputError
from summarizer.fetch import fetch_html
from summarizer.html import extract_with_settings
from summarizer.schemas import SourceInfo


@dataclass
class ResolvedArticles:
    """The requests as plain text (what the batcher takes), with what each answer still needs."""

    requests: list[SummarizeRequest]
    sources: list[SourceInfo | None]

    def finish(self, results: Sequence[Summary]) -> list[Summary]:
        """Add ``source`` (html/url input) and ``source_text`` (when asked) to each summary."""
        finished = []
        for request, source, result in zip(self.requests, self.sources, results, strict=True):
            update: dict[str, object] = {}
            if source is not None:
                update["source"] = source
            if request.include_source:
                update["source_text"] = request.text
            finished.append(result.model_copy(update=update) if update else result)
        return finished


async def resolve_articles(articles: Sequence[SummarizeRequest], settings: Settings) -> ResolvedArticles:
    """Extract the text of every html/url article; the first failure fails the request, naming its article."""
    if all(a.text is not None for a in articles):  # the common case: nothing to do
        return ResolvedArticles(list(articles), [None] * len(articles))
    numbered = len(articles) > 1
    resolved = await asyncio.gather(*(_resolve(a, i if numbered else None, settings) for i, a in enumerate(articles)))
    return ResolvedArticles([r for r, _ in resolved], [s for _, s in resolved])


async def _resolve(
    article: SummarizeRequest, index: int | None, settings: Settings
) -> tuple[SummarizeRequest, SourceInfo | None]:
    if article.text is not None:
        return article, None
    try:
        return await run_in_threadpool(_extract, article, settings)
    except InvalidInputError as exc:
        exc.article_index = index  # the error handler's message names the article in a batch
        raise
    except FetchError as exc:
        prefix = f"article {index}: " if index is not None else ""
        raise ApiError(_fetch_status(exc), exc.code, prefix + exc.message) from None


def _extract(article: SummarizeRequest, settings: Settings) -> tuple[SummarizeRequest, SourceInfo]:
    url = None
    html = article.html
    if article.url is not None:
        page = fetch_html(article.url, settings)
        url, html = page.url, page.html
    extracted = extract_with_settings(html, settings)
    source = SourceInfo(url=url, title=extracted.title, date=extracted.date)
    # The page's headline steers ranking like a title the client sends; the client's own title wins.
    title = article.title if article.title is not None else extracted.title
    return article.model_copy(update={"text": extracted.text, "html": None, "url": None, "title": title}), source


def _fetch_status(exc: FetchError) -> int:
    if isinstance(exc, FetchRefusedError):
        return 403
    return 504 if exc.code == "fetch_timeout" else 502

"""Cross-request micro-batching with a bounded queue.

Requests waiting for the model are gathered into one ``summarize_many`` pass: when the model is
idle the first request waits at most ``batch_wait_ms`` for company; while a pass runs, new
requests queue and form the next pass. The queue is bounded: past ``max_queue`` waiting requests
the service answers 503 with Retry-After at once instead of letting latency grow without bound.
A request that passes its deadline gets 504, and its work is dropped if it has not started.
Articles seen before with the same options are answered from a bounded LRU without queueing.
An invalid article fails only its own request, never its batch-mates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from service.cache import ResultCache, cache_key
from service.errors import ApiError
from service.observability import Metrics
from service.runtime import ModelRuntime, summarize_grouped
from service.schemas import SummarizeRequest
from summarizer import Summarizer, Summary
from summarizer.errors import InvalidInputError

log = logging.getLogger("summarizer.service")
RETRY_AFTER_OVERLOADED_S = "1"


@dataclass
class _Job:
    articles: Sequence[SummarizeRequest]
    future: asyncio.Future = field(repr=False)


class MicroBatcher:
    def __init__(
        self,
        runtime: ModelRuntime,
        *,
        wait_ms: float,
        max_articles: int,
        max_queue: int,
        timeout_s: float | None = None,
        metrics: Metrics | None = None,
        cache: ResultCache | None = None,
    ) -> None:
        self.runtime = runtime
        self.wait_s = wait_ms / 1000
        self.timeout_s = timeout_s
        self.metrics = metrics
        self.cache = cache
        self.max_articles = max_articles
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(maxsize=max_queue)
        self._task: asyncio.Task | None = None
        self.batch_sizes: list[int] = []  # articles per model pass, for tests and benchmarks

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="summarizer-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def submit(self, summarizer: Summarizer, articles: Sequence[SummarizeRequest]) -> list[Summary]:
        """Summaries of ``articles`` (one request): cached ones at once, the rest through the model queue."""
        if self.cache is None:
            return await self._submit_job(summarizer, articles)
        keys = [cache_key(a) for a in articles]
        results: list[Summary | None] = [self.cache.get(k) for k in keys]
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:
            try:
                fresh = await self._submit_job(summarizer, [articles[i] for i in missing])
            except InvalidInputError as exc:
                if len(articles) > 1:  # renumber from the submitted subset to the client's request
                    exc.article_index = missing[exc.article_index or 0]
                raise
            for i, summary in zip(missing, fresh, strict=True):
                results[i] = summary
                self.cache.put(keys[i], summary)
        return [r for r in results if r is not None]

    async def _submit_job(self, summarizer: Summarizer, articles: Sequence[SummarizeRequest]) -> list[Summary]:
        """Validate and segment ``articles`` on a pool thread, then queue them and wait for their summaries."""
        # Off the model thread: the model encodes other requests meanwhile, and an invalid article is
        # refused at once instead of after waiting its turn.
        await run_in_threadpool(_prepare_all, summarizer, articles)
        job = _Job(articles, asyncio.get_running_loop().create_future())
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            raise ApiError(
                503,
                "overloaded",
                f"{self._queue.maxsize} requests are already waiting for the model; retry shortly",
                {"Retry-After": RETRY_AFTER_OVERLOADED_S},
            ) from None
        try:
            # On timeout wait_for cancels the future: a job not yet started is then skipped by the batcher.
            return await asyncio.wait_for(job.future, self.timeout_s)
        except asyncio.TimeoutError:  # the builtin TimeoutError only from Python 3.11
            if self.metrics is not None:
                self.metrics.timeouts.inc()
            raise ApiError(
                504, "timeout", f"no result within the request deadline of {self.timeout_s:g} s; retry later"
            ) from None

    async def _run(self) -> None:
        while True:
            jobs = [await self._queue.get()]
            await self._gather(jobs)
            live = [j for j in jobs if not j.future.done()]  # a client may have gone away
            if not live:
                continue
            try:
                summarizer = self.runtime.require()
                outcomes = await self.runtime.run(_summarize_jobs, summarizer, [j.articles for j in live])
            except Exception as exc:  # the whole pass failed (not ready, worker stopped, a bug)
                outcomes = [exc] * len(live)
            self.batch_sizes.append(sum(len(j.articles) for j in live))
            if self.metrics is not None:
                self.metrics.batch_articles.observe(self.batch_sizes[-1])
            for job, outcome in zip(live, outcomes, strict=True):
                if job.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    job.future.set_exception(outcome)
                else:
                    job.future.set_result(outcome)

    async def _gather(self, jobs: list[_Job]) -> None:
        """Add queued jobs until the article cap, waiting up to ``wait_s`` when the queue runs dry."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_s
        count = len(jobs[0].articles)
        while count < self.max_articles:
            try:
                job = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                try:
                    job = await asyncio.wait_for(self._queue.get(), remaining)
                except asyncio.TimeoutError:
                    return
            jobs.append(job)
            count += len(job.articles)


def _prepare_all(summarizer: Summarizer, articles: Sequence[SummarizeRequest]) -> None:
    """Attach each article's validated segmentation; the first invalid one raises (numbered in a batch)."""
    prepare = getattr(summarizer, "prepare", None)
    if prepare is None:  # a summarizer without the split API: the model worker validates
        return
    for i, article in enumerate(articles):  # html/url input was turned into text before this
        try:
            article._prepared = prepare(article.text, article.title)
        except InvalidInputError as exc:
            if len(articles) > 1:
                exc.article_index = i
            raise


def _summarize_jobs(
    summarizer: Summarizer, jobs: list[Sequence[SummarizeRequest]]
) -> list[list[Summary] | InvalidInputError]:
    """Runs in the model worker: one grouped pass over every job's articles.

    An invalid article raises before any model work; its job gets the error (numbered within its
    own request) and the pass is retried without it.
    """
    outcomes: list[list[Summary] | InvalidInputError | None] = [None] * len(jobs)
    pending = list(range(len(jobs)))
    while pending:
        owners = [j for j in pending for _ in jobs[j]]
        offsets = {j: sum(len(jobs[p]) for p in pending[: pending.index(j)]) for j in pending}
        try:
            results = summarize_grouped(summarizer, [a for j in pending for a in jobs[j]])
        except InvalidInputError as exc:
            index = exc.article_index or 0
            bad = owners[index]
            exc.article_index = index - offsets[bad] if len(jobs[bad]) > 1 else None
            outcomes[bad] = exc
            pending.remove(bad)
            continue
        for j in pending:
            outcomes[j] = results[offsets[j] : offsets[j] + len(jobs[j])]
        break
    return outcomes  # type: ignore[return-value]

"""Cross-request micro-batching with a bounded queue.

Requests waiting for the model are gathered into one model pass: when the model is idle the first
request waits at most ``batch_wait_ms`` for company; while a pass runs, new requests queue and
form the next pass. The queue is bounded: past ``max_queue`` waiting requests the service answers
503 with Retry-After at once instead of letting latency grow without bound. A request that passes
its deadline gets 504, and its work is dropped if it has not started. Articles arrive prepared
(validated and segmented), so a pass has nothing left to refuse; should it fail all the same, the
failure stays with the article that caused it (``runtime.run_pass``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer import Summarizer, Summary
from summarizer.components.prepare import PreparedArticle
from summarizer_service.errors import ApiError
from summarizer_service.observability import Metrics
from summarizer_service.runtime import ModelRuntime, Outcome, run_pass

log = logging.getLogger("summarizer.service")
RETRY_AFTER_OVERLOADED_S = "1"


@dataclass
class _Request:
    articles: Sequence[PreparedArticle]
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
    ) -> None:
        self.runtime = runtime
        self.wait_s = wait_ms / 1000
        self.timeout_s = timeout_s
        self.metrics = metrics
        self.max_articles = max_articles
        self._queue: asyncio.Queue[_Request] = asyncio.Queue(maxsize=max_queue)
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

    async def submit(self, summarizer: Summarizer, articles: Sequence[PreparedArticle]) -> list[Outcome]:
        """Queue one request's prepared articles for the next model pass and wait for their outcomes."""
        request = _Request(articles, asyncio.get_running_loop().create_future())
        try:
            self._queue.put_nowait(request)
        except asyncio.QueueFull:
            raise ApiError(
                503,
                "overloaded",
                f"{self._queue.maxsize} requests are already waiting for the model; retry shortly",
                {"Retry-After": RETRY_AFTER_OVERLOADED_S},
            ) from None
        try:
            # On timeout wait_for cancels the future: a request not yet started is then skipped by the batcher.
            return await asyncio.wait_for(request.future, self.timeout_s)
        except asyncio.TimeoutError:  # the builtin TimeoutError only from Python 3.11
            if self.metrics is not None:
                self.metrics.timeouts.inc()
            raise ApiError(
                504, "timeout", f"no result within the request deadline of {self.timeout_s:g} s; retry later"
            ) from None

    async def _run(self) -> None:
        while True:
            requests = [await self._queue.get()]
            await self._gather(requests)
            live = [r for r in requests if not r.future.done()]  # a client may have gone away
            if not live:
                continue
            outcomes: Sequence[list[Outcome] | BaseException]
            try:
                summarizer = self.runtime.require()
                outcomes = await self.runtime.run(run_pass, summarizer, [r.articles for r in live])
            except Exception as exc:  # the whole pass failed (not ready, worker stopped)
                outcomes = [exc] * len(live)
            self.batch_sizes.append(sum(len(r.articles) for r in live))
            if self.metrics is not None:
                self.metrics.batch_articles.observe(self.batch_sizes[-1])
                for outcome in outcomes:
                    for one in outcome if isinstance(outcome, list) else []:
                        if isinstance(one, Summary):
                            self.metrics.observe_summary(one)
            for request, outcome in zip(live, outcomes, strict=True):
                if request.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    request.future.set_exception(outcome)
                else:
                    request.future.set_result(outcome)

    async def _gather(self, requests: list[_Request]) -> None:
        """Add queued requests until the article cap, waiting up to ``wait_s`` when the queue runs dry."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_s
        count = len(requests[0].articles)
        while count < self.max_articles:
            try:
                request = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                try:
                    request = await asyncio.wait_for(self._queue.get(), remaining)
                except asyncio.TimeoutError:
                    return
            requests.append(request)
            count += len(request.articles)

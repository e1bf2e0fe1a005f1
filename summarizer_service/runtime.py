"""The one model and the one worker thread that runs it.

Model work (loading, encoding) never runs on the event loop: it goes to a single-worker
``ThreadPoolExecutor``, so ``/healthz`` and other cheap routes keep answering while a request
is being summarized or the model is still loading.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

from summarizer import Settings, Summarizer, Summary
from summarizer.components.prepare import PreparedArticle
from summarizer.errors import ModelLoadError, UpstreamError
from summarizer_service.errors import ApiError, excerpt

log = logging.getLogger("summarizer.service")

T = TypeVar("T")
Status = Literal["idle", "loading", "ready", "failed"]
RETRY_AFTER_S = "5"
WARMUP_TEXT = (
    "The council approved the budget on Tuesday after a long debate. It raises transport spending by a tenth. "
    "Officials said the plan would shorten commutes. Critics warned that taxes may rise to pay for it."
)


class ModelRuntime:
    """Holds the summarizer, its loading state and the executor; shared by all requests."""

    def __init__(self, settings: Settings, summarizer: Summarizer | None = None) -> None:
        self.settings = settings
        self.summarizer = summarizer
        self.status: Status = "ready" if summarizer is not None else "idle"
        self.error: str | None = None
        self.load_seconds: float | None = None  # load plus warm-up, once ready
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        # One worker: one model, and torch already uses several cores per call.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-model")
        if self.settings.load_on_startup:
            self.ensure_loading()

    def close(self) -> None:
        if self._executor is not None:
            # Blocking is fine: the server has stopped taking requests; a running job finishes.
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def ensure_loading(self) -> None:
        """Start loading in the worker unless a model is there, loading, or failed to load."""
        with self._lock:
            if self.status != "idle" or self._executor is None:
                return
            self.status = "loading"
        self._executor.submit(self._load)

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            summarizer = Summarizer.load(settings=self.settings)
        except ModelLoadError as exc:
            log.error("model load failed: %s", exc.message)
            self.error, self.status = exc.message, "failed"
            return
        except Exception as exc:
            log.exception("model load failed")
            self.error, self.status = excerpt(f"{type(exc).__name__}: {exc}", 300), "failed"
            return
        if self.settings.warmup and not self._warm_up(summarizer):
            return
        self.load_seconds = time.perf_counter() - started
        # The summarizer is published before the status, so "ready" always comes with a model.
        self.summarizer = summarizer
        self.status = "ready"
        log.info(
            "model %s ready on %s in %.1f s",
            summarizer.model_name,
            summarizer.device,
            self.load_seconds,
            extra={"load_seconds": round(self.load_seconds, 2)},
        )

    def _warm_up(self, summarizer: Summarizer) -> bool:
        """One real pass before "ready": first-call costs (kernel selection, lazy init) are paid here.

        False (and status "failed") when the model itself is broken. A remote model server that fails the
        warm-up call (not up yet, answering 500) is no broken model: the service becomes ready and each
        request gets its own 502 until the server answers.
        """
        try:
            summarizer.summarize(WARMUP_TEXT, bullets=1)
        except UpstreamError as exc:
            if summarizer.describe().provider != "openai":
                return self._warm_up_failed(exc)
            log.warning("model server failed the warm-up (%s: %s); ready all the same", exc.code, exc.message)
        except Exception as exc:
            return self._warm_up_failed(exc)
        return True

    def _warm_up_failed(self, exc: Exception) -> bool:
        log.error("model warm-up failed", exc_info=exc)
        self.error, self.status = excerpt(f"warm-up failed: {type(exc).__name__}: {exc}", 300), "failed"
        return False

    # -- use ---------------------------------------------------------------------------------

    def require(self) -> Summarizer:
        """The loaded summarizer, or the 503 that explains why there is none."""
        self.ensure_loading()  # with load_on_startup off, the first request starts the load
        if self.status == "ready" and self.summarizer is not None:
            return self.summarizer
        if self.status == "failed":
            raise ApiError(503, "model_load_failed", f"the model failed to load: {self.error}")
        raise ApiError(503, "not_ready", "the model is still loading; retry shortly", {"Retry-After": RETRY_AFTER_S})

    async def run(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """Run ``fn`` in the model worker and await its result without blocking the event loop."""
        if self._executor is None:
            raise ApiError(503, "not_ready", "the service is not running")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))


Outcome = Summary | Exception  # an article's summary, or what stopped it (that article only)


def run_pass(summarizer: Summarizer, groups: Sequence[Sequence[PreparedArticle]]) -> list[list[Outcome]]:
    """Runs in the model worker: one model call for the articles of every request in the pass.

    Results are split back per request here, and only here. Should the shared call fail (an article
    that no check caught breaks the tokenizer, the encoder or a head), every article is retried alone,
    so the failure stays with the article that caused it and every other article gets its summary.
    """
    flat = [article for group in groups for article in group]
    try:
        results: list[Outcome] = list(summarizer.summarize_prepared(flat))
    except Exception as exc:
        if len(flat) == 1:  # nothing to retry: the failure is that article's outcome (a batch answers the others)
            _log_failure(exc)
            results = [exc]
        else:
            log.warning("a shared model pass of %d articles failed; retrying each article alone", len(flat))
            results = [_alone(summarizer, article) for article in flat]
    outcomes: list[list[Outcome]] = []
    offset = 0
    for group in groups:
        outcomes.append(results[offset : offset + len(group)])
        offset += len(group)
    return outcomes


def _alone(summarizer: Summarizer, article: PreparedArticle) -> Outcome:
    try:
        return summarizer.summarize_prepared([article])[0]
    except Exception as exc:
        _log_failure(exc)
        return exc


def _log_failure(exc: Exception) -> None:
    """A model server that fails (502/504) is an operational event: one warning line with its code, no
    traceback; anything else is a bug and keeps its traceback."""
    if isinstance(exc, UpstreamError):
        log.warning("model pass failed for one article: %s (%s)", exc.code, type(exc).__name__)
    else:
        log.exception("model pass failed for one article")

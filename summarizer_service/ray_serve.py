"""The same FastAPI service on Ray Serve: one model per replica, ``@serve.batch`` micro-batching, autoscaling.

    pip install '.[ray]'
    serve run deploy/serve_config.yaml              # or: serve run summarizer_service.ray_serve:build_app

Each replica loads the summarizer once in its constructor (Serve routes traffic to a replica only
after that), then serves ``summarizer_service.app.create_app`` unchanged except for the batcher: requests
that reach the replica together are gathered by ``@serve.batch`` into one ``summarize_many`` pass
on the replica's model thread. Ray Serve supplies the rest: replica autoscaling on ongoing
requests, the HTTP proxy on every node, request timeouts and back-pressure.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from ray import serve
from ray.serve import Application

from summarizer import Settings, Summarizer
from summarizer.components.prepare import PreparedArticle
from summarizer_service.app import create_app
from summarizer_service.runtime import ModelRuntime, Outcome, run_pass

log = logging.getLogger("summarizer.service")

# Defaults of the deployment; deploy/serve_config.yaml overrides them per cluster.
MAX_BATCH_SIZE = 8  # requests per model pass (a batch request counts once, with all its articles)
BATCH_WAIT_TIMEOUT_S = 0.01  # how long a pass waits for company once a request is queued
MAX_ONGOING_REQUESTS = 16  # per replica; must be >= max_batch_size or batches can never fill
AUTOSCALING = {"min_replicas": 1, "max_replicas": 4, "target_ongoing_requests": 8}
REPLICA_CPUS = 2  # the throughput table in docs/performance.md was measured on 2 cores per process


class RayBatcher:
    """The service's batcher protocol (``jobs.Batcher``) on top of ``@serve.batch``.

    Requests submitted concurrently in this replica share one model pass; a failure stays with its own
    request (the same rule, and the same code, as ``MicroBatcher``: ``runtime.run_pass``).
    """

    def __init__(self, runtime: ModelRuntime, *, max_batch_size: int, batch_wait_timeout_s: float) -> None:
        self.runtime = runtime
        self._in_flight = 0
        # Per pass: articles and requests (the last 1000, for tests and ``batch_stats``).
        self.batch_sizes: deque[int] = deque(maxlen=1000)
        self.batch_requests: deque[int] = deque(maxlen=1000)
        # The batch queue belongs to the decorated method, so these settings apply to the whole replica.
        self._summarize_batch.set_max_batch_size(max_batch_size)  # type: ignore[attr-defined]
        self._summarize_batch.set_batch_wait_timeout_s(batch_wait_timeout_s)  # type: ignore[attr-defined]

    @property
    def depth(self) -> int:
        """Requests waiting for or in a model pass."""
        return self._in_flight

    def start(self) -> None:
        """Nothing to start: Serve creates the batch queue on first use."""

    async def stop(self) -> None:
        """Nothing to stop: Serve drains the replica before it goes away."""

    async def submit(self, summarizer: Summarizer, articles: Sequence[PreparedArticle]) -> list[Outcome]:
        """Queue one request's prepared articles for the next model pass and wait for their summaries."""
        self._in_flight += 1
        try:
            outcome = await self._summarize_batch(list(articles))
        finally:
            self._in_flight -= 1
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    @serve.batch(max_batch_size=MAX_BATCH_SIZE, batch_wait_timeout_s=BATCH_WAIT_TIMEOUT_S)
    async def _summarize_batch(self, jobs: list[list[PreparedArticle]]) -> list[list[Outcome] | BaseException]:
        try:
            summarizer = self.runtime.require()
            outcomes: list[list[Outcome] | BaseException] = list(await self.runtime.run(run_pass, summarizer, jobs))
        except Exception as exc:  # the whole pass failed (not ready, worker stopped, a bug)
            outcomes = [exc] * len(jobs)
        self.batch_sizes.append(sum(len(job) for job in jobs))
        self.batch_requests.append(len(jobs))
        return outcomes


# serve.ingress calls a builder function on each replica right after the deployment's constructor,
# in the replica's own process: the constructor leaves its app here for the builder to return. Both
# go through module-level functions, which Ray ships by reference, so they share this module's globals.
_replica_app: FastAPI | None = None


def _publish_replica_app(app: FastAPI) -> None:
    global _replica_app
    _replica_app = app


def _build_replica_app() -> FastAPI:
    if _replica_app is None:
        raise RuntimeError("SummarizerDeployment.__init__ must run before the ingress app is built")
    return _replica_app


@serve.deployment(
    name="summarizer",
    max_ongoing_requests=MAX_ONGOING_REQUESTS,
    autoscaling_config=AUTOSCALING,
    ray_actor_options={"num_cpus": REPLICA_CPUS},
    health_check_period_s=10,
)
@serve.ingress(_build_replica_app)
class SummarizerDeployment:
    """One replica: one loaded summarizer and the service's FastAPI app around it."""

    def __init__(
        self,
        settings: dict[str, Any] | None = None,
        max_batch_size: int = MAX_BATCH_SIZE,
        batch_wait_timeout_s: float = BATCH_WAIT_TIMEOUT_S,
    ) -> None:
        # Settings not given here come from the replica's environment (SUMMARIZER_*), as everywhere else.
        self.settings = Settings(**(settings or {}))
        started = time.perf_counter()
        self.summarizer = Summarizer.load(settings=self.settings)  # once per replica
        log.info("replica model %s ready in %.1f s", self.summarizer.model_name, time.perf_counter() - started)
        self.batcher: RayBatcher | None = None

        def make_batcher(runtime: ModelRuntime) -> RayBatcher:
            self.batcher = RayBatcher(runtime, max_batch_size=max_batch_size, batch_wait_timeout_s=batch_wait_timeout_s)
            return self.batcher

        self.service_app = create_app(self.settings, summarizer=self.summarizer, make_batcher=make_batcher)
        _publish_replica_app(self.service_app)

    def batch_stats(self) -> dict[str, list[int]]:
        """Articles and requests per model pass in this replica (recent passes); call through a handle."""
        if self.batcher is None:
            return {"articles": [], "requests": []}
        return {"articles": list(self.batcher.batch_sizes), "requests": list(self.batcher.batch_requests)}

    def check_health(self) -> None:
        """Serve restarts a replica whose model is gone."""
        if self.service_app.state.runtime.status != "ready":
            raise RuntimeError(f"model status is {self.service_app.state.runtime.status}")


class AppArgs(BaseModel):
    """Arguments of ``build_app`` (``args:`` in the serve config, or ``key=value`` after ``serve run``)."""

    model_config = ConfigDict(extra="forbid")

    settings: dict[str, Any] = Field(
        default_factory=dict, description="Settings fields (e.g. {device: cpu}); unset ones come from SUMMARIZER_*."
    )
    max_batch_size: int = Field(default=MAX_BATCH_SIZE, ge=1, le=1024)
    batch_wait_timeout_s: float = Field(default=BATCH_WAIT_TIMEOUT_S, ge=0, le=10)


def build_app(args: dict[str, Any] | None = None) -> Application:
    """Application builder for ``serve run summarizer_service.ray_serve:build_app`` and the serve config file."""
    parsed = AppArgs.model_validate(args or {})
    Settings(**parsed.settings)  # reject a bad setting at deploy time, not in every replica
    return SummarizerDeployment.bind(  # type: ignore[attr-defined]  # added by @serve.deployment
        parsed.settings, parsed.max_batch_size, parsed.batch_wait_timeout_s
    )

"""Request ids, structured JSON logs and Prometheus metrics.

Every response carries ``X-Request-ID`` (the client's when it is well formed, else a new one);
the id is in a context variable, so every log line written while handling the request names it.
Each app owns its own metrics registry, so several apps in one process (tests) never collide.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from prometheus_client import CONTENT_TYPE_LATEST as METRICS_CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from summarizer import Settings, Summary

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
# Accepted from clients only in this shape: it is echoed into headers and logs.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
# Attributes every LogRecord has; anything else was passed with ``extra=`` and goes into the JSON.
# uvicorn's "color_message" repeats the message with terminal colour codes: not for JSON.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}

_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

__all__ = ["METRICS_CONTENT_TYPE", "Metrics", "configure_logging", "new_request_id", "request_id_var"]


def new_request_id(client_value: str | None) -> str:
    """The client's id when it is safe to echo, else a fresh random one."""
    if client_value and _VALID_REQUEST_ID.fullmatch(client_value):
        return client_value
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


def configure_logging(settings: Settings) -> None:
    """Root logging for the server process: JSON lines (default) or plain text with the request id."""
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.addFilter(_RequestIdFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)


class Metrics:
    """The service's Prometheus metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "summarizer_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "summarizer_request_duration_seconds",
            "Time from request start to the end of the response.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.batch_articles = Histogram(
            "summarizer_model_batch_articles",
            "Articles per model pass (cross-request batching).",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=self.registry,
        )
        self.queue_depth = Gauge("summarizer_queue_depth", "Requests waiting for the model.", registry=self.registry)
        self.in_flight = Gauge("summarizer_requests_in_flight", "Requests being handled.", registry=self.registry)
        self.model_load_seconds = Gauge(
            "summarizer_model_load_seconds", "Time the model took to load and warm up.", registry=self.registry
        )
        self.model_ready = Gauge(
            "summarizer_model_ready", "1 once the model is loaded and warm.", registry=self.registry
        )
        self.timeouts = Counter(
            "summarizer_request_timeouts", "Requests that passed their deadline (504).", registry=self.registry
        )
        self.streams_abandoned = Counter(
            "summarizer_streams_abandoned",
            "Streams whose client went away before the end; their generation was cancelled.",
            registry=self.registry,
        )

        self.llm_tokens = Counter(
            "summarizer_llm_tokens",
            "Tokens sent to (in) and generated by (out) the language model (llm backend).",
            ["direction"],
            registry=self.registry,
        )
        self.llm_generation_seconds = Counter(
            "summarizer_llm_generation_seconds", "Time spent generating (llm backend).", registry=self.registry
        )
        self.grounding_sentences = Counter(
            "summarizer_grounding_sentences",
            "Generated sentences the grounding guard checked, by outcome (supported, dropped, flagged).",
            ["outcome"],
            registry=self.registry,
        )
        self.llm_fallbacks = Counter(
            "summarizer_llm_fallbacks", "Answers that fell back to the extractive summary.", registry=self.registry
        )

    def observe_summary(self, summary: Summary) -> None:
        """Counters of the llm backend's work (a cached answer did no work and is not counted)."""
        meta = summary.meta
        if meta.cached:
            return
        if meta.tokens is not None:
            self.llm_tokens.labels(direction="in").inc(meta.tokens.prompt)
            self.llm_tokens.labels(direction="out").inc(meta.tokens.completion)
            self.llm_generation_seconds.inc(meta.timings_ms.get("generate", 0.0) / 1000)
        if meta.grounding is not None:
            g = meta.grounding
            self.grounding_sentences.labels(outcome="supported").inc(g.supported)
            self.grounding_sentences.labels(outcome="dropped").inc(g.dropped)
            self.grounding_sentences.labels(outcome="flagged").inc(g.flagged)
        if meta.fallback_from:
            self.llm_fallbacks.inc()

    def track_queue(self, depth: Callable[[], float]) -> None:
        self.queue_depth.set_function(depth)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        # Clients choose the method: anything outside the standard set is one label value, so the
        # number of series stays bounded (routes are templates, statuses are numbers the app sends).
        method = method if method in _KNOWN_METHODS else "other"
        self.requests.labels(method=method, route=route, status=str(status)).inc()
        self.latency.labels(route=route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)

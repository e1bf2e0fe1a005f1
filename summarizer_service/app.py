"""The FastAPI application: ``create_app()`` builds it, the lifespan owns the model.

Run with ``uvicorn summarizer_service.app:create_app --factory`` or ``uvicorn.run(create_app(settings))``.
Nothing happens at import: there is no module-level app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from summarizer import Settings, Summarizer, Summary, get_settings
from summarizer.version import __version__
from summarizer_service.auth import ApiKeyMiddleware, api_key_scheme, load_api_keys
from summarizer_service.cache import ResultCache
from summarizer_service.errors import ApiError, article_error, install_error_handlers, invalid_article_error
from summarizer_service.jobs import Batcher, make_jobs, summarize_jobs
from summarizer_service.microbatch import RETRY_AFTER_OVERLOADED_S, MicroBatcher
from summarizer_service.middleware import BodyLimitMiddleware, RequestContextMiddleware
from summarizer_service.observability import METRICS_CONTENT_TYPE, Metrics
from summarizer_service.runtime import ModelRuntime
from summarizer_service.schemas import (
    ArticleError,
    BatchRequest,
    BatchResponse,
    ErrorResponse,
    HealthResponse,
    InfoResponse,
    InvalidArticle,
    Limits,
    ReadyResponse,
    SummarizeRequest,
)
from summarizer_service.streaming import StreamQueue, StreamRun, stream_events
from summarizer_service.ui import router as ui_router


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Malformed JSON body.",
        401: "API keys are configured and the request has no valid `Authorization: Bearer <key>`.",
        403: "url input refused by the fetch policy (url_fetch_disabled, host_not_allowed, redirect_not_allowed).",
        404: "Unknown route.",
        413: "Body, article, title or batch over a configured limit.",
        415: "Body is not application/json.",
        422: "Invalid request or an article that cannot be summarized.",
        502: "url input: the page could not be fetched (fetch_failed, too_many_redirects); llm backend: the model "
        "server failed (upstream_failed, upstream_unreachable, upstream_bad_response).",
        503: "Model not loaded (not_ready), failed to load (model_load_failed), or queue full (overloaded).",
        504: "No result within the request deadline (timeout), a url page too slow to fetch (fetch_timeout), or a "
        "model server too slow to answer (upstream_timeout).",
    }
    return {s: {"model": ErrorResponse, "description": descriptions[s]} for s in statuses}


_POST_ERRORS = _errors(400, 401, 403, 413, 415, 422, 502, 503, 504)


# -- dependencies ------------------------------------------------------------------------------


async def get_runtime(request: Request) -> ModelRuntime:
    return request.app.state.runtime


RuntimeDep = Annotated[ModelRuntime, Depends(get_runtime)]


async def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_batcher(request: Request) -> Batcher:
    return request.app.state.batcher


BatcherDep = Annotated[Batcher, Depends(get_batcher)]


async def get_cache(request: Request) -> ResultCache | None:
    return request.app.state.cache


CacheDep = Annotated[ResultCache | None, Depends(get_cache)]


async def get_fetch_limiter(request: Request) -> anyio.CapacityLimiter:
    return request.app.state.fetch_limiter


FetchLimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_fetch_limiter)]


async def get_streams(request: Request) -> StreamQueue:
    return request.app.state.streams


StreamsDep = Annotated[StreamQueue, Depends(get_streams)]


async def get_summarizer(runtime: RuntimeDep) -> Summarizer:
    """The loaded summarizer; 503 (not_ready / model_load_failed) until there is one."""
    return runtime.require()


SummarizerDep = Annotated[Summarizer, Depends(get_summarizer)]


async def require_json(request: Request) -> None:
    """415 unless the body is declared JSON (FastAPI would otherwise try to validate raw bytes)."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json")):
        return
    shown = f"'{media_type[:60]}'" if media_type else "none"
    raise ApiError(415, "unsupported_media_type", f"Content-Type must be application/json (got {shown})")


# -- routes ------------------------------------------------------------------------------------

# Everything but liveness and readiness needs a key when keys are configured.
router = APIRouter(dependencies=[Depends(api_key_scheme)])
open_router = APIRouter()


@router.post(
    "/v1/summarize",
    response_model=Summary,
    responses=_POST_ERRORS,
    dependencies=[Depends(require_json)],
    tags=["summarize"],
)
async def summarize(
    body: SummarizeRequest,
    summarizer: SummarizerDep,
    batcher: BatcherDep,
    cache: CacheDep,
    fetches: FetchLimiterDep,
    settings: SettingsDep,
) -> Summary:
    """Summarize one article: summary sentences and 'why it matters' bullets with character offsets."""
    jobs = await make_jobs([body], settings, fetches)
    outcome = (await summarize_jobs(jobs, summarizer, batcher, cache))[0]
    if isinstance(outcome, Exception):
        raise outcome  # the error handlers map it (a library error to its 4xx/5xx, anything else to 500)
    return outcome


@router.post(
    "/v1/summarize/batch",
    response_model=BatchResponse,
    responses=_POST_ERRORS,
    dependencies=[Depends(require_json)],
    tags=["summarize"],
)
async def summarize_batch(
    body: BatchRequest,
    summarizer: SummarizerDep,
    batcher: BatcherDep,
    cache: CacheDep,
    fetches: FetchLimiterDep,
    settings: SettingsDep,
) -> BatchResponse:
    """Summarize several articles with shared encoder passes; results keep the request order."""
    limit = settings.max_batch_articles
    if len(body.articles) > limit:
        raise ApiError(413, "too_many_articles", f"batch has {len(body.articles)} articles; the limit is {limit}")
    results: list[Summary | ArticleError | None] = [
        invalid_article_error(i, a.errors) if isinstance(a, InvalidArticle) else None
        for i, a in enumerate(body.articles)
    ]
    valid = [(i, a) for i, a in enumerate(body.articles) if results[i] is None]
    jobs = await make_jobs([a for _, a in valid], settings, fetches)
    for (i, _), outcome in zip(valid, await summarize_jobs(jobs, summarizer, batcher, cache), strict=True):
        results[i] = outcome if isinstance(outcome, Summary) else article_error(outcome)
    answered = [r for r in results if r is not None]
    return BatchResponse(results=answered, failed=sum(isinstance(r, ArticleError) for r in answered))


@router.post(
    "/v1/summarize/stream",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Server-sent events: token..., then summary."},
        **_POST_ERRORS,
    },
    dependencies=[Depends(require_json)],
    tags=["summarize"],
)
async def summarize_stream(
    request: Request,
    body: SummarizeRequest,
    summarizer: SummarizerDep,
    batcher: BatcherDep,
    fetches: FetchLimiterDep,
    settings: SettingsDep,
    streams: StreamsDep,
) -> StreamingResponse:
    """Summarize one article as server-sent events: `token` events as the model writes, then one `summary` event
    (the grounded result, as /v1/summarize answers it) or one `error` event. Input errors answer with a plain JSON
    error before the stream starts."""
    _check_queue(batcher, streams, settings)  # early: no fetching or segmenting for a request refused anyway
    job = (await make_jobs([body], settings, fetches))[0]
    if job.error is not None:
        raise job.error
    prepared = await anyio.to_thread.run_sync(lambda: summarizer.prepare(job.text, job.title, options=job.options))
    _check_queue(batcher, streams, settings)  # again: others may have joined meanwhile
    run = StreamRun(request.app.state.runtime, summarizer, prepared, streams)
    events = stream_events(run, job, settings.request_timeout_s, request.app.state.metrics)
    # The background task runs after the response, also when the client went away mid-stream (the
    # generator may not have been resumed to see that): the job must not keep the model worker.
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(_abandon_run, run, request.app.state.metrics),
    )


def _check_queue(batcher: Batcher, streams: StreamQueue, settings: Settings) -> None:
    """503 when ``max_queue`` requests already wait for the model: batched ones and streams alike."""
    if batcher.depth + streams.waiting >= settings.max_queue:
        raise ApiError(
            503,
            "overloaded",
            "too many requests are waiting for the model; retry shortly",
            {"Retry-After": RETRY_AFTER_OVERLOADED_S},
        )


async def _abandon_run(run: StreamRun, metrics: Metrics | None) -> None:
    run.abandon(metrics)  # async: on the event loop, as StreamRun needs; a no-op once the job is done


@open_router.get("/healthz", response_model=HealthResponse, tags=["ops"])
async def healthz() -> HealthResponse:
    """Liveness: 200 while the process runs, whether or not the model is loaded."""
    return HealthResponse()


@open_router.get("/readyz", response_model=ReadyResponse, responses=_errors(503), tags=["ops"])
async def readyz(summarizer: SummarizerDep) -> ReadyResponse:
    """Readiness: 200 once the model is loaded, 503 before that or if loading failed."""
    info = summarizer.describe()
    return ReadyResponse(model=info.model, device=info.device)


# HEAD probes (load balancers, uptime checks): the same answers without a body, left out of the schema.
@open_router.head("/healthz", include_in_schema=False)
async def healthz_head() -> Response:
    return Response()


@open_router.head("/readyz", include_in_schema=False)
async def readyz_head(summarizer: SummarizerDep) -> Response:
    return Response()  # SummarizerDep answers 503 until the model is ready


@router.get("/v1/info", response_model=InfoResponse, responses=_errors(401), tags=["ops"])
async def info(runtime: RuntimeDep) -> InfoResponse:
    """Model, device, backend, version and the request limits in force."""
    settings = runtime.settings
    loaded = runtime.summarizer if runtime.status == "ready" else None
    # Text and title limits are enforced by the summarizer, so report its settings when there is one.
    text_limits = loaded.settings if loaded is not None else settings
    described = loaded.describe() if loaded is not None else None
    return InfoResponse(
        status=runtime.status,
        backend=described.backend if described is not None else settings.backend,
        model=described.model if described is not None else None,
        device=described.device if described is not None else None,
        engine=described.engine if described is not None else None,
        precision=described.precision if described is not None else None,
        engine_choice=described.engine_choice if described is not None else None,
        provider=described.provider
        if described is not None
        else (settings.llm_provider if settings.backend == "llm" else None),
        encoder=described.encoder if described is not None else None,
        version=__version__,
        limits=Limits(
            max_text_chars=text_limits.max_text_chars,
            max_title_chars=text_limits.max_title_chars,
            max_body_bytes=settings.max_body_bytes,
            max_batch_articles=settings.max_batch_articles,
        ),
        url_input=settings.fetch_urls,
    )


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: request counts and latency, batch sizes, queue depth, model load time."""
    registry: Metrics | None = request.app.state.metrics
    if registry is None:
        raise ApiError(404, "not_found", "metrics are disabled (SUMMARIZER_METRICS=false)")
    return Response(registry.render(), media_type=METRICS_CONTENT_TYPE)


# -- factory -----------------------------------------------------------------------------------


def create_app(
    settings: Settings | None = None,
    summarizer: Summarizer | None = None,
    make_batcher: Callable[[ModelRuntime], Batcher] | None = None,
) -> FastAPI:
    """Build the service. With no ``summarizer``, the lifespan loads one in the background.

    ``make_batcher`` replaces the ``MicroBatcher`` (Ray Serve brings its own batching).
    """
    if settings is None:
        settings = summarizer.settings if summarizer is not None else get_settings()
    api_key_digests = load_api_keys(settings)  # a bad key file stops start-up, before any port is bound
    runtime = ModelRuntime(settings, summarizer)
    metrics = Metrics() if settings.metrics else None
    streams = StreamQueue()
    batcher: Batcher = (
        make_batcher(runtime)
        if make_batcher is not None
        else MicroBatcher(
            runtime,
            wait_ms=settings.batch_wait_ms,
            max_articles=settings.batch_max_articles,
            max_queue=settings.max_queue,
            timeout_s=settings.request_timeout_s,
            metrics=metrics,
        )
    )
    if metrics is not None:
        metrics.track_queue(lambda: batcher.depth + streams.waiting)
        metrics.model_ready.set_function(lambda: float(runtime.status == "ready"))
        metrics.model_load_seconds.set_function(lambda: runtime.load_seconds or 0.0)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.start()  # returns at once: loading runs in the model worker
        batcher.start()
        try:
            yield
        finally:
            await batcher.stop()
            runtime.close()

    app = FastAPI(
        title="Article summarizer",
        version=__version__,
        description="Extractive summaries plus 'why it matters' bullets, with character offsets into the input.",
        lifespan=lifespan,
        docs_url="/docs",
    )
    app.state.runtime = runtime
    app.state.batcher = batcher
    app.state.streams = streams
    app.state.metrics = metrics
    app.state.cache = ResultCache(settings.result_cache_entries) if settings.result_cache_entries else None
    app.state.fetch_limiter = anyio.CapacityLimiter(settings.fetch_max_concurrency)
    app.include_router(router)
    app.include_router(open_router)
    if settings.ui:
        app.include_router(ui_router)
    # Order matters: the last middleware added is the outermost, so the access log sees every answer.
    install_error_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, read_timeout_s=settings.body_read_timeout_s
    )
    app.add_middleware(ApiKeyMiddleware, digests=api_key_digests)  # before anything reads the body
    app.add_middleware(RequestContextMiddleware, metrics=metrics, log_bodies=settings.log_article_text)
    return app

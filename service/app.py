"""The FastAPI application: ``create_app()`` builds it, the lifespan owns the model.

Run with ``uvicorn service.app:create_app --factory`` or ``uvicorn.run(create_app(settings))``.
Nothing happens at import: there is no module-level app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request

from service.batcher import MicroBatcher
from service.errors import ApiError, install_error_handlers
from service.middleware import AccessLogMiddleware, BodyLimitMiddleware
from service.runtime import ModelRuntime
from service.schemas import (
    BatchRequest,
    BatchResponse,
    ErrorResponse,
    HealthResponse,
    InfoResponse,
    Limits,
    ReadyResponse,
    SummarizeRequest,
)
from summarizer import Settings, Summarizer, Summary, __version__, get_settings


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Malformed JSON body.",
        404: "Unknown route.",
        413: "Body, article, title or batch over a configured limit.",
        415: "Body is not application/json.",
        422: "Invalid request or an article that cannot be summarized.",
        503: "Model not loaded (not_ready), failed to load (model_load_failed), or queue full (overloaded).",
    }
    return {s: {"model": ErrorResponse, "description": descriptions[s]} for s in statuses}


_POST_ERRORS = _errors(400, 413, 415, 422, 503)


# -- dependencies ------------------------------------------------------------------------------


async def get_runtime(request: Request) -> ModelRuntime:
    return request.app.state.runtime


RuntimeDep = Annotated[ModelRuntime, Depends(get_runtime)]


async def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_batcher(request: Request) -> MicroBatcher:
    return request.app.state.batcher


BatcherDep = Annotated[MicroBatcher, Depends(get_batcher)]


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

router = APIRouter()


@router.post(
    "/v1/summarize",
    response_model=Summary,
    responses=_POST_ERRORS,
    dependencies=[Depends(require_json)],
    tags=["summarize"],
)
async def summarize(body: SummarizeRequest, summarizer: SummarizerDep, batcher: BatcherDep) -> Summary:
    """Summarize one article: summary sentences and 'why it matters' bullets with character offsets."""
    return (await batcher.submit(summarizer, [body]))[0]


@router.post(
    "/v1/summarize/batch",
    response_model=BatchResponse,
    responses=_POST_ERRORS,
    dependencies=[Depends(require_json)],
    tags=["summarize"],
)
async def summarize_batch(
    body: BatchRequest, summarizer: SummarizerDep, batcher: BatcherDep, settings: SettingsDep
) -> BatchResponse:
    """Summarize several articles with shared encoder passes; results keep the request order."""
    limit = settings.max_batch_articles
    if len(body.articles) > limit:
        raise ApiError(413, "too_many_articles", f"batch has {len(body.articles)} articles; the limit is {limit}")
    return BatchResponse(results=await batcher.submit(summarizer, body.articles))


@router.get("/healthz", response_model=HealthResponse, tags=["ops"])
async def healthz() -> HealthResponse:
    """Liveness: 200 while the process runs, whether or not the model is loaded."""
    return HealthResponse()


@router.get("/readyz", response_model=ReadyResponse, responses=_errors(503), tags=["ops"])
async def readyz(summarizer: SummarizerDep) -> ReadyResponse:
    """Readiness: 200 once the model is loaded, 503 before that or if loading failed."""
    return ReadyResponse(model=summarizer.encoder.name, device=summarizer.encoder.device)


@router.get("/v1/info", response_model=InfoResponse, tags=["ops"])
async def info(runtime: RuntimeDep) -> InfoResponse:
    """Model, device, backend, version and the request limits in force."""
    settings = runtime.settings
    loaded = runtime.summarizer if runtime.status == "ready" else None
    # Text and title limits are enforced by the summarizer, so report its settings when there is one.
    text_limits = loaded.settings if loaded is not None else settings
    return InfoResponse(
        status=runtime.status,
        backend=loaded.backend if loaded is not None else settings.backend,
        model=loaded.encoder.name if loaded is not None else None,
        device=loaded.encoder.device if loaded is not None else None,
        version=__version__,
        limits=Limits(
            max_text_chars=text_limits.max_text_chars,
            max_title_chars=text_limits.max_title_chars,
            max_body_bytes=settings.max_body_bytes,
            max_batch_articles=settings.max_batch_articles,
        ),
    )


# -- factory -----------------------------------------------------------------------------------


def create_app(settings: Settings | None = None, summarizer: Summarizer | None = None) -> FastAPI:
    """Build the service. With no ``summarizer``, the lifespan loads one in the background."""
    if settings is None:
        settings = summarizer.settings if summarizer is not None else get_settings()
    runtime = ModelRuntime(settings, summarizer)
    batcher = MicroBatcher(
        runtime,
        wait_ms=settings.batch_wait_ms,
        max_articles=settings.batch_max_articles,
        max_queue=settings.max_queue,
    )

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
    app.include_router(router)
    # Order matters: the last middleware added is the outermost, so the access log sees every answer.
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLogMiddleware)
    return app

"""Server-sent events for ``POST /v1/summarize/stream``: generated text as it arrives, then the grounded summary.

Events (``text/event-stream``):

- ``token``: ``{"text": "..."}``, a piece of the model's answer as it is written (llm backend; other
  backends send the finished summary as one piece);
- ``summary``: the final ``Summary`` JSON, exactly what ``POST /v1/summarize`` answers (grounded:
  unsupported sentences already dropped or flagged, so it may differ from the streamed text);
- ``error``: ``{"error": {"code", "message"}, "status": N}`` when generation fails after the stream
  has started (the status the non-streaming route would have answered).

The work runs in the model worker like every other model call; the request deadline
(``SUMMARIZER_REQUEST_TIMEOUT_S``) ends the stream with a ``timeout`` error event.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

from summarizer import Summarizer, Summary
from summarizer.components.prepare import PreparedArticle
from summarizer.errors import SummarizerError
from summarizer_service.errors import ApiError, status_for
from summarizer_service.jobs import ArticleJob
from summarizer_service.observability import Metrics
from summarizer_service.runtime import ModelRuntime

log = logging.getLogger("summarizer.service")


def sse(event: str, data: object) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _error_event(status: int, code: str, message: str) -> bytes:
    return sse("error", {"error": {"code": code, "message": message}, "status": status})


async def stream_events(
    runtime: ModelRuntime,
    summarizer: Summarizer,
    job: ArticleJob,
    prepared: PreparedArticle,
    timeout_s: float,
    metrics: Metrics | None,
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    pieces: asyncio.Queue[str | None] = asyncio.Queue()

    def on_token(piece: str) -> None:  # called on the model worker thread
        loop.call_soon_threadsafe(pieces.put_nowait, piece)

    task = asyncio.ensure_future(runtime.run(summarizer.summarize_streaming, prepared, on_token))
    task.add_done_callback(lambda _: pieces.put_nowait(None))
    deadline = loop.time() + timeout_s
    while True:
        try:
            piece = await asyncio.wait_for(pieces.get(), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            if metrics is not None:
                metrics.timeouts.inc()
            yield _error_event(504, "timeout", f"no result within the request deadline of {timeout_s:g} s")
            return
        if piece is None:
            break
        yield sse("token", {"text": piece})
    try:
        summary: Summary = task.result()
    except ApiError as exc:
        yield _error_event(exc.status_code, exc.code, exc.message)
        return
    except SummarizerError as exc:
        status = status_for(exc)
        if status == 500:
            log.error("streamed summary failed: %s", exc.code)
            yield _error_event(500, "internal_error", "internal error")
        else:
            yield _error_event(status, exc.code, str(exc))
        return
    except Exception:
        log.exception("streamed summary failed")
        yield _error_event(500, "internal_error", "internal error")
        return
    if metrics is not None:
        metrics.observe_summary(summary)
    yield sse("summary", job.finish(summary).model_dump(mode="json"))

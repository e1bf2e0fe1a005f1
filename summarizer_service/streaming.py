"""Server-sent events for ``POST /v1/summarize/stream``: generated text as it arrives, then the grounded summary.

Events (``text/event-stream``):

- ``token``: ``{"text": "..."}``, a piece of the model's answer as it is written (llm backend; other
  backends send the finished summary as one piece);
- ``summary``: the final ``Summary`` JSON, exactly what ``POST /v1/summarize`` answers (grounded:
  unsupported sentences already dropped or flagged, so it may differ from the streamed text);
- ``error``: ``{"error": {"code", "message"}, "status": N}`` when generation fails after the stream
  has started (the status the non-streaming route would have answered).

The work runs in the model worker like every other model call, and a stream waiting for the worker
counts toward ``SUMMARIZER_MAX_QUEUE`` like any other request. The request deadline
(``SUMMARIZER_REQUEST_TIMEOUT_S``) ends the stream with a ``timeout`` error event. When the stream ends
early (deadline, or the client went away) its job is cancelled: dropped if it has not started, stopped
at the next generated token if it has.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
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


class StreamCancelled(Exception):
    """Raised on the model worker to stop a stream's generation that nobody is waiting for any more."""


class StreamQueue:
    """Counts streams accepted but not yet started in the model worker (the batcher never sees them)."""

    def __init__(self) -> None:
        self._waiting = 0
        self._lock = threading.Lock()  # the worker thread leaves the queue, the event loop joins it

    @property
    def waiting(self) -> int:
        return self._waiting

    def join(self) -> None:
        with self._lock:
            self._waiting += 1

    def leave(self) -> None:
        with self._lock:
            self._waiting -= 1


class StreamRun:
    """One stream's model job, started at once: its pieces of text as they come, and a way to stop it.

    Create it on the event loop; ``cancel`` must be called there too.
    """

    def __init__(self, runtime: ModelRuntime, summarizer: Summarizer, prepared: PreparedArticle, queue: StreamQueue):
        self._loop = asyncio.get_running_loop()
        self._queue = queue
        self._queued = True
        self._lock = threading.Lock()
        self.cancelled = threading.Event()
        self.pieces: asyncio.Queue[str | None] = asyncio.Queue()
        queue.join()
        self.task = asyncio.ensure_future(runtime.run(self._work, summarizer, prepared))
        self.task.add_done_callback(lambda _: self.pieces.put_nowait(None))

    def _leave_queue(self) -> None:
        with self._lock:  # exactly once: when the worker starts the job, or when it is cancelled first
            if self._queued:
                self._queued = False
                self._queue.leave()

    def _work(self, summarizer: Summarizer, prepared: PreparedArticle) -> Summary:  # on the model worker
        self._leave_queue()
        if self.cancelled.is_set():
            raise StreamCancelled()
        return summarizer.summarize_streaming(prepared, self._on_token)

    def _on_token(self, piece: str) -> None:  # on the model worker, between generated tokens
        if self.cancelled.is_set():
            raise StreamCancelled()  # unwinds generation: the worker is free for the next request
        self._loop.call_soon_threadsafe(self.pieces.put_nowait, piece)

    def abandon(self, metrics: Metrics | None) -> None:
        """The client went away: said in the log and the metrics when work was still going on, then cancelled."""
        if not self.cancelled.is_set() and not self.task.done():
            log.info("stream abandoned by the client; its generation is cancelled")
            if metrics is not None:
                metrics.streams_abandoned.inc()
        self.cancel()

    def cancel(self) -> None:
        """Stop the job: dropped if it has not started, stopped at its next token if it has. Idempotent."""
        self.cancelled.set()
        self._leave_queue()
        self.task.cancel()  # nobody reads the result; a job already running ends with StreamCancelled


async def stream_events(
    run: StreamRun,
    job: ArticleJob,
    timeout_s: float,
    metrics: Metrics | None,
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    try:
        while True:
            try:
                piece = await asyncio.wait_for(run.pieces.get(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                run.cancel()
                if metrics is not None:
                    metrics.timeouts.inc()
                yield _error_event(504, "timeout", f"no result within the request deadline of {timeout_s:g} s")
                return
            if piece is None:
                break
            yield sse("token", {"text": piece})
        yield _final_event(run, job, metrics)
    except (asyncio.CancelledError, GeneratorExit):
        run.abandon(metrics)
        raise
    finally:
        run.cancel()  # a no-op once the job is done


def _final_event(run: StreamRun, job: ArticleJob, metrics: Metrics | None) -> bytes:
    try:
        summary: Summary = run.task.result()
    except ApiError as exc:
        return _error_event(exc.status_code, exc.code, exc.message)
    except SummarizerError as exc:
        status = status_for(exc)
        if status == 500:
            log.error("streamed summary failed: %s", exc.code)
            return _error_event(500, "internal_error", "internal error")
        return _error_event(status, exc.code, str(exc))
    except Exception:
        log.exception("streamed summary failed")
        return _error_event(500, "internal_error", "internal error")
    if metrics is not None:
        metrics.observe_summary(summary)
    return sse("summary", job.finish(summary).model_dump(mode="json"))

"""Pure ASGI middleware: the request-body size limit, and request ids with the access log and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from summarizer_service.errors import ApiError, ResponseStartTracker, error_response, excerpt
from summarizer_service.observability import Metrics, new_request_id, request_id_var

log = logging.getLogger("summarizer.service")


_LOGGED_BODY_BYTES = 500
_DISCARD_BYTES = 64 * 1024 * 1024  # most of a refused upload read and dropped so the client sees the 413
_DISCARD_S = 10.0


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # the server rejects malformed lengths; nothing to enforce here


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` while they are read, never buffering past the limit,
    and bodies that stop arriving: no bytes for ``read_timeout_s`` gets 408.

    A declared Content-Length over the limit is refused before any byte is read; otherwise the
    streamed chunks are counted and reading stops with a 413 as soon as the count passes the limit.
    Before the 413 goes out, the rest of the upload is read and thrown away (bounded in bytes and
    time, never kept): a client that is still sending would otherwise hit a reset connection, since
    the server cannot read a body after its response, and see a broken pipe instead of the 413.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout_s: float = 15.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s

    def _error(self) -> ApiError:
        return ApiError(
            413,
            "body_too_large",
            f"request body exceeds the limit of {self.max_bytes} bytes",
            # The connection cannot carry another request once the body was refused.
            headers={"Connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        finished = False  # has the client's whole body been received?

        async def tracking_receive() -> Message:
            nonlocal finished
            if finished:  # nothing more to read: receive() now waits for the client to disconnect
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout_s)
            except asyncio.TimeoutError:
                raise ApiError(
                    408,
                    "body_timeout",
                    f"the request body stopped arriving (no data for {self.read_timeout_s:g} s)",
                    headers={"Connection": "close"},
                ) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                finished = True
            return message

        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            err = self._error()
            await _discard_rest(tracking_receive, lambda: finished)
            await error_response(err.status_code, err.code, err.message, err.headers)(scope, receive, send)
            return

        received = 0
        tracked = ResponseStartTracker(send)

        async def limited_receive() -> Message:
            nonlocal received
            message = await tracking_receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    await _discard_rest(tracking_receive, lambda: finished)
                    # Raised inside the app's body read: FastAPI passes HTTPExceptions through to
                    # the ApiError handler, which answers 413 in the usual format.
                    raise self._error()
            return message

        try:
            await self.app(scope, limited_receive, tracked)
        except ApiError as err:
            # Reached only when something other than a FastAPI route read the body.
            if tracked.started or err.code != "body_too_large":
                raise
            await error_response(err.status_code, err.code, err.message, err.headers)(scope, receive, send)


async def _discard_rest(receive: Receive, finished: Callable[[], bool]) -> None:
    """Read and drop what is left of a refused upload, up to ``_DISCARD_BYTES`` and ``_DISCARD_S``."""

    async def drain() -> None:
        dropped = 0
        while not finished() and dropped < _DISCARD_BYTES:
            message = await receive()
            dropped += len(message.get("body", b""))

    with contextlib.suppress(asyncio.TimeoutError, ApiError):  # ApiError: the client stopped sending (408)
        await asyncio.wait_for(drain(), _DISCARD_S)


class RequestContextMiddleware:
    """Outermost layer: request id, one structured access-log line and the request metrics.

    The log line has method, path, status, duration, request and response sizes and the request
    id; never the body, unless ``log_bodies`` (a debug setting) adds an escaped excerpt of it.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None, log_bodies: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.log_bodies = log_bodies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = new_request_id(_header(scope, b"x-request-id"))
        token = request_id_var.set(request_id)
        status = 500  # what the client sees if the app dies before answering
        body_bytes = response_bytes = 0
        head = bytearray()

        async def counting_receive() -> Message:
            nonlocal body_bytes
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                body_bytes += len(chunk)
                if self.log_bodies and len(head) < _LOGGED_BODY_BYTES:
                    head.extend(chunk[: _LOGGED_BODY_BYTES - len(head)])
            return message

        async def tagging_send(message: Message) -> None:
            nonlocal status, response_bytes
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            elif message["type"] == "http.response.body":
                response_bytes += len(message.get("body", b""))
            await send(message)

        if self.metrics is not None:
            self.metrics.in_flight.inc()
        try:
            await self.app(scope, counting_receive, tagging_send)
        finally:
            elapsed = time.perf_counter() - started
            # A body refused by its Content-Length is never read; its declared size is what matters.
            size = max(body_bytes, _content_length(scope) or 0)
            route = getattr(scope.get("route"), "path", None) or "unmatched"  # a template: bounded label set
            fields = {
                "request_id": request_id,
                "method": scope.get("method", "-"),
                "path": excerpt(scope.get("path", ""), 200),
                "status": status,
                "duration_ms": round(elapsed * 1000, 1),
                "request_bytes": size,
                "response_bytes": response_bytes,
            }
            if self.log_bodies:
                fields["body_excerpt"] = excerpt(head.decode("utf-8", "replace"), _LOGGED_BODY_BYTES)
            message = "%s %s %d %.1fms %dB"
            log.info(message, fields["method"], fields["path"], status, elapsed * 1000, size, extra=fields)
            if self.metrics is not None:
                self.metrics.in_flight.dec()
                self.metrics.observe_request(scope.get("method", "-"), route, status, elapsed)
            request_id_var.reset(token)

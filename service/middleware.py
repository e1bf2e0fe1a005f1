"""Pure ASGI middleware: the request-body size limit and the one-line-per-request access log."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ApiError, ResponseStartTracker, error_response, excerpt

log = logging.getLogger("summarizer.service")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server rejects malformed lengths; nothing to enforce here
    return None


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` while they are read, never buffering past the limit.

    A declared Content-Length over the limit is refused before any byte is read; otherwise the
    streamed chunks are counted and reading stops with a 413 as soon as the count passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _error(self) -> ApiError:
        return ApiError(
            413,
            "body_too_large",
            f"request body exceeds the limit of {self.max_bytes} bytes",
            # The unread rest of the body makes the connection unusable for another request.
            headers={"Connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            err = self._error()
            await error_response(err.status_code, err.code, err.message, err.headers)(scope, receive, send)
            return

        received = 0
        tracked = ResponseStartTracker(send)

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
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


class AccessLogMiddleware:
    """One INFO line per request: method, path, status, duration and request body size (never the body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app dies before answering
        body_bytes = 0

        async def counting_receive() -> Message:
            nonlocal body_bytes
            message = await receive()
            if message["type"] == "http.request":
                body_bytes += len(message.get("body", b""))
            return message

        async def status_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, counting_receive, status_send)
        finally:
            declared = _content_length(scope)
            # A body refused by its Content-Length is never read; its declared size is what matters.
            size = max(body_bytes, declared or 0)
            log.info(
                "%s %s %d %.1fms %dB",
                scope.get("method", "-"),
                excerpt(scope.get("path", ""), 200),
                status,
                (time.perf_counter() - started) * 1000,
                size,
            )

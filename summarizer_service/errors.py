"""One error format for every failure: ``{"error": {"code": "...", "message": "..."}}``.

``install_error_handlers(app)`` maps library errors, validation errors and Starlette's HTTP
errors onto it, and adds a last-resort middleware that turns any other exception into a plain
500 (traceback logged, never sent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from summarizer.errors import (
    FetchError,
    FetchRefusedError,
    FetchTimeoutError,
    InputTooLargeError,
    InvalidInputError,
    MissingDependencyError,
    ModelLoadError,
    SummarizerError,
    UpstreamError,
    UpstreamTimeoutError,
)
from summarizer_service.schemas import ArticleError, ErrorBody

log = logging.getLogger("summarizer.service")

_MAX_REPORTED_ERRORS = 5  # validation problems named in one message
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
    504: "timeout",
}


# The one map from library errors to HTTP statuses: the first class that matches wins (subclasses first).
LIBRARY_ERROR_STATUS: tuple[tuple[type[SummarizerError], int], ...] = (
    (InputTooLargeError, 413),  # text, title, html or a fetched page over a limit
    (InvalidInputError, 422),  # an article or option that cannot be summarized as given
    (FetchRefusedError, 403),  # url input refused by the fetch policy
    (FetchTimeoutError, 504),  # the page did not arrive within SUMMARIZER_FETCH_TIMEOUT_S
    (FetchError, 502),  # the origin failed: unreachable, error status, too many redirects
    (UpstreamTimeoutError, 504),  # the model server (llm backend) did not answer within SUMMARIZER_LLM_TIMEOUT_S
    (UpstreamError, 502),  # the model server failed: unreachable, error status after retries, not a completion
    (ModelLoadError, 503),  # no model to answer with
    (MissingDependencyError, 501),  # an input kind whose extra is not installed
)


def status_for(exc: SummarizerError) -> int:
    """The HTTP status of a library error (500 for one the table does not know: a bug, not the client's fault)."""
    return next((status for kind, status in LIBRARY_ERROR_STATUS if isinstance(exc, kind)), 500)


class ConfigurationError(Exception):
    """A service setting that makes it unable to start (raised before it binds a port)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiError(StarletteHTTPException):
    """A client-visible error with a stable code.

    It subclasses HTTPException because FastAPI re-raises HTTPExceptions that come out of body
    reading unchanged (anything else becomes a generic 400); the body-size limit relies on that.
    """

    def __init__(self, status_code: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code=status_code, detail=message, headers=dict(headers) if headers else None)
        self.code = code
        self.message = message


def error_response(status_code: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status_code, headers=headers)


def excerpt(value: str, limit: int = 60) -> str:
    """At most ``limit`` characters of client-supplied text, for messages and logs, control characters escaped.

    Escaping keeps terminal escapes, newlines (forged log lines) and invisible direction marks out of
    messages and logs; JSON encoding then takes care of quotes and angle brackets.
    """
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    if shown.isprintable():
        return shown
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in shown)


def status_code_name(status_code: int) -> str:
    if status_code in _STATUS_CODES:
        return _STATUS_CODES[status_code]
    try:
        return HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "http_error"


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """ "body.text: Input should be a valid string; ..." without echoing the offending input."""
    parts = []
    for err in errors[:_MAX_REPORTED_ERRORS]:
        location = ".".join(excerpt(str(part), 40) for part in err.get("loc", ())) or "request"
        parts.append(f"{location}: {excerpt(str(err.get('msg', 'invalid value')), 200)}")
    if len(errors) > _MAX_REPORTED_ERRORS:
        parts.append(f"and {len(errors) - _MAX_REPORTED_ERRORS} more")
    return "; ".join(parts) or "invalid request"


def article_error(exc: Exception) -> ArticleError:
    """A batch article's error entry: the status and body it would have got alone."""
    if isinstance(exc, SummarizerError) and (status := status_for(exc)) != 500:
        return ArticleError(error=ErrorBody(code=exc.code, message=exc.message), status=status)
    return ArticleError(error=ErrorBody(code="internal_error", message="internal error with this article"), status=500)


def invalid_article_error(index: int, errors: Sequence[Mapping[str, Any]]) -> ArticleError:
    """A batch article that is not a valid request: the 422 it would have got alone, located in the batch."""
    located = [{**e, "loc": ("body", "articles", index, *e.get("loc", ()))} for e in errors]
    return ArticleError(error=ErrorBody(code="invalid_request", message=validation_message(located)), status=422)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.code, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    path = excerpt(request.url.path, 100)
    if status == 404:
        message = f"no route for {request.method} {path}"
    elif status == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"method {request.method} is not allowed for {path}" + (f"; allowed: {allowed}" if allowed else "")
    elif status == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        return error_response(400, "invalid_encoding", f"request body is not valid UTF-8 (byte {exc.__cause__.start})")
    elif status == 400 and isinstance(exc.__cause__, RecursionError):
        return error_response(400, "invalid_json", "request body is not usable JSON: it is nested too deeply")
    elif status == 400 and isinstance(exc.__cause__, ValueError):  # json.loads refused what it parsed
        reason = "a number has too many digits" if "digits" in str(exc.__cause__) else "it cannot be parsed"
        return error_response(400, "invalid_json", f"request body is not usable JSON: {reason}")
    elif isinstance(exc.detail, str) and exc.detail:
        message = exc.detail
    else:
        message = status_code_name(status).replace("_", " ")
    return error_response(status, status_code_name(status), message, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    bad_json = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if bad_json is not None:
        loc = bad_json.get("loc", ())
        where = f" (character {loc[1]})" if len(loc) > 1 else ""
        reason = excerpt(str((bad_json.get("ctx") or {}).get("error", "malformed JSON")), 100)
        return error_response(400, "invalid_json", f"request body is not valid JSON: {reason}{where}")
    if any(e.get("type") == "missing" and tuple(e.get("loc", ())) == ("body",) for e in errors):
        return error_response(400, "invalid_json", "request body is empty: send a JSON object")
    return error_response(422, "invalid_request", validation_message(errors))


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SummarizerError)
    status = status_for(exc)
    if status == 500:
        log.error("unmapped library error %s: %s", type(exc).__name__, excerpt(exc.message, 300))
        return error_response(500, "internal_error", "internal server error")
    return error_response(status, exc.code, str(exc))  # str() names the article in a batch


class ResponseStartTracker:
    """Wraps ``send`` and remembers whether the response has started (after that no error body fits)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


class UnhandledErrorMiddleware:
    """Last resort: an unexpected exception becomes a plain 500 and one logged traceback.

    Done here rather than with an ``Exception`` handler because Starlette re-raises after such
    a handler runs, so the server would log the traceback a second time.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = ResponseStartTracker(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception:
            # The request id is in the log record (context variable) and in the 500's X-Request-ID header.
            log.exception("unhandled error in %s %s", scope.get("method"), excerpt(scope.get("path", ""), 100))
            if tracked.started:  # too late for a clean answer; let the server drop the connection
                raise
            await error_response(500, "internal_error", "internal server error")(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the one JSON format (call before adding outer middleware)."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(SummarizerError, _library_error)
    app.add_middleware(UnhandledErrorMiddleware)

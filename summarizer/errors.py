"""Exceptions the library raises; the CLI turns them into messages, the service into 4xx."""

from __future__ import annotations


class SummarizerError(Exception):
    """Base class. ``code`` is a stable machine-readable identifier.

    ``article_index`` is set when the error is about one article of several: its position, which
    ``str(error)`` names ("article 2: ...").
    """

    code = "summarizer_error"
    article_index: int | None = None

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        prefix = f"article {self.article_index}: " if self.article_index is not None else ""
        return prefix + self.message


class InvalidInputError(SummarizerError):
    """The article or a parameter cannot be summarized as given (client error)."""

    code = "invalid_input"


class InputTooLargeError(InvalidInputError):
    """The article exceeds a configured limit."""

    code = "text_too_long"


class ModelLoadError(SummarizerError):
    """The model directory is missing, incomplete or not loadable safely."""

    code = "model_load_failed"


class MissingDependencyError(SummarizerError):
    """An optional part of the library is used without the extra that installs it."""

    code = "missing_dependency"


class FetchError(SummarizerError):
    """A page could not be fetched from its URL (upstream failure: unreachable, error status, timeout).

    Codes: ``fetch_failed``, ``too_many_redirects`` (and ``fetch_timeout``, ``FetchTimeoutError``).
    """

    code = "fetch_failed"


class FetchTimeoutError(FetchError):
    """The page did not arrive within the fetch deadline."""

    code = "fetch_timeout"


class FetchRefusedError(FetchError):
    """Fetching the URL is not allowed by the settings (disabled, host not listed, private address, redirect)."""

    code = "host_not_allowed"


class UpstreamError(SummarizerError):
    """The model server failed: unreachable, an error status after the retries, or an answer that is not one.

    Codes: ``upstream_failed``, ``upstream_unreachable``, ``upstream_bad_response`` (and ``upstream_timeout``).
    """

    code = "upstream_failed"


class UpstreamTimeoutError(UpstreamError):
    """The model server did not answer within SUMMARIZER_LLM_TIMEOUT_S."""

    code = "upstream_timeout"

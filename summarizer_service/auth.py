"""Optional bearer-key authentication.

Keys come from ``Settings.api_keys`` and/or ``Settings.api_keys_file`` (one per line, ``#``
comments allowed). With none configured every route is open. Keys are kept only as SHA-256
digests and every presented key is compared with all of them in constant time, so neither the
timing nor the answer tells a caller which part was wrong. Keys are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Annotated

from fastapi import Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from summarizer import Settings
from summarizer_service.errors import ConfigurationError, error_response

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="summarizer"', "Connection": "close"}


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def load_api_keys(settings: Settings) -> list[bytes]:
    """Digests of every accepted key; empty means authentication is off."""
    keys = [k.get_secret_value().strip() for k in settings.api_keys]
    if settings.api_keys_file is not None:
        path = Path(settings.api_keys_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"cannot read the API key file {path}: {exc.__class__.__name__}") from exc
        keys.extend(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    if any(not key for key in keys):
        raise ConfigurationError("an API key is empty")
    if any(len(key) < 16 for key in keys):
        raise ConfigurationError("API keys must be at least 16 characters long")
    return [_digest(key) for key in keys]


_bearer = HTTPBearer(auto_error=False, description="An API key from the service's configuration.")

# Routes anyone may call: liveness, readiness, the API's own documentation and the web page with its
# assets (they hold no data; the page sends the key typed on it with its API calls).
OPEN_PATHS = frozenset(
    {"/healthz", "/readyz", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"}
    | {"/", "/ui/app.js", "/ui/app.css", "/ui/favicon.svg"}
)


async def api_key_scheme(credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]) -> None:
    """Declares bearer authentication in OpenAPI; ``ApiKeyMiddleware`` enforces it, before any body is read."""


def key_matches(authorization: str | None, digests: list[bytes]) -> bool:
    """Whether an ``Authorization: Bearer <key>`` header carries one of the configured keys."""
    scheme, _, key = (authorization or "").partition(" ")
    presented = _digest(key.strip()) if scheme.lower() == "bearer" and key.strip() else b""
    matched = False
    for digest in digests:  # no early exit: the time taken does not depend on which key matched
        matched |= hmac.compare_digest(presented, digest)
    return matched


class ApiKeyMiddleware:
    """401 for a request without a valid key, answered before the app reads (or parses) its body.

    With no keys configured every route is open. A body the client is still sending is not read:
    the answer closes the connection.
    """

    def __init__(self, app: ASGIApp, digests: list[bytes]) -> None:
        self.app = app
        self.digests = digests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.digests or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if key_matches(authorization, self.digests):
            await self.app(scope, receive, send)
            return
        response = error_response(401, "unauthorized", "a valid API key is required", _UNAUTHORIZED_HEADERS)
        await response(scope, receive, send)

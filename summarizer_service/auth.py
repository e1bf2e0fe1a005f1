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

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from summarizer import Settings
from summarizer_service.errors import ApiError, ConfigurationError

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="summarizer"'}


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


async def require_api_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]
) -> None:
    """401 unless the request carries one of the configured keys (declared in OpenAPI via ``HTTPBearer``)."""
    digests: list[bytes] = request.app.state.api_key_digests
    if not digests:
        return
    presented = _digest(credentials.credentials) if credentials is not None else b""
    matched = False
    for digest in digests:  # no early exit: the time taken does not depend on which key matched
        matched |= hmac.compare_digest(presented, digest)
    if not matched:
        raise ApiError(401, "unauthorized", "a valid API key is required", _UNAUTHORIZED_HEADERS)

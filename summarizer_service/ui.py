"""The web page at ``/`` (``SUMMARIZER_UI``): one static HTML page, its script and stylesheet.

The page holds no data and calls the public API from the browser, so it is served without a key
(the key typed on the page goes with its API calls, as ``Authorization: Bearer``). Every answer
carries a strict Content-Security-Policy: scripts and styles from this origin only, no inline code,
no eval, no requests to other origins, and Trusted Types so that no script can assign HTML strings.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import Response

from summarizer_service.errors import ApiError

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "font-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
# The assets under /ui/ and their media types; nothing else in the package is served.
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}

router = APIRouter(include_in_schema=False)


@cache
def _read(name: str) -> bytes:
    return files("summarizer_service").joinpath("static", name).read_bytes()


@router.get("/")
async def page() -> Response:
    """The web page: paste or drop an article, see the summary beside it with every span highlighted."""
    return Response(_read("index.html"), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.head("/")
async def page_head() -> Response:
    """The page's headers without its body (uptime checks probe ``/`` with HEAD)."""
    return Response(media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/ui/{name}")
async def asset(name: str) -> Response:
    """One of the page's own assets (script, stylesheet, icon)."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise ApiError(404, "not_found", f"no web page asset named {name[:60]!r}")
    return Response(_read(name), media_type=media_type, headers=SECURITY_HEADERS)

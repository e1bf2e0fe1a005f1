"""Fetch an article page by URL, guarded against server-side request forgery.

Off unless ``fetch_urls`` is set. Then: http(s) only; the host must be on ``fetch_allow_hosts``;
every address it resolves to must be public unless the host is listed exactly (a wildcard entry
never reaches private, loopback or link-local addresses); the connection goes to the address
that was checked, not to a second DNS answer (no rebinding); redirects are followed only on the
same host and each hop is checked again; the body is read with a byte cap and one deadline.
"""

from __future__ import annotations

import codecs
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from summarizer.config import Settings
from summarizer.errors import FetchError, FetchRefusedError, FetchTimeoutError, InputTooLargeError, InvalidInputError
from summarizer.version import __version__

MAX_URL_CHARS = 2048
_REDIRECTS = {301, 302, 303, 307, 308}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_CHUNK = 64 * 1024
_PATH_SAFE = "/:@!$&'()*+,;=-._~%?[]"  # reserved characters and existing escapes stay as they are
USER_AGENT = f"summarizer/{__version__} (article fetch)"


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after same-host redirects
    html: str


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # lower-case, IDNA-encoded, no brackets
    port: int
    path: str  # path and query, never empty


def fetch_html(url: object, settings: Settings) -> FetchedPage:
    """GET ``url`` under the settings' policy and return its HTML.

    Raises ``FetchRefusedError`` (``url_fetch_disabled``, ``host_not_allowed``, ``redirect_not_allowed``),
    ``InvalidInputError`` (``invalid_url``, ``unsupported_content_type``), ``InputTooLargeError``
    (``page_too_large``) or ``FetchError`` (``fetch_failed``, ``fetch_timeout``, ``too_many_redirects``).
    """
    if not settings.fetch_urls:
        raise FetchRefusedError(
            "fetching URLs is disabled on this server (send the page as html, or set SUMMARIZER_FETCH_URLS)",
            code="url_fetch_disabled",
        )
    deadline = time.monotonic() + settings.fetch_timeout_s
    target = parse_url(url)
    first_host = target.host
    for _ in range(settings.fetch_max_redirects + 1):
        ip = check_host(target.host, target.port, settings.fetch_allow_hosts)
        response, conn = _request(target, ip, deadline)
        try:
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(
                        f"the page answered HTTP {response.status} without a Location", code="fetch_failed"
                    )
                next_url = urljoin(_url_of(target), location)
                target = parse_url(next_url, what="redirect location")
                if target.host != first_host:
                    raise FetchRefusedError(
                        f"the page redirects to another host ({target.host}); only same-host redirects are followed",
                        code="redirect_not_allowed",
                    )
                continue
            if not 200 <= response.status < 300:
                raise FetchError(f"the page answered HTTP {response.status} {response.reason}", code="fetch_failed")
            charset = _check_content_type(response.getheader("Content-Type"))
            body = _read_capped(response, conn, settings.fetch_max_bytes, deadline)
            return FetchedPage(url=_url_of(target), html=_decode(body, charset))
        finally:
            conn.close()
    raise FetchError(f"the page redirected more than {settings.fetch_max_redirects} times", code="too_many_redirects")


def parse_url(url: object, *, what: str = "url") -> _Target:
    if not isinstance(url, str):
        raise InvalidInputError(f"{what} must be a string, got {type(url).__name__}", code="invalid_url")
    if len(url) > MAX_URL_CHARS:
        raise InvalidInputError(f"{what} has {len(url)} characters; the limit is {MAX_URL_CHARS}", code="invalid_url")
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidInputError(f"{what} contains whitespace or control characters", code="invalid_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInputError(f"{what} is not a valid URL: {exc}", code="invalid_url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidInputError(f"{what} must use http or https, not {scheme or 'no scheme'!r}", code="invalid_url")
    if not parts.hostname:
        raise InvalidInputError(f"{what} has no host", code="invalid_url")
    if parts.username is not None or parts.password is not None:
        raise InvalidInputError(f"{what} must not contain credentials", code="invalid_url")
    try:
        host = parts.hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidInputError(f"{what} has an invalid host name", code="invalid_url") from None
    path = quote(parts.path or "/", safe=_PATH_SAFE)  # the request line is ASCII: encode the rest
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE)
    return _Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def check_host(host: str, port: int, allow_hosts: list[str]) -> str:
    """The address to connect to, after the allow-list and address checks; raises ``FetchRefusedError``."""
    exact, wildcard = _allow_match(host, allow_hosts)
    if not (exact or wildcard):
        raise FetchRefusedError(f"host {host!r} is not on this server's fetch allow-list", code="host_not_allowed")
    addresses = _resolve(host, port)
    if not exact:  # wildcard entries reach public addresses only
        for address in addresses:
            if not _is_public(address):
                raise FetchRefusedError(
                    f"host {host!r} resolves to a non-public address ({address}); list the host exactly to allow it",
                    code="host_not_allowed",
                )
    return addresses[0]


def _allow_match(host: str, allow_hosts: list[str]) -> tuple[bool, bool]:
    exact = wildcard = False
    for entry in allow_hosts:
        entry = entry.strip().strip("[]").rstrip(".").lower()
        if entry.startswith("*."):
            wildcard = wildcard or host.endswith(entry[1:])
        elif entry:
            exact = exact or host == entry
    return exact, wildcard


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}", code="fetch_failed") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"host {host!r} has no address", code="fetch_failed")
    return addresses


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return ip.is_global and not ip.is_multicast


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a checked IP while the Host header keeps the host name.

    ``pinned_sock`` outlives ``sock``: http.client drops ``sock`` when the response owns the
    connection, and the body reads still need their timeout adjusted.
    """

    pinned_sock: socket.socket | None = None

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = self.pinned_sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked IP; the certificate is verified against the host name (SNI too)."""

    pinned_sock: socket.socket | None = None

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        self._ssl_context = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._ssl_context)
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self.pinned_sock = self._ssl_context.wrap_socket(sock, server_hostname=self.host)


_Connection = _PinnedHTTPConnection | _PinnedHTTPSConnection


def _request(target: _Target, ip: str, deadline: float) -> tuple[http.client.HTTPResponse, _Connection]:
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = cls(target.host, target.port, ip, _remaining(deadline))
    try:
        conn.request(
            "GET",
            target.path,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": "identity",
            },
        )
        return conn.getresponse(), conn
    except BaseException as exc:
        conn.close()
        if isinstance(exc, Exception):
            raise _transport_error(exc, target.host) from None
        raise


def _read_capped(response: http.client.HTTPResponse, conn: _Connection, max_bytes: int, deadline: float) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise InputTooLargeError(
            f"the page is {int(length)} bytes; the limit is {max_bytes} (SUMMARIZER_FETCH_MAX_BYTES)",
            code="page_too_large",
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        if conn.pinned_sock is not None:
            conn.pinned_sock.settimeout(_remaining(deadline))  # one deadline for the whole body, not per read
        try:
            chunk = response.read1(_CHUNK)
        except Exception as exc:
            raise _transport_error(exc, conn.host) from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise InputTooLargeError(
                f"the page is over {max_bytes} bytes (SUMMARIZER_FETCH_MAX_BYTES)", code="page_too_large"
            )
        chunks.append(chunk)
        _remaining(deadline)


def _check_content_type(header: str | None) -> str | None:
    """The declared charset; refuses what is not HTML (a missing type is sniffed as HTML later)."""
    if not header:
        return None
    media_type, _, params = header.partition(";")
    media_type = media_type.strip().lower()
    if media_type not in _HTML_TYPES:
        raise InvalidInputError(f"the page is {media_type or 'untyped'}, not HTML", code="unsupported_content_type")
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _decode(body: bytes, charset: str | None) -> str:
    if charset:
        try:
            codecs.lookup(charset)
            return body.decode(charset, errors="replace")
        except LookupError:
            pass  # an unknown declared charset: detect it instead
    from trafilatura.utils import decode_file  # meta charset, then detection

    return decode_file(body)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchTimeoutError("the page took too long to fetch (SUMMARIZER_FETCH_TIMEOUT_S)")
    return left


def _transport_error(exc: Exception, host: str) -> FetchError:
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return FetchTimeoutError(f"{host} did not answer in time (SUMMARIZER_FETCH_TIMEOUT_S)")
    if isinstance(exc, ssl.SSLError):
        return FetchError(f"TLS with {host} failed: {exc.reason or exc}", code="fetch_failed")
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return FetchError(f"cannot fetch from {host}: {reason}", code="fetch_failed")


def _url_of(target: _Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    port = "" if target.port == default else f":{target.port}"
    return f"{target.scheme}://{host}{port}{target.path}"

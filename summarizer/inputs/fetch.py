"""Fetch an article page by URL, guarded against server-side request forgery and hostile origins.

Off unless ``fetch_urls`` is set. Then: http(s) only; the host and port must be on ``fetch_allow_hosts``
(an entry without a port allows 80 and 443 only; ``example.com:8080`` names another; the entry syntax
is in ``summarizer.inputs.addresses``); every address the host resolves to must be public unless the
host is listed exactly (a wildcard entry never reaches private, loopback or link-local addresses, nor
IPv6 forms that carry one); the connection goes to the address that was checked, not to a second DNS
answer (no rebinding); redirects are followed only to the same scheme, host and port, and each hop is
checked again. One deadline covers the whole fetch (DNS, connect, TLS, status line, headers, chunk
sizes, body, every hop): at it the socket is shut down. The body is decompressed (gzip, deflate) with
the byte cap applied before and after, refused when binary, then decoded with its declared charset.

Errors: ``FetchRefusedError`` (403: ``url_fetch_disabled``, ``host_not_allowed``, ``port_not_allowed``,
``redirect_not_allowed``), ``FetchTimeoutError`` (504: ``fetch_timeout``), ``FetchError`` (502:
``fetch_failed``, ``too_many_redirects``), ``InvalidInputError`` (422: ``invalid_url``,
``unsupported_content_type``), ``InputTooLargeError`` (413: ``page_too_large``). Their messages are
short and printable and never quote the remote's bytes: at most a status code, our own reason and the
(capped) host name.
"""

from __future__ import annotations

import codecs
import contextlib
import http
import http.client
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from summarizer.config import Settings
from summarizer.errors import (
    FetchError,
    FetchRefusedError,
    FetchTimeoutError,
    InputTooLargeError,
    InvalidInputError,
    SummarizerError,
)
from summarizer.inputs.addresses import check_host, printable, shown
from summarizer.inputs.html import require_trafilatura
from summarizer.version import __version__

MAX_URL_CHARS = 2048
MAX_MESSAGE_CHARS = 300
_REDIRECTS = {301, 302, 303, 307, 308}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_CHUNK = 64 * 1024
_PATH_SAFE = "/:@!$&'()*+,;=-._~%?[]"  # reserved characters and existing escapes stay as they are
_GZIP, _ZLIB = 16 + zlib.MAX_WBITS, zlib.MAX_WBITS
_ENCODINGS = {"gzip": _GZIP, "x-gzip": _GZIP, "deflate": _ZLIB}
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
USER_AGENT = f"summarizer/{__version__} (article fetch)"


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after same-origin redirects
    html: str


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # lower-case, IDNA-encoded, no brackets
    port: int
    path: str  # path and query, never empty


def fetch_html(url: object, settings: Settings, *, deadline: float | None = None) -> FetchedPage:
    """GET ``url`` under the settings' policy and return its HTML (errors: see the module docstring).

    ``deadline`` (a ``time.monotonic()`` value) ends the fetch earlier than ``fetch_timeout_s`` from now,
    for a caller that already waited; it never extends it.
    """
    try:
        return _fetch(url, settings, deadline)
    except SummarizerError as exc:  # a net: the messages are built short, from our own words
        exc.message = printable(exc.message, MAX_MESSAGE_CHARS)
        exc.args = (exc.message,)
        raise


def _fetch(url: object, settings: Settings, deadline: float | None) -> FetchedPage:
    if not settings.fetch_urls:
        raise FetchRefusedError(
            "fetching URLs is disabled on this server (send the page as html, or set SUMMARIZER_FETCH_URLS)",
            code="url_fetch_disabled",
        )
    target = parse_url(url)
    own_deadline = time.monotonic() + settings.fetch_timeout_s
    watchdog = _Watchdog(own_deadline if deadline is None else min(deadline, own_deadline))
    try:
        for _ in range(settings.fetch_max_redirects + 1):
            ip = check_host(target.host, target.port, settings.fetch_allow_hosts, deadline=watchdog.deadline)
            response, conn = _request(target, ip, watchdog)
            try:
                if response.status in _REDIRECTS:
                    target = _redirect_target(response, target)
                    continue
                if not 200 <= response.status < 300:
                    raise FetchError(f"{shown(target.host)} answered HTTP {_status(response.status)}")
                charset = _check_content_type(response.getheader("Content-Type"))
                inflate = _Inflater(response.getheader("Content-Encoding"), settings.fetch_max_bytes)
                body = _read_capped(response, conn, inflate, settings.fetch_max_bytes, watchdog)
                return FetchedPage(url=_url_of(target), html=_decode(body, charset))
            finally:
                watchdog.watch(None)
                conn.close()
        raise FetchError(
            f"the page redirected more than {settings.fetch_max_redirects} times", code="too_many_redirects"
        )
    finally:
        watchdog.cancel()


def parse_url(url: object, *, what: str = "url") -> _Target:
    if not isinstance(url, str):
        raise InvalidInputError(f"{what} must be a string, got {type(url).__name__}", code="invalid_url")
    if len(url) > MAX_URL_CHARS:
        raise InvalidInputError(f"{what} has {len(url)} characters; the limit is {MAX_URL_CHARS}", code="invalid_url")
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{what} contains characters that cannot be encoded (such as a lone surrogate)", code="invalid_url"
        ) from None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidInputError(f"{what} contains whitespace or control characters", code="invalid_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        problem = "an invalid port" if "port" in str(exc).lower() else "an invalid host"
        raise InvalidInputError(f"{what} is not a valid URL: it has {problem}", code="invalid_url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        got = f", not {scheme[:16]!r}" if scheme and what == "url" else ""  # a redirect's is the remote's text
        raise InvalidInputError(f"{what} must use http or https{got}", code="invalid_url")
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


class _Watchdog:
    """One deadline for the whole fetch: at it, the socket in use is shut down, which ends any read
    (status line, headers, chunk sizes, body) or TLS handshake at once; the reader then sees ``expired``.
    A shut-down socket reads as end-of-file, so every phase checks ``expired`` before trusting its data."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()  # the socket is never shut down while it is being swapped or closed
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.expired and sock is not None:
                _shutdown(sock)

    def connect(self, ip: str, port: int) -> socket.socket:
        sock = socket.create_connection((ip, port), _remaining(self.deadline))
        self.watch(sock)
        return sock

    def cancel(self) -> None:
        self._timer.cancel()
        self.watch(None)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed already; the plain socket's shutdown, also for TLS: no close_notify
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a checked IP while the Host header keeps the host name."""

    def __init__(self, host: str, port: int, ip: str, watchdog: _Watchdog) -> None:
        super().__init__(host, port)
        self._ip, self._watchdog = ip, watchdog

    def connect(self) -> None:
        self.sock = self._watchdog.connect(self._ip, self.port)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked IP; the certificate is verified against the host name (SNI too)."""

    def __init__(self, host: str, port: int, ip: str, watchdog: _Watchdog) -> None:
        self._ssl_context = ssl.create_default_context()
        super().__init__(host, port, context=self._ssl_context)
        self._ip, self._watchdog = ip, watchdog

    def connect(self) -> None:
        sock = self._watchdog.connect(self._ip, self.port)
        tls = self._ssl_context.wrap_socket(sock, server_hostname=self.host, do_handshake_on_connect=False)
        self.sock = tls
        self._watchdog.watch(tls)  # the handshake is under the deadline too
        tls.do_handshake()


_Connection = _PinnedHTTPConnection | _PinnedHTTPSConnection


def _request(target: _Target, ip: str, watchdog: _Watchdog) -> tuple[http.client.HTTPResponse, _Connection]:
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = cls(target.host, target.port, ip, watchdog)
    try:
        conn.request(
            "GET",
            target.path,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": "gzip, deflate",
            },
        )
        response = conn.getresponse()
        if watchdog.expired:  # the headers may have been cut short by the deadline
            raise TimeoutError
        return response, conn
    except BaseException as exc:
        watchdog.watch(None)
        conn.close()
        if isinstance(exc, Exception):
            raise _transport_error(exc, target.host, watchdog) from None
        raise


def _redirect_target(response: http.client.HTTPResponse, target: _Target) -> _Target:
    location = response.getheader("Location")
    if not location:
        raise FetchError(f"{shown(target.host)} answered HTTP {response.status} without a Location")
    try:
        next_url = urljoin(_url_of(target), location)
    except ValueError:
        raise FetchError(f"{shown(target.host)} redirects to an invalid URL") from None
    new = parse_url(next_url, what="redirect location")
    changed = [name for name in ("scheme", "host", "port") if getattr(new, name) != getattr(target, name)]
    if changed:  # named by what changed: the new host is the remote's text, not an allow-listed name
        raise FetchRefusedError(
            f"{shown(target.host)} redirects to another {' and '.join(changed)}; only redirects to the same "
            "scheme, host and port are followed",
            code="redirect_not_allowed",
        )
    return new


class _Inflater:
    """Undoes the Content-Encoding (gzip or deflate) as the body streams in, its output capped at ``max_bytes``
    (a compression bomb stops at the cap)."""

    def __init__(self, header: str | None, max_bytes: int) -> None:
        names = [name.strip().lower() for name in (header or "").split(",")]
        names = [name for name in names if name and name != "identity"]
        if len(names) > 1 or any(name not in _ENCODINGS for name in names):
            raise FetchError("the page uses a content encoding this server did not ask for")
        self._wbits = _ENCODINGS[names[0]] if names else None
        self._z = zlib.decompressobj(self._wbits) if self._wbits else None
        self._size, self._max_bytes = 0, max_bytes

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data and self._z is not None:
            if self._z.eof:
                if self._wbits != _GZIP:
                    break  # bytes after a deflate stream: ignored
                self._z = zlib.decompressobj(_GZIP)  # the next gzip member
            try:
                piece = self._z.decompress(data, self._max_bytes - self._size + 1)
            except zlib.error:
                if self._wbits == _ZLIB and self._size == 0:  # "deflate" sent raw, without the zlib wrapper
                    self._wbits, self._z = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FetchError("the page's compressed body is corrupt") from None
            self._size += len(piece)
            if self._size > self._max_bytes:
                raise _too_large(self._max_bytes)
            out.append(piece)
            data = self._z.unused_data if self._z.eof else b""
        return b"".join(out) if self._z is not None else data

    def check_complete(self) -> None:
        if self._z is not None and not self._z.eof:
            raise FetchError("the page's compressed body ends early")


def _read_capped(
    response: http.client.HTTPResponse, conn: _Connection, inflate: _Inflater, max_bytes: int, watchdog: _Watchdog
) -> bytes:
    length = (response.getheader("Content-Length") or "").strip()
    if length.isascii() and length.isdigit() and (len(length) > 18 or int(length) > max_bytes):
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    received = 0
    while True:
        try:
            chunk = response.read1(_CHUNK)
            if watchdog.expired:  # an end of file may be the deadline's doing
                raise TimeoutError
        except Exception as exc:
            raise _transport_error(exc, conn.host, watchdog) from None
        if not chunk:
            break
        received += len(chunk)
        if received > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(inflate.feed(chunk))
    if response.length:  # Content-Length promised more than arrived
        raise FetchError(f"the reply from {shown(conn.host)} ended early")
    inflate.check_complete()
    return b"".join(chunks)


def _too_large(max_bytes: int) -> InputTooLargeError:
    return InputTooLargeError(f"the page is over {max_bytes} bytes (SUMMARIZER_FETCH_MAX_BYTES)", code="page_too_large")


def _check_content_type(header: str | None) -> str | None:
    """The declared charset; refuses what is not HTML (a missing type is sniffed as HTML later)."""
    if not header:
        return None
    media_type, _, params = header.partition(";")
    if media_type.strip().lower() not in _HTML_TYPES:
        raise InvalidInputError(
            "the page is not HTML (its Content-Type is not text/html)", code="unsupported_content_type"
        )
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _decode(body: bytes, charset: str | None) -> str:
    """Text of the (decompressed) body: its declared charset, else UTF-8, else detection; binary is refused."""
    try:
        codec = codecs.lookup(charset).name if charset else None
    except (LookupError, ValueError):
        codec = None  # an unknown declared charset: detect it instead
    wide = body.startswith(_WIDE_BOMS) or (codec or "").startswith(("utf-16", "utf-32"))
    if b"\x00" in body and not wide:
        raise _binary()
    text = None
    if codec:
        with contextlib.suppress(LookupError):  # a codec that is not a text encoding (base64, rot13, ...)
            text = body.decode(codec, errors="replace")
    if text is None:
        text = _detect_and_decode(body)
    if "\x00" in text:
        raise _binary()
    return text


def _detect_and_decode(body: bytes) -> str:
    # trafilatura's decode_file without its own decompression: the body is decompressed (and capped) here
    require_trafilatura()
    from trafilatura.utils import detect_encoding

    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for guess in detect_encoding(body):
        try:
            return body.decode(guess)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def _binary() -> InvalidInputError:
    return InvalidInputError("the page is binary, not HTML text", code="unsupported_content_type")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchTimeoutError("the page took too long to fetch (SUMMARIZER_FETCH_TIMEOUT_S)")
    return left


def _transport_error(exc: Exception, host: str, watchdog: _Watchdog) -> SummarizerError:
    """Our error for what went wrong talking to ``host``; never the remote's bytes (http.client quotes them)."""
    if isinstance(exc, SummarizerError):
        return exc
    if watchdog.expired or isinstance(exc, TimeoutError):
        return FetchTimeoutError(f"{shown(host)} did not answer in time (SUMMARIZER_FETCH_TIMEOUT_S)")
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason if isinstance(exc.reason, str) and exc.reason.isidentifier() else "handshake failed"
        return FetchError(f"TLS with {shown(host)} failed: {reason[:60]}")
    if isinstance(exc, http.client.RemoteDisconnected):
        reason = "the server closed the connection without an answer"
    elif isinstance(exc, http.client.LineTooLong):
        reason = "a line of the reply is too long"
    elif isinstance(exc, http.client.BadStatusLine):
        reason = "the server did not answer with HTTP"
    elif isinstance(exc, http.client.IncompleteRead):
        reason = "the reply ended early"
    elif isinstance(exc, OSError) and exc.strerror:
        reason = printable(exc.strerror, 80)  # the operating system's words
    else:
        reason = "the reply is not valid HTTP"
    return FetchError(f"cannot fetch from {shown(host)}: {reason}")


def _status(code: int) -> str:
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"  # our phrase, not the remote's reason text
    except ValueError:
        return str(code)


def _url_of(target: _Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    port = "" if target.port == default else f":{target.port}"
    return f"{target.scheme}://{host}{port}{target.path}"

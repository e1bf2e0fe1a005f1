"""URL fetching against a hostile origin: dripping replies, replies that are not HTTP, other ports,
IPv6 forms that carry a private IPv4, compressed and binary bodies, URLs that cannot be encoded.

The origin is a raw-socket server on 127.0.0.1 (a thread per connection); every reply it drips stops
after ``DRIP_CAP_S`` whatever the client does, so no test can hang, and the servers close at teardown.
"""

from __future__ import annotations

import gzip
import itertools
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator

import pytest

from summarizer import Settings
from summarizer.errors import (
    FetchError,
    FetchRefusedError,
    FetchTimeoutError,
    InputTooLargeError,
    InvalidInputError,
    SummarizerError,
)
from summarizer.inputs.fetch import MAX_MESSAGE_CHARS, check_host, fetch_html

DRIP_CAP_S = 4.0  # a dripping reply gives up after this long (the old code waited for all of it)
DRIP_EVERY_S = 0.2
PAGE = "<html><head><title>Café</title></head><body><p>Légère brise à Zürich, déjà vu à Besançon.</p></body></html>"
ACCENTED = "Légère brise à Zürich, déjà vu à Besançon."

Behaviour = Callable[[socket.socket, threading.Event], None]


class HostileOrigin:
    """A listening socket on 127.0.0.1; each accepted connection runs ``behaviour(conn, stop)`` on a thread."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.connections = 0
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port: int = self.listener.getsockname()[1]
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/article"

    @property
    def entry(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            worker = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self.threads.append(worker)
            worker.start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(DRIP_CAP_S)
        try:
            self.behaviour(conn, self.stop)
        except OSError:
            pass  # the client gave up: expected for most behaviours
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        for thread in self.threads:
            thread.join(timeout=DRIP_CAP_S + 1)


@pytest.fixture
def origin() -> Iterator[Callable[[Behaviour], HostileOrigin]]:
    servers: list[HostileOrigin] = []

    def start(behaviour: Behaviour) -> HostileOrigin:
        servers.append(HostileOrigin(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def allowing(*hosts: str, **overrides: object) -> Settings:
    return Settings(fetch_urls=True, fetch_allow_hosts=list(hosts), **overrides)


# -- behaviours ----------------------------------------------------------------------------------------


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def wait_for_close(conn: socket.socket, stop: threading.Event) -> None:
    conn.settimeout(0.1)
    until = time.monotonic() + DRIP_CAP_S
    while not stop.is_set() and time.monotonic() < until:
        try:
            if not conn.recv(4096):
                return
        except TimeoutError:
            continue


def drip(conn: socket.socket, stop: threading.Event, data: Iterable[int]) -> None:
    """One byte every ``DRIP_EVERY_S`` until the client leaves, the test ends or ``DRIP_CAP_S`` passes."""
    until = time.monotonic() + DRIP_CAP_S
    for byte in data:
        if stop.is_set() or time.monotonic() > until:
            return
        conn.sendall(bytes([byte]))
        stop.wait(DRIP_EVERY_S)


def replying(head: bytes, body: bytes = b"") -> Behaviour:
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(head + body)
        wait_for_close(conn, stop)

    return behaviour


def page(body: bytes, *headers: str, status: str = "200 OK") -> Behaviour:
    lines = [f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return replying("\r\n".join(lines).encode("latin-1"), body)


def drip_status_line(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    drip(conn, stop, itertools.chain(b"HTTP/1.1 200 ", itertools.repeat(ord("K"))))


def drip_headers(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    drip(conn, stop, itertools.cycle(b"X-Drip: 1\r\n"))


def drip_chunk_size(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
    conn.sendall(b"6\r\n<html>\r\n")
    drip(conn, stop, itertools.chain(b"1", itertools.repeat(ord("0"))))


def slow_self_redirect(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    stop.wait(0.3)
    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def ssh_banner(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n")  # before any request, as sshd does
    wait_for_close(conn, stop)


CONTROL = bytes(range(1, 32)).replace(b"\n", b"").replace(b"\r", b"")
JUNK_LINE = (b"\x1b[31mJUNK" + CONTROL) * (64_000 // (len(CONTROL) + 9)) + b"\r\n"


# -- 1. one deadline for the whole fetch -----------------------------------------------------------------


@pytest.mark.parametrize("behaviour", [drip_status_line, drip_headers, drip_chunk_size], ids=lambda b: b.__name__)
def test_dripping_reply_ends_at_the_deadline(
    origin: Callable[[Behaviour], HostileOrigin], behaviour: Behaviour
) -> None:
    server = origin(behaviour)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError) as info:
        fetch_html(server.url, allowing(server.entry, fetch_timeout_s=1))
    assert time.monotonic() - started < 1 + 1
    assert info.value.code == "fetch_timeout"


def stall_tls_handshake(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(4096)  # the ClientHello, never answered
    wait_for_close(conn, stop)


def test_a_stalled_tls_handshake_ends_at_the_deadline(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(stall_tls_handshake)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError):
        fetch_html(f"https://127.0.0.1:{server.port}/", allowing(server.entry, fetch_timeout_s=1))
    assert time.monotonic() - started < 1 + 1


def test_plain_http_answering_tls_is_a_short_error(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.recv(4096)  # the ClientHello, answered in plain HTTP
        conn.sendall(b"HTTP/1.1 400 \x1b[2JEVIL\r\nContent-Length: 0\r\n\r\n")
        wait_for_close(conn, stop)

    server = origin(behaviour)
    with pytest.raises(FetchError) as info:
        fetch_html(f"https://127.0.0.1:{server.port}/", allowing(server.entry, fetch_timeout_s=3))
    assert info.value.code == "fetch_failed"
    assert str(info.value).isprintable() and "EVIL" not in str(info.value)


def test_a_callers_earlier_deadline_is_kept(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(drip_status_line)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError):
        fetch_html(server.url, allowing(server.entry, fetch_timeout_s=10), deadline=started + 0.5)
    assert time.monotonic() - started < 0.5 + 1


def test_a_past_deadline_fails_before_connecting(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(page(PAGE.encode(), "Content-Type: text/html; charset=utf-8"))
    with pytest.raises(FetchTimeoutError):
        fetch_html(server.url, allowing(server.entry), deadline=time.monotonic() - 1)
    assert server.connections == 0


def test_the_deadline_spans_redirect_hops(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(slow_self_redirect)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError):
        fetch_html(server.url, allowing(server.entry, fetch_timeout_s=1, fetch_max_redirects=10))
    assert time.monotonic() - started < 1 + 1


# -- 2. errors never echo the remote's bytes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "marker", "error"),
    [
        (ssh_banner, "OpenSSH", FetchError),
        (replying(b"<html><body>\x1b[2Jhello from 0.9</body></html>\n"), "hello from 0.9", FetchError),
        (replying(JUNK_LINE), "JUNK", FetchError),
        (replying(b"\x1b[31mJUNK" * 8_000), "JUNK", FetchError),  # no line end within the 64 KiB limit
        (replying(b"HTTP/1.1 500 \x1b[2J" + b"EVIL" * 10_000 + b"\r\nContent-Length: 0\r\n\r\n"), "EVIL", FetchError),
        (page(b"<p>x</p>", "Content-Type: application/x-\x1b[2J" + "EVIL" * 1000), "EVIL", InvalidInputError),
    ],
    ids=["ssh-banner", "http-0.9", "junk-status-line", "endless-status-line", "error-reason", "content-type"],
)
def test_errors_do_not_echo_the_reply(
    origin: Callable[[Behaviour], HostileOrigin], behaviour: Behaviour, marker: str, error: type[SummarizerError]
) -> None:
    server = origin(behaviour)
    with pytest.raises(error) as info:
        fetch_html(server.url, allowing(server.entry, fetch_timeout_s=3))
    message = str(info.value)
    assert len(message) <= MAX_MESSAGE_CHARS
    assert message.isprintable()
    assert marker not in message
    assert "127.0.0.1" in message or error is InvalidInputError


def test_a_long_host_name_is_capped_in_messages() -> None:
    host = ".".join(["a" * 60] * 30) + ".example.com"
    with pytest.raises(FetchRefusedError) as info:
        fetch_html(f"http://{host}/", allowing("*.example.org"))
    assert len(str(info.value)) <= MAX_MESSAGE_CHARS
    assert "aaaa" in str(info.value)


# -- 3. ports and redirects -------------------------------------------------------------------------------


def test_a_port_the_entry_does_not_name_is_refused(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(page(PAGE.encode(), "Content-Type: text/html; charset=utf-8"))
    with pytest.raises(FetchRefusedError) as info:
        fetch_html(server.url, allowing("127.0.0.1"))
    assert info.value.code == "port_not_allowed"
    assert server.connections == 0


def test_an_entry_with_a_port_allows_it(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(page(PAGE.encode(), "Content-Type: text/html; charset=utf-8"))
    assert ACCENTED in fetch_html(server.url, allowing(server.entry)).html


@pytest.mark.parametrize(
    ("entry", "host", "port", "allowed"),
    [
        ("example.com", "example.com", 80, True),
        ("example.com", "example.com", 443, True),
        ("example.com", "example.com", 8080, False),
        ("example.com:8080", "example.com", 8080, True),
        ("example.com:8080", "example.com", 80, False),
        ("*.example.com:8443", "news.example.com", 8443, True),
        ("*.example.com:8443", "news.example.com", 443, False),
        ("*.example.com", "news.example.com", 22, False),
        ("127.0.0.1:9000", "127.0.0.1", 9000, True),
        ("[::1]:9000", "::1", 9000, True),
        ("[::1]", "::1", 9000, False),
        ("example.com:http", "example.com", 80, False),  # malformed entries allow nothing
    ],
)
def test_allow_list_ports(monkeypatch: pytest.MonkeyPatch, entry: str, host: str, port: int, allowed: bool) -> None:
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: ["93.184.216.34"])
    if allowed:
        assert check_host(host, port, [entry]) == "93.184.216.34"
        return
    with pytest.raises(FetchRefusedError) as info:
        check_host(host, port, [entry])
    assert info.value.code in ("port_not_allowed", "host_not_allowed")


def test_redirect_to_another_port_is_refused(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    target = origin(page(PAGE.encode(), "Content-Type: text/html; charset=utf-8"))  # say, the service's /readyz
    location = f"http://127.0.0.1:{target.port}/readyz"
    server = origin(page(b"", f"Location: {location}", status="302 Found"))
    with pytest.raises(FetchRefusedError) as info:
        fetch_html(server.url, allowing("127.0.0.1", server.entry, target.entry))  # both ports listed, even
    assert info.value.code == "redirect_not_allowed"
    assert "another port" in info.value.message
    assert target.connections == 0


def test_redirect_to_another_scheme_is_refused(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(replying(b""))  # its reply names its own port: set once the port is known
    server.behaviour = page(b"", f"Location: https://127.0.0.1:{server.port}/article", status="301 Moved Permanently")
    with pytest.raises(FetchRefusedError) as info:
        fetch_html(server.url, allowing(server.entry))
    assert info.value.code == "redirect_not_allowed"
    assert "another scheme" in info.value.message
    assert server.connections == 1


# -- 4. IPv6 forms that carry an IPv4 address ----------------------------------------------------------


PRIVATE_CARRIERS = [
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:0:127.0.0.1",  # IPv4-translated
    "::ffff:169.254.169.254",  # IPv4-mapped
    "64:ff9b::127.0.0.1",  # NAT64
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::a00:1",  # NAT64 local use
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
]


@pytest.mark.parametrize("address", PRIVATE_CARRIERS)
def test_ipv6_carrying_a_private_ipv4_is_not_public(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: [address])
    with pytest.raises(FetchRefusedError) as info:
        check_host("news.example.com", 443, ["*.example.com"])
    assert info.value.code == "host_not_allowed"
    assert "non-public" in info.value.message


@pytest.mark.parametrize("address", ["::127.0.0.1", "64:ff9b::127.0.0.1", "::ffff:0:127.0.0.1"])
def test_wildcard_fetch_to_a_carried_loopback_never_connects(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    attempts: list[object] = []

    def connect(*args: object, **kwargs: object) -> socket.socket:
        attempts.append(args)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: [address])
    monkeypatch.setattr(socket, "create_connection", connect)
    with pytest.raises(FetchRefusedError) as info:
        fetch_html("http://news.example.com/article", allowing("*.example.com"))
    assert "non-public" in info.value.message
    assert attempts == []


def test_6to4_of_the_metadata_address_is_not_public(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: ["2002:a9fe:a9fe::"])
    with pytest.raises(FetchRefusedError, match="non-public"):
        check_host("metadata.example.com", 80, ["*.example.com"])


@pytest.mark.parametrize(
    "address", ["2002:5db8:d822::", "64:ff9b::5db8:d822", "::ffff:93.184.216.34", "2606:4700::6810:84e5"]
)
def test_ipv6_carrying_a_public_ipv4_passes(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: [address])
    assert check_host("news.example.com", 443, ["*.example.com"]) == address


def test_exactly_listed_host_may_still_carry_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: ["::127.0.0.1"])
    assert check_host("intranet.example.com", 443, ["intranet.example.com"]) == "::127.0.0.1"


# -- 5. compressed, declared-charset and binary bodies ----------------------------------------------------


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


LATIN1 = PAGE.encode("iso-8859-1")


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(LATIN1)),
        ("x-gzip", gzip.compress(LATIN1)),
        ("deflate", zlib.compress(LATIN1)),
        ("deflate", raw_deflate(LATIN1)),
        ("gzip", gzip.compress(LATIN1[:50]) + gzip.compress(LATIN1[50:])),  # two gzip members
    ],
    ids=["gzip", "x-gzip", "deflate", "raw-deflate", "gzip-members"],
)
def test_compressed_body_is_decoded_with_its_charset(
    origin: Callable[[Behaviour], HostileOrigin], encoding: str, body: bytes
) -> None:
    server = origin(page(body, "Content-Type: text/html; charset=iso-8859-1", f"Content-Encoding: {encoding}"))
    assert fetch_html(server.url, allowing(server.entry)).html == PAGE


def bomb(size: int, wbits: int) -> bytes:
    packer = zlib.compressobj(wbits=wbits)
    block = b" " * 1_000_000
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 16 + zlib.MAX_WBITS), ("deflate", zlib.MAX_WBITS)])
def test_compression_bomb_stops_at_the_byte_cap(
    origin: Callable[[Behaviour], HostileOrigin], encoding: str, wbits: int
) -> None:
    body = bomb(50_000_000, wbits)
    assert len(body) < 100_000  # far under the cap: only the decompressed size is over it
    server = origin(page(body, "Content-Type: text/html; charset=utf-8", f"Content-Encoding: {encoding}"))
    started = time.monotonic()
    with pytest.raises(InputTooLargeError) as info:
        fetch_html(server.url, allowing(server.entry, fetch_max_bytes=1_000_000))
    assert info.value.code == "page_too_large"
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("encoding", ["zstd", "br", "compress", "gzip, gzip"])
def test_unknown_content_encoding_is_refused(origin: Callable[[Behaviour], HostileOrigin], encoding: str) -> None:
    body = gzip.compress(gzip.compress(LATIN1)) if encoding == "gzip, gzip" else b"\x28\xb5\x2f\xfd junk"
    server = origin(page(body, "Content-Type: text/html; charset=utf-8", f"Content-Encoding: {encoding}"))
    with pytest.raises(FetchError) as info:
        fetch_html(server.url, allowing(server.entry))
    assert info.value.code == "fetch_failed"
    assert "content encoding" in info.value.message


def test_corrupt_compressed_body_fails(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(page(b"\x1f\x8b\x08\x00 not really gzip", "Content-Type: text/html", "Content-Encoding: gzip"))
    with pytest.raises(FetchError) as info:
        fetch_html(server.url, allowing(server.entry))
    assert info.value.code == "fetch_failed"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" * 20


@pytest.mark.parametrize(
    "headers",
    [
        ("Content-Type: text/html; charset=utf-8",),
        ("Content-Type: text/html; charset=iso-8859-1",),
        (),
        ("Content-Type: text/html; charset=utf-8", "Content-Encoding: gzip"),
    ],
    ids=["utf-8", "latin-1", "untyped", "gzip"],
)
def test_binary_body_is_refused(origin: Callable[[Behaviour], HostileOrigin], headers: tuple[str, ...]) -> None:
    body = gzip.compress(PNG) if "Content-Encoding: gzip" in headers else PNG
    server = origin(page(body, *headers))
    with pytest.raises(InvalidInputError) as info:
        fetch_html(server.url, allowing(server.entry))
    assert info.value.code == "unsupported_content_type"


def test_utf16_page_is_not_mistaken_for_binary(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    server = origin(page(PAGE.encode("utf-16"), "Content-Type: text/html; charset=utf-16"))
    assert fetch_html(server.url, allowing(server.entry)).html.lstrip("\ufeff") == PAGE


def test_absurd_content_length_is_too_large(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n"
    server = origin(replying(head, b"<p>x</p>"))
    with pytest.raises(InputTooLargeError) as info:
        fetch_html(server.url, allowing(server.entry))
    assert info.value.code == "page_too_large"


def test_body_shorter_than_its_content_length_fails(origin: Callable[[Behaviour], HostileOrigin]) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n"

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(head + PAGE.encode())  # then close, 5000 bytes never arrive

    server = origin(behaviour)
    with pytest.raises(FetchError) as info:
        fetch_html(server.url, allowing(server.entry))
    assert info.value.code == "fetch_failed"


# -- 6. URLs that cannot be encoded ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/article\ud800", "http://127.0.0.1/?q=\udfff", "http://127.0.0.1/\udc80/x"]
)
def test_lone_surrogate_is_an_invalid_url(url: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        fetch_html(url, allowing("127.0.0.1"))
    assert info.value.code == "invalid_url"
    assert "surrogate" in info.value.message

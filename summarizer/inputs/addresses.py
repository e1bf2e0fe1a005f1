"""Which hosts, ports and addresses URL fetching may reach (``check_host``; used by ``summarizer.inputs.fetch``).

An allow-list entry is ``host`` or ``host:port``: ``example.com``, ``*.example.com`` (subdomains only),
``127.0.0.1``, ``::1`` or ``[::1]``, with an optional port (``example.com:8080``, ``*.example.com:8443``,
``[::1]:9000``). Without a port an entry allows ports 80 and 443 only. A malformed entry allows nothing.

An address is public when it is globally routable and not multicast. IPv6 forms that carry an IPv4
address are rated by that IPv4 address: IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``,
IPv4-translated ``::ffff:0:a.b.c.d``, NAT64 ``64:ff9b::a.b.c.d``, 6to4 ``2002:AABB:CCDD::`` and Teredo
(``2001::/32``: the server and the inverted client address). The local-use NAT64 prefix
``64:ff9b:1::/48`` is never public (where its IPv4 sits depends on the operator's prefix length).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable

from summarizer.errors import FetchError, FetchRefusedError, FetchTimeoutError

DEFAULT_PORTS = (80, 443)

_V6 = ipaddress.IPv6Network
_LOW32 = (_V6("::ffff:0:0/96"), _V6("::/96"), _V6("::ffff:0:0:0/96"), _V6("64:ff9b::/96"))  # IPv4 = last 32 bits
_NAT64_LOCAL = _V6("64:ff9b:1::/48")
_SIX_TO_FOUR = _V6("2002::/16")  # IPv4 = bits 16-48
_TEREDO = _V6("2001::/32")  # server IPv4 = bits 32-64, client IPv4 = last 32 bits inverted
_MASK32 = 0xFFFFFFFF


def check_host(host: str, port: int, allow_hosts: list[str], *, deadline: float | None = None) -> str:
    """The address to connect to, after the allow-list and address checks; raises ``FetchRefusedError``.

    ``deadline`` (``time.monotonic()``) bounds the name lookup: ``FetchTimeoutError`` past it.
    """
    exact, wildcard, named = allow_match(host, port, allow_hosts)
    if not (exact or wildcard):
        if named:
            raise FetchRefusedError(
                f"port {port} is not allowed for host {shown(host)}: only 80 and 443 unless the allow-list "
                "entry names the port (host:port)",
                code="port_not_allowed",
            )
        raise FetchRefusedError(f"host {shown(host)} is not on this server's fetch allow-list", code="host_not_allowed")
    addresses = _resolve(host, port) if deadline is None or is_ip_literal(host) else _resolve_by(host, port, deadline)
    if not exact:  # wildcard entries reach public addresses only
        for address in addresses:
            if not is_public(address):
                raise FetchRefusedError(
                    f"host {shown(host)} resolves to a non-public address ({address}); list the host exactly "
                    "to allow it",
                    code="host_not_allowed",
                )
    return addresses[0]


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else "lookup failed"
        raise FetchError(f"cannot resolve host {shown(host)}: {printable(reason, 80)}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"host {shown(host)} has no address")
    return addresses


def _resolve_by(host: str, port: int, deadline: float) -> list[str]:
    """``_resolve`` on a thread, waited for until the deadline (getaddrinfo itself cannot be interrupted)."""
    outcome: list[list[str] | Exception] = []

    def run() -> None:
        try:
            outcome.append(_resolve(host, port))
        except Exception as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, name="fetch-resolve", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if not outcome:
        raise FetchTimeoutError(f"resolving {shown(host)} took too long (SUMMARIZER_FETCH_TIMEOUT_S)")
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    return outcome[0]


def parse_entry(entry: str) -> tuple[str, int | None] | None:
    """``(host, port or None)`` of an allow-list entry, lower-case, without brackets; ``None`` if malformed."""
    text = entry.strip().lower()
    port_text = None
    if text.startswith("["):  # [v6] or [v6]:port
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    elif text.count(":") == 1:  # name:port or v4:port (a bare IPv6 address has several colons)
        host, _, port_text = text.partition(":")
    else:
        host = text
    host = host.rstrip(".")
    if not host:
        return None
    if port_text is None:
        return host, None
    if not (port_text.isascii() and port_text.isdigit() and 0 < int(port_text) < 65536):
        return None
    return host, int(port_text)


def allow_match(host: str, port: int, allow_hosts: Iterable[str]) -> tuple[bool, bool, bool]:
    """``(exact, wildcard, named)``: an entry lists this host and port exactly; a wildcard entry covers
    them; some entry names the host (exactly or by wildcard) at any port."""
    exact = wildcard = named = False
    for entry in allow_hosts:
        parsed = parse_entry(entry)
        if parsed is None:
            continue
        entry_host, entry_port = parsed
        if entry_host.startswith("*."):
            host_matches, is_wildcard = host.endswith(entry_host[1:]), True
        else:
            host_matches, is_wildcard = host == entry_host, False
        if not host_matches:
            continue
        named = True
        if port == entry_port or (entry_port is None and port in DEFAULT_PORTS):
            wildcard = wildcard or is_wildcard
            exact = exact or not is_wildcard
    return exact, wildcard, named


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address carries (see the module docstring), or ``None``."""
    value = int(ip)
    if any(ip in network for network in _LOW32):
        return [ipaddress.IPv4Address(value & _MASK32)]
    if ip in _SIX_TO_FOUR:
        return [ipaddress.IPv4Address((value >> 80) & _MASK32)]
    if ip in _TEREDO:
        return [ipaddress.IPv4Address((value >> 64) & _MASK32), ipaddress.IPv4Address(~value & _MASK32)]
    return None


def is_public(address: str) -> bool:
    """Whether a wildcard allow-list entry may reach ``address`` (a resolved IPv4 or IPv6 address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        carried = embedded_ipv4(ip)
        if carried is not None:
            return all(_is_public_ip(v4) for v4 in carried)
    return _is_public_ip(ip)


def _is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def printable(text: str, limit: int) -> str:
    """``text`` for an error message: control characters replaced, at most ``limit`` characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(host: str) -> str:
    """A host name (or URL origin) quoted for a message, capped at 80 characters."""
    return repr(printable(host, 80))

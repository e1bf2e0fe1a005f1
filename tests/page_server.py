"""A tiny HTTP server on 127.0.0.1 serving the seed news page and misbehaving pages, for the URL-fetch tests."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE_HTML = ROOT / "seeds" / "html" / "harbor_bridge_closure.html"
PAGE_TEXT = ROOT / "seeds" / "html" / "harbor_bridge_closure.txt"
SLOW_S = 3.0


class _Handler(BaseHTTPRequestHandler):
    server: _PageServer

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.server.hosts.append(self.headers.get("Host", ""))
        port = self.server.server_address[1]
        page = PAGE_HTML.read_bytes()
        latin1 = page.decode().replace('charset="utf-8"', 'charset="iso-8859-1"').replace("Ledger", "Légère")
        latin1 = latin1.encode("latin-1")
        routes = {
            "/article": lambda: self._send(200, page),
            "/same-host-redirect": lambda: self._redirect("/article"),
            "/absolute-same-host-redirect": lambda: self._redirect(f"http://127.0.0.1:{port}/article"),
            "/other-host-redirect": lambda: self._redirect(f"http://localhost:{port}/article"),
            "/loop": lambda: self._redirect("/loop"),
            "/missing": lambda: self._send(404, b"<html><body>not found</body></html>"),
            "/json": lambda: self._send(200, b'{"a": 1}', "application/json"),
            "/big": lambda: self._send(200, page + b" " * 200_000),
            "/big-unsized": self._unsized,
            "/slow": self._slow,
            "/latin1-header": lambda: self._send(200, latin1, "text/html; charset=ISO-8859-1"),
            "/latin1-meta": lambda: self._send(200, latin1, "text/html"),
        }
        routes.get(self.path, lambda: self._send(404, b"no such page"))()

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _unsized(self) -> None:
        # No Content-Length: the byte cap must hold while streaming.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(40):
            self.wfile.write(b"<p>" + b"x" * 10_000 + b"</p>")
        self.close_connection = True

    def _slow(self) -> None:
        time.sleep(SLOW_S)
        self._send(200, PAGE_HTML.read_bytes())


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler still sleeping in /slow must not hold up the test's teardown

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hosts: list[str] = []  # Host headers received, in order

    @property
    def allow_entry(self) -> str:
        """The fetch allow-list entry for this server: ``127.0.0.1:<port>`` (a bare host allows 80 and 443 only)."""
        return f"127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that give up (the timeout and size-cap tests) close early; a handler writing to them
        # afterwards is expected, and its traceback would land in whichever test runs then.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def page_server() -> Iterator[_PageServer]:
    """Serve until the block ends; ``server.server_address[1]`` is the port."""
    server = _PageServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

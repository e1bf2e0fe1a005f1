"""Shared checks and sample articles for the service tests (imported by name: tests have no packages)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

# Paragraphs, a section label and a line-wrapped sentence: offsets must survive all three.
ARTICLE = """The city council approved a new transit budget on Tuesday after a long debate.
The plan raises spending on buses and trams by twelve percent over two years.

Officials said the money would add night services and   replace the oldest buses in the fleet.
Riders in the northern districts have waited years for more frequent connections.

Why it matters: Commuters could save up to twenty minutes a day once the new routes open,
and the city expects fewer cars downtown during rush hour.

Critics warned that property taxes may rise next year to pay for the expansion.
The first new routes are scheduled to start running in March."""

ONE_SENTENCE = "The city council approved a new transit budget on Tuesday after a long debate."


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    """Check the one error format and return the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


def assert_article_error(response: httpx.Response, index: int, status: int, code: str) -> str:
    """A batch answered 200 whose article ``index`` failed alone; every other entry is a summary."""
    assert response.status_code == 200, response.text
    body = response.json()
    results = body["results"]
    entry = results[index]
    assert set(entry) == {"error", "status"} and entry["status"] == status, entry
    assert entry["error"]["code"] == code and entry["error"]["message"], entry
    assert body["failed"] == 1
    assert all("summary" in r for i, r in enumerate(results) if i != index), results
    return entry["error"]["message"]


def assert_offsets(text: str, spans: list[dict[str, Any]]) -> None:
    """Each span's display text is exactly its source slice, whitespace collapsed (the offset contract)."""
    for span in spans:
        assert 0 <= span["start"] < span["end"] <= len(text), span
        source = " ".join(text[span["start"] : span["end"]].split())
        if span.get("sentence_end") is not None:  # a trimmed sentence: the whole one is still addressable
            assert span["end"] < span["sentence_end"] <= len(text), span
        assert span["text"] and source == span["text"], (source, span)


@contextmanager
def serving(app: Any, name: str = "uvicorn-test") -> Iterator[str]:
    """``app`` on a real uvicorn server on 127.0.0.1 (an OS-chosen port) in a background thread; its base URL.

    For what TestClient cannot do: real sockets, a client that hangs up mid-stream.
    """
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start within 20 s"
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(15)
        assert not thread.is_alive(), "uvicorn did not shut down within 15 s"

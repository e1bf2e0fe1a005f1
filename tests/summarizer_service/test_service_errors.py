"""The bad-input matrix: every failure answers ``{"error": {"code", "message"}}`` with the right status."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from fakes import make_summarizer
from fastapi.testclient import TestClient
from service_checks import ARTICLE, assert_error

from summarizer import Settings, Summarizer
from summarizer_service import create_app


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_text"),
        ("   \n\t  ", "empty_text"),
        ("\u200b\u200b", "empty_text"),
        ("asdf", "no_sentences"),
    ],
)
def test_unsummarizable_text(client: TestClient, text: str, code: str) -> None:
    assert_error(client.post("/v1/summarize", json={"text": text}), 422, code)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": None}, "body.text"),
        ({"text": 42}, "body.text"),
        ({"text": ["a", "b"]}, "body.text"),
        ({"text": {"a": 1}}, "body.text"),
        ({}, "body.text"),
        ({"text": ARTICLE, "colour": "red"}, "body.colour"),
        ({"text": ARTICLE, "max_sentences": 0}, "body.max_sentences"),
        ({"text": ARTICLE, "max_sentences": 11}, "body.max_sentences"),
        ({"text": ARTICLE, "bullets": -1}, "body.bullets"),
        ({"text": ARTICLE, "bullets": 6}, "body.bullets"),
        ({"text": ARTICLE, "max_words": 0}, "body.max_words"),
        ({"text": ARTICLE, "max_sentences": "3"}, "body.max_sentences"),
        ({"text": ARTICLE, "max_sentences": True}, "body.max_sentences"),
        ({"text": ARTICLE, "title": 7}, "body.title"),
    ],
)
def test_invalid_request_fields(client: TestClient, body: dict, field: str) -> None:
    message = assert_error(client.post("/v1/summarize", json=body), 422, "invalid_request")
    assert message.startswith(f"{field}: "), message


def test_validation_message_is_readable_and_does_not_echo_input(client: TestClient) -> None:
    secret = "confidential-" * 50
    message = assert_error(client.post("/v1/summarize", json={"text": [secret]}), 422, "invalid_request")
    assert message == "body.text: Input should be a valid string"
    message = assert_error(client.post("/v1/summarize", json=[secret]), 422, "invalid_request")
    assert "confidential" not in message


def test_non_json_body(client: TestClient) -> None:
    response = client.post(
        "/v1/summarize", content=b'{"text": "unterminated', headers={"Content-Type": "application/json"}
    )
    message = assert_error(response, 400, "invalid_json")
    assert "unterminated" not in message


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}, {}],
)
def test_wrong_content_type(client: TestClient, headers: dict) -> None:
    body = json.dumps({"text": ARTICLE}).encode()
    for path in ("/v1/summarize", "/v1/summarize/batch"):
        message = assert_error(client.post(path, content=body, headers=headers), 415, "unsupported_media_type")
        assert "application/json" in message


def test_body_over_the_byte_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(Settings(max_body_bytes=2048))
    response = client.post("/v1/summarize", json={"text": "word " * 1000})
    message = assert_error(response, 413, "body_too_large")
    assert "2048" in message
    assert client.post("/v1/summarize", json={"text": ARTICLE}).status_code == 200


def test_streamed_body_is_cut_off_while_reading(fake_summarizer: Summarizer) -> None:
    """Without a Content-Length the limit applies to the chunks as they arrive, not after buffering.

    The rest of the upload is then read and dropped (so the client sees the 413, not a reset), up to a cap.
    """
    app = create_app(Settings(max_body_bytes=2048), summarizer=fake_summarizer)
    pulled = 0

    def chunks() -> Iterator[bytes]:
        nonlocal pulled
        yield b'{"text": "'
        for _ in range(20_000):  # 20 MB
            pulled += 1
            yield b"x" * 1000

    source = chunks()
    sent: list[dict] = []

    async def receive() -> dict:
        chunk = next(source, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/summarize",
        "raw_path": b"/v1/summarize",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))
    assert start["status"] == 413
    assert body["error"]["code"] == "body_too_large" and "2048" in body["error"]["message"]
    assert pulled == 20_000  # drained, not kept: the app never saw more than the limit


def test_text_over_max_text_chars(make_client: Callable[..., TestClient], fake_encoder) -> None:
    client = make_client(summarizer=make_summarizer(fake_encoder, Settings(max_text_chars=1000)))
    message = assert_error(client.post("/v1/summarize", json={"text": ARTICLE * 2}), 413, "text_too_long")
    assert "1000" in message
    title = assert_error(
        client.post("/v1/summarize", json={"text": ARTICLE[:900], "title": "t" * 1001}), 413, "title_too_long"
    )
    assert "1000" in title


def test_unknown_route(client: TestClient) -> None:
    message = assert_error(client.get("/v2/nothing"), 404, "not_found")
    assert "/v2/nothing" in message


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/summarize"), ("PUT", "/v1/summarize/batch"), ("POST", "/healthz")]
)
def test_wrong_method(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert_error(response, 405, "method_not_allowed")
    assert response.headers.get("allow")


class _BrokenEncoder:
    name, device = "broken", "cpu"

    def __init__(self, inner) -> None:
        self.inner, self.broken = inner, False

    def encode(self, texts: list[str]):
        if self.broken:
            raise RuntimeError("tensor exploded: secret internals")
        return self.inner.encode(texts)


def test_unexpected_error_is_a_plain_500(
    make_client: Callable[..., TestClient], fake_encoder, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = _BrokenEncoder(fake_encoder)
    client = make_client(summarizer=make_summarizer(encoder, Settings()))
    encoder.broken = True
    with caplog.at_level(logging.INFO, logger="summarizer.service"):
        response = client.post("/v1/summarize", json={"text": ARTICLE})
    assert assert_error(response, 500, "internal_error") == "internal server error"
    assert "secret" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and "tensor exploded" in caplog.text, "the traceback belongs in the server log"
    assert any(r.getMessage().startswith("POST /v1/summarize 500 ") for r in caplog.records)
    assert client.get("/healthz").status_code == 200, "the service survives"

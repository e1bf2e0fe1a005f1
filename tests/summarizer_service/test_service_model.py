"""End to end with the real embedded encoder, through TestClient and through a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from service_checks import assert_error, assert_offsets, serving

from summarizer import Settings, Summarizer
from summarizer_service import create_app

pytestmark = pytest.mark.model
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def real_client(real_summarizer: Summarizer) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(device="cpu"), summarizer=real_summarizer)) as client:
        yield client


def test_seed_article(real_client: TestClient, seed_text: str) -> None:
    response = real_client.post("/v1/summarize", json={"text": seed_text})
    assert response.status_code == 200, response.text
    body = response.json()
    assert 2 <= len(body["sentences"]) <= 4
    assert len(body["why_it_matters"]) >= 2
    assert_offsets(seed_text, body["sentences"] + body["why_it_matters"])
    summary_spans = [(s["start"], s["end"]) for s in body["sentences"]]
    for bullet in body["why_it_matters"]:
        for start, end in summary_spans:
            assert bullet["end"] <= start or bullet["start"] >= end, (bullet, start, end)
        assert bullet["text"] not in {s["text"] for s in body["sentences"]}
    assert body["meta"]["backend"] == "extractive"
    assert body["meta"]["model"] == "all-MiniLM-L6-v2"


def test_seed_article_in_a_batch(real_client: TestClient, seed_text: str) -> None:
    single = real_client.post("/v1/summarize", json={"text": seed_text}).json()
    short = "The storm closed three highways overnight. Crews expect to reopen them by noon on Friday."
    results = real_client.post("/v1/summarize/batch", json={"articles": [{"text": short}, {"text": seed_text}]}).json()[
        "results"
    ]
    assert [r["meta"]["input"]["characters"] for r in results] == [len(short), len(seed_text)]
    # Batching shares the encoder pass; it must not change what is picked.
    assert [(s["start"], s["end"]) for s in results[1]["sentences"]] == [
        (s["start"], s["end"]) for s in single["sentences"]
    ]


@pytest.fixture
def live_server(real_summarizer: Summarizer) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 with an OS-chosen free port, in a background thread."""
    app = create_app(Settings(device="cpu", max_body_bytes=4096), summarizer=real_summarizer)
    with serving(app) as url:
        yield url


def test_real_server(live_server: str, seed_text: str) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/readyz").json()["model"] == "all-MiniLM-L6-v2"
        response = http.post("/v1/summarize", json={"text": seed_text, "max_sentences": 2})
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["sentences"]) == 2
        assert_offsets(seed_text, body["sentences"] + body["why_it_matters"])
        assert_error(http.post("/v1/summarize", json={"text": "asdf"}), 422, "no_sentences")
        assert_error(http.post("/v1/summarize", json={"text": "x" * 5000}), 413, "body_too_large")
        # Chunked upload (no Content-Length): the limit applies while reading.
        chunked = http.post(
            "/v1/summarize",
            content=iter([b'{"text": "', b"x" * 3000, b"x" * 3000, b'"}']),
            headers={"Content-Type": "application/json"},
        )
        assert_error(chunked, 413, "body_too_large")
        # A large upload refused by its Content-Length: the client still reads the 413 (no connection reset).
        big = http.post("/v1/summarize", content=b'{"text": "' + b"x" * 8_000_000 + b'"}', headers=JSON)
        assert_error(big, 413, "body_too_large")

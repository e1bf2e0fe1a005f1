"""The service's happy paths with the fast fake summarizer: shapes, offsets, batches, ops routes, logging."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import pytest
from fakes import make_summarizer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from service_checks import ARTICLE, ONE_SENTENCE, assert_article_error, assert_error, assert_offsets

from summarizer import Settings, Summarizer


def test_summarize_response_shape(client: TestClient, article: str) -> None:
    response = client.post("/v1/summarize", json={"text": article, "title": "Council passes transit budget"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"summary", "sentences", "why_it_matters", "meta", "warnings"}
    assert 1 <= len(body["sentences"]) <= 3
    assert len(body["why_it_matters"]) == 2
    assert body["summary"] == " ".join(s["text"] for s in body["sentences"])
    meta = body["meta"]
    assert meta["backend"] == "extractive"
    assert meta["model"] == "fake-hashing-encoder"
    assert meta["input"]["characters"] == len(article)
    assert meta["input"]["sentences"] >= 6
    assert isinstance(body["warnings"], list)


def test_offsets_slice_the_submitted_text(client: TestClient, article: str) -> None:
    body = client.post("/v1/summarize", json={"text": article, "max_sentences": 5, "bullets": 3}).json()
    assert_offsets(article, body["sentences"] + body["why_it_matters"])
    starts = [s["start"] for s in body["sentences"]]
    assert starts == sorted(starts), "summary sentences come in article order"


def test_knobs_are_applied(client: TestClient, article: str) -> None:
    body = client.post("/v1/summarize", json={"text": article, "max_sentences": 1, "bullets": 0}).json()
    assert len(body["sentences"]) == 1
    assert body["why_it_matters"] == []
    body = client.post("/v1/summarize", json={"text": article, "max_sentences": 10, "max_words": 20}).json()
    assert sum(len(s["text"].split()) for s in body["sentences"][1:]) <= 20


def test_one_sentence_article(client: TestClient) -> None:
    body = client.post("/v1/summarize", json={"text": ONE_SENTENCE}).json()
    assert len(body["sentences"]) == 1
    assert body["why_it_matters"] == []
    assert body["warnings"], "a one-sentence article must say why there are no bullets"
    assert_offsets(ONE_SENTENCE, body["sentences"])


def test_charset_in_content_type_is_accepted(client: TestClient, article: str) -> None:
    response = client.post(
        "/v1/summarize",
        content=json.dumps({"text": article}).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200, response.text


ARTICLES = [
    ARTICLE,
    "Scientists found a new species of frog in the rainforest. The frog is bright blue and very small. "
    "It lives only on a single mountain. Researchers fear that logging could wipe it out.",
    "The football club signed a young striker from Brazil. He scored twenty goals last season. "
    "Fans hope he will end the club's long scoring drought. The transfer fee was not disclosed.",
]


def test_batch_keeps_order_with_one_shared_call(client: TestClient, fake_summarizer: Summarizer) -> None:
    calls_before = len(fake_summarizer.backend.models.encoder.calls)
    response = client.post("/v1/summarize/batch", json={"articles": [{"text": t} for t in ARTICLES]})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(ARTICLES)
    for text, result in zip(ARTICLES, results, strict=True):
        assert result["meta"]["input"]["characters"] == len(text)
        assert_offsets(text, result["sentences"] + result["why_it_matters"])
    assert len(fake_summarizer.backend.models.encoder.calls) == calls_before + 1, "same knobs share one encoder pass"


def test_three_bullet_counts_make_one_encoder_pass(client: TestClient, fake_summarizer: Summarizer) -> None:
    encoder = fake_summarizer.backend.models.encoder
    # The article asked for two bullets has its own "Why it matters" passage, a bullet whatever the head says.
    texts = (ARTICLES[1], ARTICLES[2], ARTICLES[0])
    articles = [{"text": text, "bullets": n} for text, n in zip(texts, (0, 1, 2), strict=True)]
    calls_before = len(encoder.calls)
    response = client.post("/v1/summarize/batch", json={"articles": articles})
    assert response.status_code == 200, response.text
    assert len(encoder.calls) == calls_before + 1, "one encoder pass for the whole batch"
    results = response.json()["results"]
    # Every sentence of every article went through that one pass.
    assert len(encoder.calls[-1]) == sum(r["meta"]["input"]["sentences"] for r in results)
    assert [len(r["why_it_matters"]) <= n for r, n in zip(results, (0, 1, 2), strict=True)] == [True] * 3
    assert results[0]["why_it_matters"] == [] and len(results[2]["why_it_matters"]) >= 1


def test_batch_mixed_knobs(client: TestClient, fake_summarizer: Summarizer) -> None:
    articles = [
        {"text": ARTICLES[2], "max_sentences": 1},
        {"text": ARTICLES[1], "max_sentences": 3, "bullets": 0},
        {"text": ARTICLES[0], "max_sentences": 1},  # its own "Why it matters" passage: a bullet whatever the head says
    ]
    calls_before = len(fake_summarizer.backend.models.encoder.calls)
    results = client.post("/v1/summarize/batch", json={"articles": articles}).json()["results"]
    assert len(fake_summarizer.backend.models.encoder.calls) == calls_before + 1, "mixed knobs share one pass"
    assert [r["meta"]["input"]["characters"] for r in results] == [len(a["text"]) for a in articles]
    assert len(results[0]["sentences"]) == 1
    assert len(results[1]["sentences"]) >= 2 and results[1]["why_it_matters"] == []
    assert len(results[2]["sentences"]) == 1 and len(results[2]["why_it_matters"]) >= 1
    for article, result in zip(articles, results, strict=True):
        assert_offsets(article["text"], result["sentences"] + result["why_it_matters"])


def test_a_bad_article_fails_alone_and_the_others_are_answered(client: TestClient) -> None:
    articles = [{"text": ARTICLES[0]}, {"text": ARTICLES[1], "bullets": 0}, {"text": "asdf"}]
    response = client.post("/v1/summarize/batch", json={"articles": articles})
    assert_article_error(response, 2, 422, "no_sentences")
    first, second, _ = response.json()["results"]
    assert_offsets(ARTICLES[0], first["sentences"]) and second["why_it_matters"] == []


def test_batch_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(Settings(max_batch_articles=2))
    message = assert_error(
        client.post("/v1/summarize/batch", json={"articles": [{"text": t} for t in ARTICLES]}),
        413,
        "too_many_articles",
    )
    assert "2" in message and "3" in message
    ok = client.post("/v1/summarize/batch", json={"articles": [{"text": t} for t in ARTICLES[:2]]})
    assert ok.status_code == 200


@pytest.mark.parametrize("body", [{"articles": []}, {"articles": "x"}, {}, {"articles": [{"text": "A. B."}], "x": 1}])
def test_batch_invalid_request(client: TestClient, body: dict) -> None:
    assert_error(client.post("/v1/summarize/batch", json=body), 422, "invalid_request")


def test_a_malformed_batch_article_fails_alone(client: TestClient) -> None:
    good = {"text": ARTICLES[0]}
    bad = [{"text": 1}, "just a string", {}, {"text": "x", "html": "<p>x</p>"}, {**good, "bullets": 99}]
    response = client.post("/v1/summarize/batch", json={"articles": [good, *bad, good]})
    assert response.status_code == 200
    body = response.json()
    assert body["failed"] == len(bad) and len(body["results"]) == len(bad) + 2
    assert body["results"][0]["summary"] and body["results"][-1]["summary"]  # the valid ones are answered
    for i, entry in enumerate(body["results"][1:-1], start=1):
        assert entry["status"] == 422 and entry["error"]["code"] == "invalid_request"
        assert entry["error"]["message"].startswith(f"body.articles.{i}")  # names the article and the field
    assert "body.articles.1.text" in body["results"][1]["error"]["message"]
    assert "body.articles.5.bullets" in body["results"][5]["error"]["message"]


def test_ops_routes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "model": "fake-hashing-encoder", "device": "cpu"}
    assert client.head("/healthz").status_code == client.head("/readyz").status_code == 200  # load balancers probe so
    info = client.get("/v1/info").json()
    assert info["status"] == "ready" and info["backend"] == "extractive"
    assert info["model"] == "fake-hashing-encoder" and info["device"] == "cpu"
    assert info["limits"]["max_text_chars"] == 50_000  # the fake summarizer's own limit
    assert info["limits"]["max_body_bytes"] == Settings().max_body_bytes


def test_openapi_documents_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/summarize"]["post"]
    for status in ("400", "413", "415", "422", "503"):
        ref = post["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorResponse")
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SummarizeRequest")
    request_schema = spec["components"]["schemas"]["SummarizeRequest"]
    assert request_schema["additionalProperties"] is False
    assert request_schema["properties"]["max_sentences"]["maximum"] == 10
    assert request_schema.get("examples")
    assert "/v1/summarize/batch" in spec["paths"] and "/readyz" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_one_log_line_per_request_without_article_text(
    client: TestClient, article: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="summarizer.service"):
        client.post("/v1/summarize", json={"text": article})
        client.get("/nope")
    lines = [r.getMessage() for r in caplog.records if r.name == "summarizer.service"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("POST /v1/summarize 200 ") and lines[0].endswith("B")
    assert lines[1].startswith("GET /nope 404 ")
    assert all("council" not in line.lower() for line in caplog.text.splitlines())


class _GatedEncoder:
    """Wraps an encoder; once armed, ``encode`` blocks until released and records its thread."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.device = inner, inner.name, inner.device
        self.armed = False
        self.entered, self.release = threading.Event(), threading.Event()
        self.threads: list[str] = []

    def encode(self, texts: list[str]):
        if self.armed:
            self.threads.append(threading.current_thread().name)
            self.entered.set()
            self.release.wait(10)
        return self.inner.encode(texts)


def test_model_work_runs_off_the_event_loop(make_client: Callable[..., TestClient], fake_encoder, article) -> None:
    encoder = _GatedEncoder(fake_encoder)
    client = make_client(summarizer=make_summarizer(encoder, Settings()))
    encoder.armed = True
    responses: list = []
    worker = threading.Thread(target=lambda: responses.append(client.post("/v1/summarize", json={"text": article})))
    worker.start()
    try:
        assert encoder.entered.wait(10), "the summarize request never reached the encoder"
        started = time.perf_counter()
        health = client.get("/healthz")  # must not wait for the blocked model call
        elapsed = time.perf_counter() - started
    finally:
        encoder.release.set()
        worker.join(10)
    assert health.status_code == 200 and elapsed < 3, elapsed
    assert responses and responses[0].status_code == 200
    assert encoder.threads and all(name.startswith("summarizer-model") for name in encoder.threads)


def test_serve_runs_uvicorn_with_the_app_and_its_own_access_log(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from summarizer_service.server import serve

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(app=app, **kwargs))
    serve(Settings(host="127.0.0.1", port=8123, log_level="warning", load_on_startup=False))
    assert isinstance(seen["app"], FastAPI)
    assert (seen["host"], seen["port"], seen["log_level"], seen["access_log"]) == ("127.0.0.1", 8123, "warning", False)

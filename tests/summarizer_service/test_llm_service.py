"""The service with the llm backend behind a real OpenAI-compatible server on 127.0.0.1.

Streaming (SSE), a 429 then success, a hang (504 at the deadline), invalid JSON from the model,
the server down (502, or the extractive fallback), a batch whose one new article fails, a warm-up
while the server fails, /v1/info and /metrics.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest

pytest.importorskip("httpx", reason="the llm extra (httpx) is not installed")

import httpx
from fakes import HashingEncoder, ScriptedChatClient, make_llm
from fastapi.testclient import TestClient
from llm_server import ARTICLE, OpenAIServer, free_port, running_server
from service_checks import assert_article_error, assert_error

from summarizer import Settings, Summarizer
from summarizer.errors import UpstreamError
from summarizer.models.openai_client import OpenAIClient

ANSWER = json.dumps(
    {
        "summary": [
            "The city council approved a transport budget of 40 million pounds on Tuesday.",
            "The United States paid 7 billion dollars for it.",
        ],
        "why_it_matters": ["The plan adds two tram lines between the harbour and the university."],
    }
)


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIServer]:
    with running_server() as s:
        yield s


@pytest.fixture
def llm_client(make_client: Callable[..., TestClient], server: OpenAIServer) -> Callable[..., TestClient]:
    def make(base_url: str | None = None, **kw: object) -> TestClient:
        settings = _settings(base_url or server.base_url, **kw)
        summarizer = make_llm(HashingEncoder(), OpenAIClient.from_settings(settings), settings)
        return make_client(settings, summarizer=summarizer)

    return make


def _settings(base_url: str, **kw: object) -> Settings:
    return Settings(  # type: ignore[arg-type]
        backend="llm",
        llm_provider="openai",
        llm_base_url=base_url,
        llm_model="scripted",
        llm_support_threshold=0.3,
        **{"result_cache_entries": 0, **kw},
    )


def _poll_ready(client: TestClient, timeout: float = 20.0) -> httpx.Response:
    """/readyz once loading is over (ready or failed)."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/readyz")
        if response.status_code == 200 or response.json()["error"]["code"] != "not_ready":
            return response
        if time.monotonic() > deadline:
            return response
        time.sleep(0.02)


def _events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_summary_is_grounded_and_counted(llm_client: Callable[..., TestClient], server: OpenAIServer) -> None:
    server.script = [("status", 429), ("ok", ANSWER)]
    client = llm_client()
    response = client.post("/v1/summarize", json={"text": ARTICLE, "bullets": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["backend"] == "llm" and len(body["sentences"]) == 1
    assert body["meta"]["grounding"]["dropped"] == 1 and body["sentences"][0]["sources"]
    span = body["sentences"][0]
    assert ARTICLE[span["start"] : span["end"]].startswith("The city council")
    info = client.get("/v1/info").json()
    assert (info["backend"], info["provider"], info["model"]) == ("llm", "openai", "scripted")
    metrics = client.get("/metrics").text
    assert 'summarizer_grounding_sentences_total{outcome="dropped"} 1.0' in metrics
    assert 'summarizer_llm_tokens_total{direction="out"}' in metrics


def test_stream_sends_tokens_then_the_grounded_summary(
    llm_client: Callable[..., TestClient], server: OpenAIServer
) -> None:
    server.script = [("ok", ANSWER)]
    response = llm_client().post("/v1/summarize/stream", json={"text": ARTICLE, "bullets": 1})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    kinds = [k for k, _ in events]
    assert kinds.count("token") > 3 and kinds[-1] == "summary"
    assert "".join(d["text"] for k, d in events if k == "token").strip() == ANSWER
    assert events[-1][1]["meta"]["grounding"]["dropped"] == 1


def test_stream_input_errors_are_plain_json(llm_client: Callable[..., TestClient]) -> None:
    assert_error(llm_client().post("/v1/summarize/stream", json={"text": "   "}), 422, "empty_text")


def test_stream_reports_upstream_failure_as_an_event(
    llm_client: Callable[..., TestClient], server: OpenAIServer
) -> None:
    server.script = [("junk", b"not json at all")]
    events = _events(llm_client().post("/v1/summarize/stream", json={"text": ARTICLE}).text)
    assert events[-1][0] == "error" and events[-1][1]["status"] == 502


def test_invalid_json_from_the_model_is_parsed(llm_client: Callable[..., TestClient], server: OpenAIServer) -> None:
    server.script = [("ok", "Summary: The plan adds two tram lines between the harbour and the university. {oops")]
    body = llm_client().post("/v1/summarize", json={"text": ARTICLE, "bullets": 0}).json()
    assert body["meta"]["backend"] == "llm" and body["sentences"][0]["text"].startswith("The plan adds")


def test_hang_is_504_at_the_deadline(llm_client: Callable[..., TestClient], server: OpenAIServer) -> None:
    server.script = [("hang", 5.0)]
    response = llm_client(llm_timeout_s=0.5).post("/v1/summarize", json={"text": ARTICLE})
    assert_error(response, 504, "upstream_timeout")


def test_server_down_is_502_or_the_fallback(llm_client: Callable[..., TestClient]) -> None:
    down = f"http://127.0.0.1:{free_port()}/v1"
    assert_error(
        llm_client(down, llm_retries=0).post("/v1/summarize", json={"text": ARTICLE}), 502, "upstream_unreachable"
    )
    body = (
        llm_client(down, llm_retries=0, llm_fallback="extractive").post("/v1/summarize", json={"text": ARTICLE}).json()
    )
    assert body["meta"]["backend"] == "extractive" and body["meta"]["fallback_from"] == "llm"
    assert "upstream_unreachable" in body["warnings"][0]


def test_a_batch_keeps_each_articles_model_failure_to_itself(
    llm_client: Callable[..., TestClient], server: OpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = llm_client(llm_retries=0, result_cache_entries=16)
    server.script = [("ok", ANSWER)]
    assert client.post("/v1/summarize", json={"text": ARTICLE, "bullets": 1}).status_code == 200
    server.script = [("status", 500)]
    new = ARTICLE.replace("Tuesday", "Wednesday")
    # Only the new article reaches the model: its pass holds one article, and that failure is its own.
    mixed = client.post("/v1/summarize/batch", json={"articles": [{"text": ARTICLE, "bullets": 1}, {"text": new}]})
    assert_article_error(mixed, 1, 502, "upstream_failed")
    assert mixed.json()["results"][0]["meta"]["cached"] is True
    alone = client.post("/v1/summarize/batch", json={"articles": [{"text": new}]})
    assert_article_error(alone, 0, 502, "upstream_failed")
    assert_error(client.post("/v1/summarize", json={"text": new}), 502, "upstream_failed")
    # A failing model server is an operational event: one warning line with its code, no traceback.
    failures = [r for r in caplog.records if r.getMessage().startswith("model pass failed")]
    assert failures and all(r.levelname == "WARNING" and r.exc_info is None for r in failures)
    assert "upstream_failed" in failures[0].getMessage()


def test_a_remote_model_failing_its_warm_up_is_ready_all_the_same(
    make_client: Callable[..., TestClient], server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(server.base_url, llm_retries=0)
    summarizer = make_llm(HashingEncoder(), OpenAIClient.from_settings(settings), settings)
    monkeypatch.setattr(Summarizer, "load", lambda *a, **k: summarizer)
    server.script = [("status", 500)]  # the model server is not up yet
    client = make_client(settings, summarizer=None)
    assert _poll_ready(client).status_code == 200
    # Each request gets its own 502 until the server answers; then summaries.
    assert_error(client.post("/v1/summarize", json={"text": ARTICLE}), 502, "upstream_failed")
    server.script = [("ok", ANSWER)]
    assert client.post("/v1/summarize", json={"text": ARTICLE, "bullets": 1}).status_code == 200


def test_a_local_model_failing_its_warm_up_still_fails(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(backend="llm", llm_support_threshold=0.3)
    broken = ScriptedChatClient([UpstreamError("no room", code="upstream_bad_response")])  # type: ignore[list-item]
    summarizer = make_llm(HashingEncoder(), broken, settings)
    monkeypatch.setattr(Summarizer, "load", lambda *a, **k: summarizer)
    client = make_client(settings, summarizer=None)
    assert "warm-up failed: UpstreamError" in assert_error(_poll_ready(client), 503, "model_load_failed")

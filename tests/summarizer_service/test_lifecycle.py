"""Readiness: /healthz answers at once, /readyz and the summarize routes wait for the model."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from service_checks import ARTICLE, assert_error

from summarizer import Settings, Summarizer


def _poll(client: TestClient, until: Callable[[httpx.Response], bool], timeout: float = 30.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/readyz")
        if until(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.02)


@pytest.fixture
def slow_load(monkeypatch: pytest.MonkeyPatch, fake_summarizer: Summarizer) -> threading.Event:
    """Make ``Summarizer.load`` block until the returned event is set (bounded, so teardown never hangs)."""
    release = threading.Event()
    seen: list[Settings] = []

    def load(*args: object, settings: Settings | None = None, **kwargs: object) -> Summarizer:
        seen.append(settings)
        release.wait(10)
        return fake_summarizer

    monkeypatch.setattr(Summarizer, "load", load)
    release.seen = seen  # type: ignore[attr-defined]
    return release


def test_not_ready_until_loaded(make_client: Callable[..., TestClient], slow_load: threading.Event) -> None:
    settings = Settings(device="cpu")
    client = make_client(settings, summarizer=None)
    try:
        assert client.get("/healthz").status_code == 200
        assert_error(client.get("/readyz"), 503, "not_ready")
        assert client.head("/readyz").status_code == 503 and client.head("/healthz").status_code == 200
        response = client.post("/v1/summarize", json={"text": ARTICLE})
        assert_error(response, 503, "not_ready")
        assert response.headers.get("retry-after")
        assert_error(client.post("/v1/summarize/batch", json={"articles": [{"text": ARTICLE}]}), 503, "not_ready")
        assert client.get("/v1/info").json()["status"] == "loading"
    finally:
        slow_load.set()
    ready = _poll(client, lambda r: r.status_code == 200)
    assert ready.json() == {"status": "ready", "model": "fake-hashing-encoder", "device": "cpu"}
    assert client.post("/v1/summarize", json={"text": ARTICLE}).status_code == 200
    assert slow_load.seen == [settings], "the app's settings are passed to Summarizer.load"  # type: ignore[attr-defined]


def test_load_failure_keeps_service_unready(make_client: Callable[..., TestClient]) -> None:
    client = make_client(Settings(model="/nonexistent", device="cpu"), summarizer=None)
    response = _poll(client, lambda r: r.json()["error"]["code"] != "not_ready")
    message = assert_error(response, 503, "model_load_failed")
    assert "/nonexistent" in message
    assert_error(client.post("/v1/summarize", json={"text": ARTICLE}), 503, "model_load_failed")
    assert client.get("/healthz").status_code == 200
    info = client.get("/v1/info").json()
    assert info["status"] == "failed" and info["model"] is None


def test_lazy_load_starts_on_first_request(make_client: Callable[..., TestClient], slow_load: threading.Event) -> None:
    client = make_client(Settings(load_on_startup=False), summarizer=None)
    assert client.get("/v1/info").json()["status"] == "idle"
    try:
        # The first request that needs the model starts loading it and is told to retry.
        assert_error(client.post("/v1/summarize", json={"text": ARTICLE}), 503, "not_ready")
        assert client.get("/v1/info").json()["status"] == "loading"
    finally:
        slow_load.set()
    assert _poll(client, lambda r: r.status_code == 200).status_code == 200
    assert len(slow_load.seen) == 1  # type: ignore[attr-defined]


def test_injected_summarizer_is_ready_at_once(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200
    assert client.get("/v1/info").json()["status"] == "ready"


def test_ready_only_after_a_warm_up_pass(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch, fake_summarizer: Summarizer
) -> None:
    calls: list[str] = []
    real = fake_summarizer.summarize_many

    def counting(texts, *args, **kwargs):
        calls.append("summarize")
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(fake_summarizer, "summarize_many", counting)
    monkeypatch.setattr(Summarizer, "load", lambda *a, **k: fake_summarizer)
    client = make_client(Settings(), summarizer=None)
    assert _poll(client, lambda r: r.status_code == 200).status_code == 200
    assert calls == ["summarize"]  # the warm-up ran before the first client request
    metrics = client.get("/metrics").text
    assert "summarizer_model_ready 1.0" in metrics


def test_a_failing_warm_up_keeps_the_service_unready(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch, fake_summarizer: Summarizer
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("kernel crashed")

    monkeypatch.setattr(fake_summarizer, "summarize_many", broken)
    monkeypatch.setattr(Summarizer, "load", lambda *a, **k: fake_summarizer)
    client = make_client(Settings(), summarizer=None)
    response = _poll(client, lambda r: r.json()["error"]["code"] != "not_ready")
    assert "warm-up failed: RuntimeError" in assert_error(response, 503, "model_load_failed")

"""The HTTP service with the abstractive backend: same routes, same JSON shape, provenance offsets, long articles."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fakes import make_abstractive
from fastapi.testclient import TestClient
from long_articles import long_article
from service_checks import assert_error

from summarizer import Settings
from summarizer.models.seq2seq import Seq2SeqModel
from summarizer.text import count_words, segment

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_05444940e5ccca5a.txt"
FAST = {"device": "cpu", "num_beams": 1, "max_new_tokens": 24}  # greedy and short: random weights, quick tests


@pytest.fixture(scope="session")
def tiny_bart_dir(tiny_seq2seq: Callable[[str], Path]) -> Path:
    return tiny_seq2seq("bart")


@pytest.fixture(scope="session")
def generator(tiny_bart_dir: Path) -> Seq2SeqModel:
    return Seq2SeqModel.load(str(tiny_bart_dir), device="cpu", batch_size=64)


@pytest.fixture
def client(make_client: Callable[..., TestClient], fake_encoder, generator: Seq2SeqModel) -> TestClient:
    settings = Settings(**FAST)  # the default limits
    return make_client(settings, summarizer=make_abstractive(fake_encoder, generator, settings))


def check_offsets(text: str, body: dict) -> None:
    sentences = {(s.start, s.end) for s in segment(text)}
    assert body["sentences"], "never an empty summary"
    for span in body["sentences"]:
        assert span["generated"] is True
        assert (span["start"], span["end"]) == (span["sources"][0]["start"], span["sources"][0]["end"])
        assert all((s["start"], s["end"]) in sentences for s in span["sources"])
    for bullet in body["why_it_matters"]:
        assert [(s["start"], s["end"]) for s in bullet["sources"]] == [(bullet["start"], bullet["end"])]
        assert text[bullet["start"] : bullet["end"]].strip()


def test_summarize_seed_has_the_standard_shape(client: TestClient) -> None:
    text = SEED.read_text(encoding="utf-8")
    response = client.post("/v1/summarize", json={"text": text, "max_sentences": 2, "bullets": 2})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"summary", "sentences", "why_it_matters", "meta", "warnings"}
    meta = body["meta"]
    assert (meta["backend"], meta["model"], meta["encoder"]) == ("abstractive", "tiny-bart", "fake-hashing-encoder")
    assert meta["chunks"] >= 1 and meta["truncated"] is False
    assert meta["input"] == {"characters": len(text), "words": count_words(text), "sentences": len(segment(text))}
    check_offsets(text, body)
    assert client.get("/readyz").json() == {"status": "ready", "model": "tiny-bart", "device": "cpu"}
    info = client.get("/v1/info").json()
    assert (info["backend"], info["model"], info["device"]) == ("abstractive", "tiny-bart", "cpu")


def test_batch_route_keeps_request_order(client: TestClient) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("00[0-2]*.txt"))]
    response = client.post("/v1/summarize/batch", json={"articles": [{"text": t, "bullets": 1} for t in texts]})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["meta"]["input"]["characters"] for r in results] == [len(t) for t in texts]
    for text, body in zip(texts, results, strict=True):
        check_offsets(text, body)


def test_invalid_input_is_still_a_422(client: TestClient) -> None:
    assert_error(client.post("/v1/summarize", json={"text": "   "}), 422, "empty_text")


def test_a_20000_word_article_is_chunked_and_answered(client: TestClient) -> None:
    text = long_article(20_000)
    assert count_words(text) >= 20_000
    defaults = Settings()
    assert len(text) <= defaults.max_text_chars
    assert len(json.dumps({"text": text}).encode()) <= defaults.max_body_bytes
    response = client.post("/v1/summarize", json={"text": text, "bullets": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["chunks"] > 1 and body["meta"]["truncated"] is False
    assert body["meta"]["input"]["words"] == count_words(text)
    check_offsets(text, body)


def test_missing_checkpoint_keeps_the_service_unready(make_client: Callable[..., TestClient]) -> None:
    settings = Settings(backend="abstractive", model="/nonexistent/bart-large-cnn", device="cpu")
    client = make_client(settings, summarizer=None)
    deadline = time.monotonic() + 30
    while (response := client.get("/readyz")).json().get("error", {}).get("code") == "not_ready":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert "/nonexistent/bart-large-cnn" in assert_error(response, 503, "model_load_failed")
    assert client.get("/v1/info").json()["backend"] == "abstractive"


@pytest.mark.model
def test_service_loads_the_abstractive_backend_from_settings(
    make_client: Callable[..., TestClient], tiny_bart_dir: Path
) -> None:
    settings = Settings(backend="abstractive", model=str(tiny_bart_dir), engine="torch", **FAST)
    client = make_client(settings, summarizer=None)
    deadline = time.monotonic() + 120
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, client.get("/readyz").text
        time.sleep(0.05)
    text = SEED.read_text(encoding="utf-8")
    body = client.post("/v1/summarize", json={"text": text}).json()
    assert (body["meta"]["backend"], body["meta"]["model"], body["meta"]["encoder"]) == (
        "abstractive",
        "tiny-bart",
        "all-MiniLM-L6-v2",
    )
    check_offsets(text, body)

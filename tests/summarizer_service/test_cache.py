"""The result cache: an identical article with identical options is answered without the model."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from service_checks import ARTICLE, assert_article_error

from summarizer import Settings, Summarizer, SummaryOptions
from summarizer_service.cache import ResultCache
from summarizer_service.jobs import ArticleJob

OTHER = "The river rose three metres overnight. Thousands of residents were moved to shelters. Crops may suffer."


def _model_passes(fake_summarizer: Summarizer) -> int:
    return len(fake_summarizer.backend.models.encoder.calls)


def test_a_repeat_is_served_from_the_cache(client: TestClient, fake_summarizer: Summarizer) -> None:
    first = client.post("/v1/summarize", json={"text": ARTICLE})
    passes = _model_passes(fake_summarizer)
    again = client.post("/v1/summarize", json={"text": ARTICLE})
    assert _model_passes(fake_summarizer) == passes  # no model work
    assert first.status_code == again.status_code == 200
    assert "cached" not in first.json()["meta"] and again.json()["meta"]["cached"] is True
    strip = lambda body: {**body, "meta": {k: v for k, v in body["meta"].items() if k != "cached"}}  # noqa: E731
    assert strip(again.json()) == strip(first.json())


def test_different_options_or_title_miss_the_cache(client: TestClient, fake_summarizer: Summarizer) -> None:
    client.post("/v1/summarize", json={"text": ARTICLE})
    for body in ({"text": ARTICLE, "max_sentences": 1}, {"text": ARTICLE, "title": "Transit"}, {"text": OTHER}):
        passes = _model_passes(fake_summarizer)
        response = client.post("/v1/summarize", json=body)
        assert "cached" not in response.json()["meta"]
        assert _model_passes(fake_summarizer) == passes + 1


def test_a_batch_mixes_cached_fresh_and_failed_articles(client: TestClient) -> None:
    client.post("/v1/summarize", json={"text": ARTICLE})
    response = client.post("/v1/summarize/batch", json={"articles": [{"text": ARTICLE}, {"text": OTHER}]})
    results = response.json()["results"]
    assert [r["meta"].get("cached") for r in results] == [True, None]
    assert results[1]["sentences"][0]["text"].startswith("The river")
    # The cached first article is not sent to the model; the bad one keeps its place in the answer.
    bad = client.post("/v1/summarize/batch", json={"articles": [{"text": ARTICLE}, {"text": OTHER}, {"text": " "}]})
    assert_article_error(bad, 2, 422, "empty_text")
    assert [r["meta"].get("cached") for r in bad.json()["results"][:2]] == [True, True]


def test_the_cache_can_be_turned_off(make_client: Callable[..., TestClient], fake_summarizer: Summarizer) -> None:
    client = make_client(Settings(result_cache_entries=0))
    client.post("/v1/summarize", json={"text": ARTICLE})
    passes = _model_passes(fake_summarizer)
    assert "cached" not in client.post("/v1/summarize", json={"text": ARTICLE}).json()["meta"]
    assert _model_passes(fake_summarizer) == passes + 1


def test_the_cache_is_bounded_and_least_recently_used_goes_first(fake_summarizer: Summarizer) -> None:
    cache = ResultCache(2)
    summary = fake_summarizer.summarize(ARTICLE)
    keys = [ArticleJob(t, None, SummaryOptions(), False).cache_key() for t in ("a b c.", "d e f.", "g h i.")]
    cache.put(keys[0], summary)
    cache.put(keys[1], summary)
    assert cache.get(keys[0]) is not None  # 0 is now the most recent
    cache.put(keys[2], summary)
    assert len(cache) == 2 and cache.get(keys[1]) is None and cache.get(keys[0]) is not None
    hit = cache.get(keys[0])
    assert hit is not None and hit.meta.cached is True and summary.meta.cached is None  # the stored one is untouched

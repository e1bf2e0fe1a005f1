"""Request ids, structured access logs and Prometheus metrics."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from service_checks import ARTICLE, assert_error

from summarizer import Settings
from summarizer_service.errors import excerpt
from summarizer_service.observability import JsonFormatter, new_request_id, request_id_var

JSON = {"Content-Type": "application/json"}


def test_every_response_gets_a_fresh_request_id(client: TestClient) -> None:
    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(3)}
    ids.add(client.post("/v1/summarize", json={"text": ARTICLE}).headers["x-request-id"])
    ids.add(client.get("/nope").headers["x-request-id"])  # errors too
    assert len(ids) == 5 and all(len(i) == 32 for i in ids)


def test_a_well_formed_client_request_id_is_kept(client: TestClient) -> None:
    response = client.post("/v1/summarize", json={"text": ARTICLE}, headers={"X-Request-ID": "abc-123.x:9"})
    assert response.headers["x-request-id"] == "abc-123.x:9"


@pytest.mark.parametrize("given", ["", "a" * 129, "two words", "x\ty", "<script>", "é"])
def test_a_malformed_client_request_id_is_replaced(given: str) -> None:
    replaced = new_request_id(given)
    assert replaced != given and len(replaced) == 32


def test_access_log_is_structured_and_has_no_article_text(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="summarizer.service"):
        response = client.post("/v1/summarize", json={"text": ARTICLE}, headers={"X-Request-ID": "req-42"})
    records = [r for r in caplog.records if getattr(r, "path", None) == "/v1/summarize"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.status) == ("POST", 200)
    assert record.request_bytes == int(response.request.headers["content-length"])
    assert record.response_bytes == len(response.content)
    assert record.duration_ms >= 0
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42"
    assert line["status"] == 200 and line["level"] == "info"
    for r in caplog.records:
        assert "transit budget" not in JsonFormatter().format(r)


def test_json_formatter_names_the_request_id_of_the_context() -> None:
    token = request_id_var.set("rid-1")
    try:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line == {**line, "request_id": "rid-1", "message": "boom now", "level": "error"}


def test_article_text_is_logged_only_with_the_debug_setting(
    make_client: Callable[..., TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(Settings(log_article_text=True))
    with caplog.at_level(logging.INFO, logger="summarizer.service"):
        client.post("/v1/summarize", content=b"not json \x1b[31mred\nFAKE LOG LINE", headers=JSON)
    record = next(r for r in caplog.records if getattr(r, "path", None) == "/v1/summarize")
    assert record.status == 400
    assert record.body_excerpt == "not json \\x1b[31mred\\nFAKE LOG LINE"  # escaped: no terminal codes or forged lines


def test_bodies_are_not_logged_by_default(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="summarizer.service"):
        client.post("/v1/summarize", content=b"not json at all", headers=JSON)
    record = next(r for r in caplog.records if getattr(r, "path", None) == "/v1/summarize")
    assert not hasattr(record, "body_excerpt")


def test_excerpt_escapes_control_and_invisible_characters() -> None:
    assert excerpt("a\nb\x00c\u202ed") == "a\\nb\\x00c\\u202ed"
    assert excerpt("plain <b>text</b>") == "plain <b>text</b>"
    assert excerpt("x" * 100, 10) == "x" * 9 + "…"


def _metric(text: str, name: str) -> float:
    """Value of the one sample line starting with ``name`` (labels included in ``name``)."""
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + " ")]
    assert len(values) == 1, (name, [line for line in text.splitlines() if line.startswith(name.split("{")[0])])
    return values[0]


def test_metrics_count_requests_batches_and_model_state(client: TestClient) -> None:
    for _ in range(2):
        assert client.post("/v1/summarize", json={"text": ARTICLE}).status_code == 200
    assert client.post("/v1/summarize", json={"text": ""}).status_code == 422
    client.get("/no/such/route")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    ok = 'summarizer_requests_total{method="POST",route="/v1/summarize",status="200"}'
    assert _metric(text, ok) == 2
    assert _metric(text, ok.replace("200", "422")) == 1
    assert _metric(text, 'summarizer_requests_total{method="GET",route="unmatched",status="404"}') == 1
    assert _metric(text, 'summarizer_request_duration_seconds_count{route="/v1/summarize"}') == 3
    # The repeat came from the result cache, and the empty text was refused before it reached the queue.
    assert _metric(text, "summarizer_model_batch_articles_count") == 1
    assert _metric(text, "summarizer_queue_depth") == 0
    assert _metric(text, "summarizer_model_ready") == 1
    assert "summarizer_model_load_seconds" in text


def test_metrics_can_be_turned_off(make_client: Callable[..., TestClient]) -> None:
    assert_error(make_client(Settings(metrics=False)).get("/metrics"), 404, "not_found")

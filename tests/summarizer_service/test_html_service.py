"""HTML and URL input over HTTP: one of text/html/url, source_text on request, fetch policy as 4xx."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from page_server import _PageServer, page_server
from service_checks import ARTICLE, assert_article_error, assert_error, assert_offsets

from summarizer import Settings

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "seeds" / "html" / "harbor_bridge_closure.html").read_text(encoding="utf-8")
PLAIN = (ROOT / "seeds" / "html" / "harbor_bridge_closure.txt").read_text(encoding="utf-8").strip()
HEADLINE = "Westport Harbor Bridge to close to cars for 14 months"
NAV_ONLY = "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><footer>(c) 2025</footer></body></html>"


@pytest.fixture(scope="module")
def server() -> Iterator[_PageServer]:
    with page_server() as running:
        yield running


@pytest.fixture
def fetching_client(make_client: Callable[..., TestClient], server: _PageServer) -> TestClient:
    return make_client(Settings(fetch_urls=True, fetch_allow_hosts=[server.allow_entry], fetch_timeout_s=5))


def url(server: _PageServer, path: str, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.server_address[1]}{path}"


def without_timings(body: dict) -> dict:
    body = dict(body)
    body["meta"] = {k: v for k, v in body["meta"].items() if k not in ("elapsed_ms", "timings_ms", "cached")}
    return body


# -- html -------------------------------------------------------------------------------------------


def test_html_summarizes_like_its_plain_text(client: TestClient) -> None:
    from_html = client.post("/v1/summarize", json={"html": PAGE, "include_source": True})
    assert from_html.status_code == 200, from_html.text
    body = from_html.json()
    assert body["source_text"] == PLAIN
    assert body["source"] == {"format": "html", "url": None, "title": HEADLINE, "date": "2025-03-17"}
    assert_offsets(body["source_text"], body["sentences"] + body["why_it_matters"])
    from_text = client.post("/v1/summarize", json={"text": PLAIN, "title": HEADLINE}).json()
    assert from_text["meta"]["cached"] is True  # the page's extracted text and title are the same cache entry
    for key in ("source_text", "source"):
        del body[key]
    assert without_timings(body) == without_timings(from_text)


def test_clients_title_wins_over_the_pages(client: TestClient) -> None:
    body = client.post("/v1/summarize", json={"html": PAGE, "title": "Ferry service doubles"}).json()
    assert body["source"]["title"] == HEADLINE  # what the page said, reported either way
    assert "source_text" not in body  # only when asked


def test_text_answers_keep_their_shape(client: TestClient) -> None:
    body = client.post("/v1/summarize", json={"text": ARTICLE}).json()
    assert set(body) == {"summary", "sentences", "why_it_matters", "meta", "warnings"}
    body = client.post("/v1/summarize", json={"text": ARTICLE, "include_source": True}).json()
    assert body["source_text"] == ARTICLE
    assert "source" not in body


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ARTICLE, "html": PAGE}, "body.html"),
        ({"html": PAGE, "url": "http://127.0.0.1/a"}, "body.url"),
        ({"title": "only a title"}, "body.text"),
        ({"html": None}, "body.text"),
        ({"html": 42}, "body.html"),
        ({"text": ARTICLE, "include_source": "yes"}, "body.include_source"),
    ],
)
def test_exactly_one_input(client: TestClient, payload: dict, field: str) -> None:
    message = assert_error(client.post("/v1/summarize", json=payload), 422, "invalid_request")
    assert message.startswith(f"{field}: "), message


@pytest.mark.parametrize(
    ("html", "status", "code"),
    [
        (NAV_ONLY, 422, "no_main_text"),
        ("plain words, no tags at all", 422, "invalid_html"),
        ("", 422, "empty_html"),
    ],
)
def test_pages_without_an_article(client: TestClient, html: str, status: int, code: str) -> None:
    assert_error(client.post("/v1/summarize", json={"html": html}), status, code)


def test_huge_page(make_client: Callable[..., TestClient]) -> None:
    client = make_client(Settings(max_html_bytes=4096))
    message = assert_error(client.post("/v1/summarize", json={"html": PAGE}), 413, "html_too_large")
    assert "4096" in message


def test_batch_mixes_text_and_html_in_order(client: TestClient) -> None:
    articles = [{"text": ARTICLE}, {"html": PAGE, "include_source": True}, {"text": PLAIN, "title": HEADLINE}]
    response = client.post("/v1/summarize/batch", json={"articles": articles})
    assert response.status_code == 200, response.text
    first, second, third = response.json()["results"]
    assert first["meta"]["input"]["characters"] == len(ARTICLE)
    assert second["source_text"] == PLAIN
    assert second["summary"] == third["summary"]


def test_a_page_without_an_article_fails_alone_in_a_batch(client: TestClient) -> None:
    articles = [{"text": ARTICLE}, {"html": NAV_ONLY}]
    assert_article_error(client.post("/v1/summarize/batch", json={"articles": articles}), 1, 422, "no_main_text")


# -- url ----------------------------------------------------------------------------------------------


def test_url_fetching_is_off_by_default(client: TestClient, server: _PageServer) -> None:
    assert_error(client.post("/v1/summarize", json={"url": url(server, "/article")}), 403, "url_fetch_disabled")


def test_allow_listed_loopback_page_is_summarized(fetching_client: TestClient, server: _PageServer) -> None:
    response = fetching_client.post("/v1/summarize", json={"url": url(server, "/article"), "include_source": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == {"format": "html", "url": url(server, "/article"), "title": HEADLINE, "date": "2025-03-17"}
    assert body["source_text"] == PLAIN
    from_text = fetching_client.post("/v1/summarize", json={"text": PLAIN, "title": HEADLINE}).json()
    assert body["summary"] == from_text["summary"]


def test_host_not_on_the_list_is_refused(fetching_client: TestClient, server: _PageServer) -> None:
    response = fetching_client.post("/v1/summarize", json={"url": url(server, "/article", host="localhost")})
    message = assert_error(response, 403, "host_not_allowed")
    assert "localhost" in message


def test_redirect_to_another_host_is_refused(fetching_client: TestClient, server: _PageServer) -> None:
    response = fetching_client.post("/v1/summarize", json={"url": url(server, "/other-host-redirect")})
    assert_error(response, 403, "redirect_not_allowed")


def test_same_host_redirect_is_followed(fetching_client: TestClient, server: _PageServer) -> None:
    response = fetching_client.post("/v1/summarize", json={"url": url(server, "/same-host-redirect")})
    assert response.status_code == 200, response.text
    assert response.json()["source"]["url"] == url(server, "/article")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [("/missing", 502, "fetch_failed"), ("/json", 422, "unsupported_content_type"), ("/big", 413, "page_too_large")],
)
def test_upstream_problems(
    make_client: Callable[..., TestClient], server: _PageServer, path: str, status: int, code: str
) -> None:
    client = make_client(Settings(fetch_urls=True, fetch_allow_hosts=[server.allow_entry], fetch_max_bytes=100_000))
    assert_error(client.post("/v1/summarize", json={"url": url(server, path)}), status, code)


def test_slow_page_is_a_504(make_client: Callable[..., TestClient], server: _PageServer) -> None:
    client = make_client(Settings(fetch_urls=True, fetch_allow_hosts=[server.allow_entry], fetch_timeout_s=0.3))
    assert_error(client.post("/v1/summarize", json={"url": url(server, "/slow")}), 504, "fetch_timeout")


def test_bad_url_is_a_422(fetching_client: TestClient) -> None:
    assert_error(fetching_client.post("/v1/summarize", json={"url": "file:///etc/passwd"}), 422, "invalid_url")


def test_a_refused_fetch_fails_alone_in_a_batch(fetching_client: TestClient, server: _PageServer) -> None:
    articles = [{"url": url(server, "/article")}, {"url": url(server, "/other-host-redirect")}]
    response = fetching_client.post("/v1/summarize/batch", json={"articles": articles})
    assert_article_error(response, 1, 403, "redirect_not_allowed")

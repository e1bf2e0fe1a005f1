"""Hostile clients, replayed: one bad request or article never fails the others, and nothing a client
sends can grow the metrics, hold a connection open or read a body before the key is checked.

The fetch cases (slow, lying and non-HTTP origins) are in tests/summarizer/inputs/test_fetch_hostile.py
and, through the service, at the end of this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socketserver
import statistics
import string
import threading
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from fakes import HashingEncoder, make_summarizer
from fastapi.testclient import TestClient
from service_checks import ARTICLE, assert_error, assert_offsets

from summarizer import Settings, Summarizer
from summarizer_service import create_app

SURROGATE_BODY = b'{"text": "Hello \\ud800 there friend. This is a test sentence here."}'
POISON = "Poison pill sentence that breaks the encoder."


class PoisonedEncoder(HashingEncoder):
    """Fails on one sentence, as a tokenizer or model bug no input check foresaw would."""

    def encode(self, texts: list[str]) -> object:
        if any(POISON in t for t in texts):
            raise TypeError("the encoder cannot take this text")
        return super().encode(texts)


def _texts(n: int) -> list[str]:
    return [f"{ARTICLE}\n\nReport number {i} was filed by the city clerk on Friday." for i in range(n)]


async def _concurrently(app, bodies: list[dict | bytes]) -> list[httpx.Response]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:

            async def post(body: dict | bytes) -> httpx.Response:
                if isinstance(body, bytes):
                    headers = {"Content-Type": "application/json"}
                    return await client.post("/v1/summarize", content=body, headers=headers)
                return await client.post("/v1/summarize", json=body)

            return list(await asyncio.gather(*(post(b) for b in bodies)))


def test_a_lone_surrogate_fails_alone_among_24_concurrent_requests(fake_encoder: HashingEncoder) -> None:
    settings = Settings(batch_wait_ms=50, result_cache_entries=0)  # a wide window: they share model passes
    app = create_app(settings, summarizer=make_summarizer(fake_encoder, settings))
    texts = _texts(24)
    bodies: list[dict | bytes] = (
        [{"text": t} for t in texts[:12]] + [SURROGATE_BODY] + [{"text": t} for t in texts[12:]]
    )
    responses = asyncio.run(_concurrently(app, bodies))
    assert max(app.state.batcher.batch_sizes) > 1  # the valid ones did share model passes
    bad = responses.pop(12)
    assert_error(bad, 422, "invalid_unicode")
    assert [r.status_code for r in responses] == [200] * 24
    for text, response in zip(texts, responses, strict=True):
        assert_offsets(text, response.json()["sentences"])


def test_an_article_that_breaks_the_model_fails_alone(fake_encoder: HashingEncoder) -> None:
    """A failure no check caught (here: in the encoder) costs only its own article, in a shared pass too."""
    settings = Settings(batch_wait_ms=50, result_cache_entries=0)
    app = create_app(settings, summarizer=make_summarizer(PoisonedEncoder(), settings))
    texts = _texts(8)
    bodies: list[dict | bytes] = [{"text": t} for t in texts[:4]] + [{"text": f"{POISON} {ARTICLE}"}]
    bodies += [{"text": t} for t in texts[4:]]
    responses = asyncio.run(_concurrently(app, bodies))
    assert max(app.state.batcher.batch_sizes) > 1  # the poisoned article shared a pass with others
    assert_error(responses.pop(4), 500, "internal_error")
    assert [r.status_code for r in responses] == [200] * 8


def test_a_batch_answers_every_article_but_the_broken_one(make_client: Callable[..., TestClient]) -> None:
    settings = Settings(result_cache_entries=0)
    client = make_client(settings, summarizer=make_summarizer(PoisonedEncoder(), settings))
    articles = [{"text": t} for t in _texts(3)]
    articles.insert(1, {"text": f"{POISON} {ARTICLE}"})
    response = client.post("/v1/summarize/batch", json={"articles": articles})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[1] == {
        "error": {"code": "internal_error", "message": "internal error with this article"},
        "status": 500,
    }
    assert response.json()["failed"] == 1
    for article, result in zip(articles[:1] + articles[2:], results[:1] + results[2:], strict=True):
        assert_offsets(article["text"], result["sentences"])


def test_a_batch_with_a_lone_surrogate_answers_the_others(client: TestClient) -> None:
    body = b'{"articles": [{"text": "' + ARTICLE.replace("\n", "\\n").encode() + b'"}, ' + SURROGATE_BODY + b"]}"
    response = client.post("/v1/summarize/batch", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert_offsets(ARTICLE, first["sentences"])
    assert second["status"] == 422 and second["error"]["code"] == "invalid_unicode"


def test_random_methods_add_no_metric_series(client: TestClient) -> None:
    rng = random.Random(7)

    def series() -> set[str]:
        text = client.get("/metrics").text
        return {line.rsplit(" ", 1)[0] for line in text.splitlines() if line and not line.startswith("#")}

    assert client.request("MABCDEF", "/healthz").status_code == 405  # the first odd method: one "other" series
    client.get("/metrics")  # and the metrics route's own series
    before = series()
    for _ in range(3000):
        method = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 40)))
        assert client.request(method, "/healthz").status_code == 405
    assert series() == before  # 3,000 more methods: not one new series


def test_a_body_that_stops_arriving_gets_408(fake_summarizer: Summarizer) -> None:
    settings = Settings(body_read_timeout_s=0.5)
    app = create_app(settings, summarizer=fake_summarizer)

    async def stalled() -> AsyncIterator[bytes]:
        yield b'{"text": "The coun'  # 18 of the 1,000 bytes declared, then nothing
        await asyncio.sleep(5)
        yield b"x" * 982

    async def go() -> tuple[httpx.Response, float]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=10) as client:
                loop = asyncio.get_running_loop()
                started = loop.time()
                headers = {"Content-Type": "application/json", "Content-Length": "1000"}
                response = await client.post("/v1/summarize", content=stalled(), headers=headers)
                return response, loop.time() - started

    response, elapsed = asyncio.run(go())
    assert_error(response, 408, "body_timeout")
    assert elapsed < 3


@pytest.mark.parametrize("body", [b"{not json", b'{"text": 42}', b'{"text": "' + b"x" * 3_000_000 + b'"}'])
def test_without_a_key_nothing_of_the_body_is_judged(make_client: Callable[..., TestClient], body: bytes) -> None:
    secured = make_client(Settings(api_keys=["k" * 32]))
    response = secured.post("/v1/summarize", content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 401, "unauthorized")


# -- slow origins, through the service --------------------------------------------------------------


class _DrippingOrigin(socketserver.ThreadingTCPServer):
    """An allowed origin that sends its status line one byte every 0.2 s, for ever (until closed)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Drip)
        self.stopping = threading.Event()


class _Drip(socketserver.BaseRequestHandler):
    server: _DrippingOrigin

    def handle(self) -> None:
        with contextlib.suppress(OSError):
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" * 100:
                if self.server.stopping.wait(0.2):
                    return
                self.request.sendall(bytes([byte]))


@pytest.fixture
def dripping_origin() -> Iterator[_DrippingOrigin]:
    origin = _DrippingOrigin()
    thread = threading.Thread(target=origin.serve_forever, daemon=True)
    thread.start()
    yield origin
    origin.stopping.set()
    origin.shutdown()
    origin.server_close()


def test_45_dripping_fetches_neither_outlive_the_deadline_nor_delay_text_requests(
    fake_summarizer: Summarizer, dripping_origin: _DrippingOrigin
) -> None:
    port = dripping_origin.server_address[1]
    settings = Settings(fetch_urls=True, fetch_allow_hosts=[f"127.0.0.1:{port}"], fetch_timeout_s=3)
    app = create_app(settings, summarizer=fake_summarizer)
    texts = _texts(8)

    async def go() -> tuple[list[float], list[float], list[tuple[httpx.Response, float]]]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
                loop = asyncio.get_running_loop()

                async def timed(body: dict) -> tuple[httpx.Response, float]:
                    started = loop.time()
                    response = await client.post("/v1/summarize", json=body)
                    return response, loop.time() - started

                quiet = [(await timed({"text": t}))[1] for t in texts[:3]]
                fetches = [
                    asyncio.create_task(timed({"url": f"http://127.0.0.1:{port}/article/{i}"})) for i in range(45)
                ]
                await asyncio.sleep(0.3)  # every fetch is now connected and dripping
                during = await asyncio.gather(*(timed({"text": t}) for t in texts[3:]))
                assert [r.status_code for r, _ in during] == [200] * len(during)
                busy = [seconds for _, seconds in during]
                return quiet, busy, [await f for f in fetches]

    quiet, busy, fetched = asyncio.run(go())
    assert statistics.median(busy) - statistics.median(quiet) < 1.0, (quiet, busy)
    for response, seconds in fetched:
        assert_error(response, 504, "fetch_timeout")
        assert seconds < settings.fetch_timeout_s + 1, seconds

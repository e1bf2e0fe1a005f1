"""Cross-request micro-batching: concurrent requests share model passes, errors stay per request,
and a full queue answers 503 at once."""

from __future__ import annotations

import asyncio
import threading

import httpx
from service_checks import ARTICLE, assert_error, assert_offsets

from summarizer import Settings, Summarizer
from summarizer_service import create_app

TEXTS = [
    ARTICLE,
    "The river rose three metres overnight. Thousands of residents were moved to shelters. "
    "Officials warned the flood could damage crops across the valley.",
    "Shares in the carmaker fell sharply on Monday. The company cut its sales forecast for the year. "
    "Analysts said the decision signals weaker demand in Europe.",
]


class GatedSummarizer:
    """Wraps a summarizer; the first model pass waits until released, so requests pile up behind it."""

    def __init__(self, inner: Summarizer) -> None:
        self.inner = inner
        self.settings = inner.settings
        self.backend = inner.backend
        self.describe = inner.describe
        self.prepare = inner.prepare  # validation and segmentation run before the queue, never gated
        self.entered, self.release = threading.Event(), threading.Event()
        self.calls: list[int] = []

    def summarize_prepared(self, articles):
        self.calls.append(len(articles))
        self.entered.set()
        assert self.release.wait(10), "test never released the model"
        return self.inner.summarize_prepared(articles)


async def _drive(app, requests: list[dict], gate: GatedSummarizer, refused: int = 0) -> list[httpx.Response]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=20) as client:
            first = asyncio.create_task(client.post("/v1/summarize", json=requests[0]))
            await asyncio.to_thread(gate.entered.wait, 10)  # the model is now busy with request 0
            rest = [asyncio.create_task(client.post("/v1/summarize", json=r)) for r in requests[1:]]
            await asyncio.sleep(0.2)  # let them queue behind the busy model
            for _ in range(200):  # on a loaded machine: until the ``refused`` ones have been answered (503)
                if sum(t.done() for t in rest) >= refused:
                    break
                await asyncio.sleep(0.05)
            gate.release.set()
            return [await first, *[await t for t in rest]]


def _app(gate: GatedSummarizer, **settings):
    return create_app(Settings(batch_wait_ms=0, **settings), summarizer=gate)  # type: ignore[arg-type]


def test_requests_waiting_together_share_one_model_pass(fake_summarizer: Summarizer) -> None:
    gate = GatedSummarizer(fake_summarizer)
    app = _app(gate)
    requests = [{"text": t} for t in TEXTS] + [{"text": TEXTS[1], "max_sentences": 1}]
    responses = asyncio.run(_drive(app, requests, gate))
    for request, response in zip(requests, responses, strict=True):
        assert response.status_code == 200, response.text
        body = response.json()
        # each request got its own article's summary
        assert_offsets(request["text"], body["sentences"] + body["why_it_matters"])
    assert len(responses[3].json()["sentences"]) == 1
    # request 0 ran alone; the three that queued behind it went through together (two knob groups)
    assert gate.calls[0] == 1
    assert sum(gate.calls[1:]) == 3 and len(gate.calls) <= 3
    assert max(app.state.batcher.batch_sizes) == 3


def test_an_invalid_article_fails_only_its_own_request(fake_summarizer: Summarizer) -> None:
    gate = GatedSummarizer(fake_summarizer)
    requests = [{"text": TEXTS[0]}, {"text": TEXTS[1]}, {"text": "asdf"}, {"text": TEXTS[2]}]
    responses = asyncio.run(_drive(_app(gate), requests, gate))
    assert [r.status_code for r in responses] == [200, 200, 422, 200]
    message = assert_error(responses[2], 422, "no_sentences")
    assert not message.startswith("article")  # a single-article request is not numbered
    body = responses[3].json()
    assert_offsets(TEXTS[2], body["sentences"] + body["why_it_matters"])


def test_a_full_queue_answers_503_at_once(fake_summarizer: Summarizer) -> None:
    gate = GatedSummarizer(fake_summarizer)
    requests = [{"text": t} for t in TEXTS] + [{"text": TEXTS[0]}]
    responses = asyncio.run(_drive(_app(gate, max_queue=1), requests, gate))
    statuses = [r.status_code for r in responses]
    assert statuses[0] == 200
    assert statuses.count(503) == 2 and statuses.count(200) == 2
    rejected = next(r for r in responses if r.status_code == 503)
    assert_error(rejected, 503, "overloaded")
    assert rejected.headers["retry-after"] == "1"


def test_after_a_burst_of_503s_the_service_answers_200_again(fake_summarizer: Summarizer) -> None:
    gate = GatedSummarizer(fake_summarizer)
    app = _app(gate, max_queue=1)

    async def burst_then_retry() -> tuple[list[httpx.Response], httpx.Response]:
        responses = await _drive(app, [{"text": TEXTS[0]}] * 6, gate, refused=4)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return responses, await client.post("/v1/summarize", json={"text": TEXTS[1]})

    burst, after = asyncio.run(burst_then_retry())
    assert [r.status_code for r in burst].count(503) == 4
    assert after.status_code == 200, after.text


def test_a_request_past_its_deadline_gets_504_and_its_queued_work_is_dropped(fake_summarizer: Summarizer) -> None:
    gate = GatedSummarizer(fake_summarizer)
    app = _app(gate, request_timeout_s=0.1)

    async def drive() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=20) as client:
                first = asyncio.create_task(client.post("/v1/summarize", json={"text": TEXTS[0]}))
                await asyncio.to_thread(gate.entered.wait, 10)
                queued = await client.post("/v1/summarize", json={"text": TEXTS[1]})  # waits behind the gate
                gate.release.set()
                return [await first, queued]

    first, queued = asyncio.run(drive())
    assert_error(first, 504, "timeout")  # its pass was already running: the answer is late, not lost silently
    assert_error(queued, 504, "timeout")
    assert gate.calls == [1]  # the queued request timed out before its pass and was never run


def test_an_invalid_article_is_refused_without_waiting_for_a_busy_model(fake_summarizer: Summarizer) -> None:
    gate = GatedSummarizer(fake_summarizer)
    app = _app(gate)

    async def drive() -> httpx.Response:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=20) as client:
                busy = asyncio.create_task(client.post("/v1/summarize", json={"text": TEXTS[0]}))
                await asyncio.to_thread(gate.entered.wait, 10)  # the model is busy and stays busy
                try:
                    return await asyncio.wait_for(client.post("/v1/summarize", json={"text": "  "}), 5)
                finally:
                    gate.release.set()
                    await busy

    assert_error(asyncio.run(drive()), 422, "empty_text")
    assert gate.calls == [1]  # only the valid request reached the model

"""A stream's model job: cancelled when the client goes away or the deadline passes, and counted in the queue.

The llm backend here writes with a fake chat model that emits one word every few milliseconds, so a
job that keeps generating after its stream ended shows: the model worker stays busy and the words
written keep growing.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import httpx
import pytest
from fakes import HashingEncoder, ScriptedChatClient, make_llm
from fastapi.testclient import TestClient
from llm_server import ARTICLE
from service_checks import assert_error, serving

from summarizer import Settings, Summarizer
from summarizer_service import create_app

ANSWER = json.dumps(
    {
        "summary": ["The city council approved a transport budget of 40 million pounds on Tuesday."],
        "why_it_matters": ["The plan adds two tram lines between the harbour and the university."],
    }
)
WORDS = 200  # streamed words per completion: 4 s at DELAY_S
DELAY_S = 0.02


class SlowChatClient(ScriptedChatClient):
    """Streams ``WORDS`` filler words ``DELAY_S`` apart, then answers ANSWER; waits for ``gate`` first."""

    def __init__(self) -> None:
        super().__init__([ANSWER])
        self.written = 0
        self.started = threading.Event()
        self.gate = threading.Event()
        self.gate.set()

    def complete(self, messages, *, max_new_tokens, json_schema=None, on_token=None):  # type: ignore[no-untyped-def]
        self.started.set()
        self.gate.wait(10)  # bounded: a test that forgets to open it still ends
        if on_token is not None:
            for _ in range(WORDS):
                time.sleep(DELAY_S)
                on_token("word ")
                self.written += 1
        return super().complete(messages, max_new_tokens=max_new_tokens, json_schema=json_schema)


@pytest.fixture
def chat() -> SlowChatClient:
    return SlowChatClient()


def _llm(chat: SlowChatClient, **kw: object) -> tuple[Settings, Summarizer]:
    settings = Settings(backend="llm", llm_support_threshold=0.3, result_cache_entries=0, **kw)  # type: ignore[arg-type]
    return settings, make_llm(HashingEncoder(), chat, settings)


def _last_event(text: str) -> tuple[str, dict]:
    block = text.strip().split("\n\n")[-1]
    lines = dict(line.split(": ", 1) for line in block.splitlines())
    return lines["event"], json.loads(lines["data"])


def test_a_stream_the_client_leaves_stops_generating(chat: SlowChatClient) -> None:
    settings, summarizer = _llm(chat)
    with serving(create_app(settings, summarizer=summarizer)) as url, httpx.Client(base_url=url, timeout=30) as http:
        with http.stream("POST", "/v1/summarize/stream", json={"text": ARTICLE}) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("event: token"):
                    break  # one token seen: hang up
        started = time.monotonic()
        after = http.post("/v1/summarize", json={"text": ARTICLE})
        waited = time.monotonic() - started
        assert after.status_code == 200, after.text
        # The abandoned job stopped at its next token: the worker was free long before its 4 s of words.
        assert waited < 2.0 and chat.written < WORDS // 2, (waited, chat.written)
        assert "summarizer_streams_abandoned_total 1.0" in http.get("/metrics").text


def test_a_stream_past_its_deadline_stops_generating(
    make_client: Callable[..., TestClient], chat: SlowChatClient
) -> None:
    client = make_client(*_llm(chat, request_timeout_s=0.5))
    event, data = _last_event(client.post("/v1/summarize/stream", json={"text": ARTICLE}).text)
    assert event == "error" and data["error"]["code"] == "timeout" and data["status"] == 504
    # The next request gets the worker at once (the same 0.5 s deadline would otherwise pass while
    # the timed-out stream's job kept writing).
    after = client.post("/v1/summarize", json={"text": ARTICLE})
    assert after.status_code == 200, after.text
    assert chat.written < WORDS // 2


def test_streams_count_toward_the_queue_bound(make_client: Callable[..., TestClient], chat: SlowChatClient) -> None:
    client = make_client(*_llm(chat, max_queue=1))
    chat.gate.clear()
    answers: list[httpx.Response] = []

    def stream() -> None:
        answers.append(client.post("/v1/summarize/stream", json={"text": ARTICLE}))

    running, waiting = threading.Thread(target=stream), threading.Thread(target=stream)
    running.start()
    try:
        assert chat.started.wait(10), "the first stream never reached the model"
        waiting.start()  # the worker is busy: this one waits in the queue
        deadline = time.monotonic() + 5
        while "summarizer_queue_depth 1.0" not in client.get("/metrics").text and time.monotonic() < deadline:
            time.sleep(0.02)
        refused = client.post("/v1/summarize/stream", json={"text": ARTICLE})
        assert_error(refused, 503, "overloaded")
        assert refused.headers["retry-after"]
    finally:
        chat.gate.set()
        running.join(30)
        waiting.join(30)
    assert [r.status_code for r in answers] == [200, 200]
    assert all(_last_event(r.text)[0] == "summary" for r in answers)
    assert "summarizer_queue_depth 0.0" in client.get("/metrics").text

"""The OpenAI-compatible client against a real HTTP server on 127.0.0.1: retries, deadlines, junk, streaming."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

pytest.importorskip("httpx", reason="the llm extra (httpx) is not installed")

from llm_server import OpenAIServer, free_port, running_server

from summarizer import Settings
from summarizer.errors import ModelLoadError, UpstreamError, UpstreamTimeoutError
from summarizer.models.openai_client import OpenAIClient

MESSAGES = [{"role": "user", "content": "Summarize: the council met."}]


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIServer]:
    with running_server() as s:
        yield s


def _client(server: OpenAIServer, **kw: object) -> OpenAIClient:
    settings = Settings(llm_provider="openai", llm_base_url=server.base_url, llm_model="m", **kw)  # type: ignore[arg-type]
    return OpenAIClient.from_settings(settings)


def test_completion_streaming_and_key(server: OpenAIServer) -> None:
    server.script = [("ok", "The council met.")]
    client = _client(server, llm_api_key="sk-secret")
    done = client.complete(MESSAGES, max_new_tokens=20)
    assert done.text == "The council met." and done.prompt_tokens == 11
    pieces: list[str] = []
    streamed = client.complete(MESSAGES, max_new_tokens=20, on_token=pieces.append)
    assert len(pieces) > 1 and "".join(pieces) == streamed.text
    assert server.requests[-1]["stream"] is True
    assert "sk-secret" not in repr(Settings(llm_api_key="sk-secret"))  # type: ignore[arg-type]


def test_429_then_success_is_retried(server: OpenAIServer) -> None:
    server.script = [("status", 429), ("status", 503), ("ok", "fine")]
    server.requests.clear()
    assert _client(server).complete(MESSAGES, max_new_tokens=5).text == "fine"
    assert len(server.requests) == 3


def test_retries_are_bounded(server: OpenAIServer) -> None:
    server.script = [("status", 500)]
    server.requests.clear()
    with pytest.raises(UpstreamError) as caught:
        _client(server, llm_retries=1).complete(MESSAGES, max_new_tokens=5)
    assert caught.value.code == "upstream_failed" and len(server.requests) == 2


def test_hang_ends_at_the_deadline(server: OpenAIServer) -> None:
    server.script = [("hang", 5.0)]
    started = time.monotonic()
    with pytest.raises(UpstreamTimeoutError):
        _client(server, llm_timeout_s=0.5).complete(MESSAGES, max_new_tokens=5)
    assert time.monotonic() - started < 2.5


def test_junk_body_is_a_clean_error(server: OpenAIServer) -> None:
    server.script = [("junk", b"<html>not json")]
    with pytest.raises(UpstreamError) as caught:
        _client(server).complete(MESSAGES, max_new_tokens=5)
    assert caught.value.code == "upstream_bad_response"


def test_structured_output_refused_then_plain(server: OpenAIServer) -> None:
    server.script = [("refuse_schema", '{"summary": []}')]
    server.requests.clear()
    client = _client(server)
    assert client.complete(MESSAGES, max_new_tokens=5, json_schema={"type": "object"}).text == '{"summary": []}'
    assert "response_format" in server.requests[0] and "response_format" not in server.requests[1]
    assert client.structured is False


def test_server_down_is_unreachable() -> None:
    settings = Settings(
        llm_provider="openai", llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="m", llm_retries=1
    )
    with pytest.raises(UpstreamError) as caught:
        OpenAIClient.from_settings(settings).complete(MESSAGES, max_new_tokens=5)
    assert caught.value.code == "upstream_unreachable"


def test_missing_settings_fail_to_load() -> None:
    with pytest.raises(ModelLoadError):
        OpenAIClient.from_settings(Settings(llm_provider="openai"))

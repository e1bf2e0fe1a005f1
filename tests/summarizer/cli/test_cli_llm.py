"""The CLI with the llm backend: tokens printed as they come on a terminal, plain output when piped."""

from __future__ import annotations

import io
import json

import pytest
from fakes import HashingEncoder, ScriptedChatClient, make_llm

from summarizer import Settings, Summarizer
from summarizer.cli import main as cli_main

pytestmark = pytest.mark.usefixtures("fresh_settings")

ARTICLE = (
    "The city council approved a transport budget of 40 million pounds on Tuesday. "
    "The plan adds two tram lines between the harbour and the university. "
    "Critics warned that local taxes may rise to pay for the construction."
)
ANSWER = json.dumps({"summary": ["The plan adds two tram lines between the harbour and the university."]})


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(monkeypatch: pytest.MonkeyPatch, tmp_path, stdout: io.StringIO, fmt: str) -> list[Settings]:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_BACKEND", "llm")
    monkeypatch.setattr("sys.stdout", stdout)
    seen: list[Settings] = []

    def factory(settings: Settings) -> Summarizer:
        seen.append(settings)
        return make_llm(
            HashingEncoder(), ScriptedChatClient([ANSWER]), settings.model_copy(update={"llm_support_threshold": 0.3})
        )

    assert cli_main.main(["summarize", str(path), "--format", fmt, "--model", "/m/x.gguf"], factory) == 0
    return seen


def test_terminal_sees_tokens_then_the_result(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = _Terminal()
    seen = _run(monkeypatch, tmp_path, out, "text")
    text = out.getvalue()
    assert text.index('{"summary"') < text.rindex("The plan adds two tram lines")
    assert seen[0].llm_model == "/m/x.gguf" and seen[0].model is None  # --model names the language model


def test_piped_json_is_pure(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    _run(monkeypatch, tmp_path, out, "json")
    body = json.loads(out.getvalue())
    assert body["meta"]["backend"] == "llm" and body["sentences"][0]["sources"]

"""The bad-input matrix: hostile or broken requests and the answer each must get.

``test_bad_inputs.py`` runs every case; ``python tests/summarizer_service/bad_input_cases.py`` prints the
bad-input table of docs/reliability.md from the same cases and the service's real answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = {"Content-Type": "application/json"}
_SENTENCES = "The council approved the plan on Tuesday. Officials said work starts in May. Critics objected."


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    code: str | None  # None: a normal 200 summary
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    path: str = "/v1/summarize"


CASES = [
    Case("empty text", 422, "empty_text", json={"text": ""}),
    Case("whitespace-only text", 422, "empty_text", json={"text": " \n\t \u00a0 "}),
    Case("zero-width-only text", 422, "empty_text", json={"text": "\u200b\u200c\u200d\ufeff" * 20}),
    Case("50 KB without a sentence boundary", 422, "no_sentence_boundaries", json={"text": "word " * 10_000}),
    Case("2 MB single token", 413, "text_too_long", json={"text": "x" * 2_000_000}),
    Case("body over the byte limit", 413, "body_too_large", json={"text": "x" * 5_000_000}),
    Case("invalid UTF-8", 400, "invalid_encoding", content=b'{"text": "caf\xe9 \xff"}'),
    Case("not JSON", 400, "invalid_json", content=b"text=hello"),
    Case("truncated JSON", 400, "invalid_json", content=b'{"text": "The council'),
    Case("JSON array instead of object", 422, "invalid_request", json=[_SENTENCES]),
    Case("text is a number", 422, "invalid_request", json={"text": 42}),
    Case("text is null", 422, "invalid_request", json={"text": None}),
    Case("misspelt field", 422, "invalid_request", json={"text": _SENTENCES, "max_sentence": 2}),
    Case("deeply nested JSON", 400, "invalid_json", content=b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    Case("wrong Content-Type", 415, "unsupported_media_type", content=b"hello", headers={"Content-Type": "text/plain"}),
    Case("control characters", 200, None, json={"text": "The plan\x00 was approved.\x07 Critics objected\x1b[31m."}),
    Case("emoji only", 422, "no_sentences", json={"text": "🔥🔥🔥 😀😀 🚀🚀🚀🚀"}),
    Case(
        "right-to-left script",
        200,
        None,
        json={"text": "وافق المجلس على الميزانية يوم الثلاثاء. وقال المسؤولون إن الخطة ستقلل التنقل. وحذر المنتقدون."},
    ),
    Case("HTML/script soup", 200, None, json={"text": "<script>alert(1)</script><p>The plan was approved today.</p>"}),
    Case("max_sentences out of range", 422, "invalid_request", json={"text": _SENTENCES, "max_sentences": 1000}),
    Case("negative bullets", 422, "invalid_request", json={"text": _SENTENCES, "bullets": -1}),
    Case("boolean knob", 422, "invalid_request", json={"text": _SENTENCES, "max_words": True}),
    Case(
        "batch over the limit",
        413,
        "too_many_articles",
        json={"articles": [{"text": _SENTENCES}] * 33},
        path="/v1/summarize/batch",
    ),
    Case("empty batch", 422, "invalid_request", json={"articles": []}, path="/v1/summarize/batch"),
    Case(
        "one bad article in a batch",
        422,
        "empty_text",
        json={"articles": [{"text": _SENTENCES}, {"text": " "}]},
        path="/v1/summarize/batch",
    ),
]


def send(client: Any, case: Case) -> Any:
    kwargs: dict[str, Any] = {"headers": case.headers}
    if case.content is not None:
        kwargs["content"] = case.content
    else:
        kwargs["json"] = case.json
    return client.post(case.path, **kwargs)


def readme_row(case: Case, message: str) -> str:
    answer = f"`{case.code}`" if case.code else "summary"
    shown = message.replace("|", "\\|") if case.code else "—"
    return f"| {case.name} | {case.status} | {answer} | {shown} |"


if __name__ == "__main__":  # print the table of docs/reliability.md
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root), str(root / "tests")]
    from fakes import HashingEncoder, make_summarizer
    from fastapi.testclient import TestClient

    from summarizer import Settings
    from summarizer_service import create_app

    settings = Settings()
    with TestClient(create_app(settings, summarizer=make_summarizer(HashingEncoder(), settings))) as client:
        print("| input | status | answer | message |\n|---|---|---|---|")
        for case in CASES:
            response = send(client, case)
            message = response.json()["error"]["message"] if case.code else ""
            print(readme_row(case, message))

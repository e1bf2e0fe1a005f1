"""The bad-input matrix: hostile or broken requests and the answer each must get.

``test_bad_inputs.py`` runs every case; ``python tests/summarizer_service/bad_input_cases.py`` prints the
bad-input table of docs/reliability.md from the same cases and the service's real answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = {"Content-Type": "application/json"}
_SENTENCES = "The council approved the plan on Tuesday. Officials said work starts in May. Critics objected."
# JSON escapes of half a surrogate pair: valid JSON, invalid Unicode (httpx would refuse to encode them).
_SURROGATE_TEXT = b'{"text": "Hello \\ud800 there friend. This is a test sentence here."}'
_CHINESE = "北京是中国的首都。北京有很多人口。经济发展很快。"
_JAPANESE = "東京は日本の首都です。人口は約千四百万人です。"
_SURROGATE_TITLE = b'{"title": "Bad \\udc00 title", "text": "' + _SENTENCES.encode() + b'"}'


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    code: str | None  # None: a normal 200 summary
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    path: str = "/v1/summarize"
    article: int | None = None  # a batch answered 200 in which this article alone failed with status/code
    settings: dict[str, Any] = field(default_factory=dict)  # beyond the defaults (the name says which)


CASES = [
    Case("empty text", 422, "empty_text", json={"text": ""}),
    Case("whitespace-only text", 422, "empty_text", json={"text": " \n\t \u00a0 "}),
    Case("zero-width-only text", 422, "empty_text", json={"text": "\u200b\u200c\u200d\ufeff" * 20}),
    Case("50 KB without a sentence boundary", 200, None, json={"text": "word " * 10_000}),
    Case("2 MB single token", 413, "text_too_long", json={"text": "x" * 2_000_000}),
    Case("body over the byte limit", 413, "body_too_large", json={"text": "x" * 5_000_000}),
    Case("invalid UTF-8", 400, "invalid_encoding", content=b'{"text": "caf\xe9 \xff"}'),
    Case("not JSON", 400, "invalid_json", content=b"text=hello"),
    Case("truncated JSON", 400, "invalid_json", content=b'{"text": "The council'),
    Case("empty body", 400, "invalid_json", content=b""),
    Case("a 5,000-digit number", 400, "invalid_json", content=b'{"text": "Hi.", "max_words": ' + b"9" * 5000 + b"}"),
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
        "one mistyped article in a batch",
        422,
        "invalid_request",
        json={"articles": [{"text": _SENTENCES}, {"text": _SENTENCES, "max_sentence": 2}]},
        path="/v1/summarize/batch",
        article=1,
    ),
    Case(
        "one bad article in a batch",
        422,
        "empty_text",
        json={"articles": [{"text": _SENTENCES}, {"text": " "}]},
        path="/v1/summarize/batch",
        article=1,
    ),
    Case("lone surrogate in the text", 422, "invalid_unicode", content=_SURROGATE_TEXT),
    Case("lone surrogate in the title", 422, "invalid_unicode", content=_SURROGATE_TITLE),
    Case(
        "lone surrogate in one article of a batch",
        422,
        "invalid_unicode",
        content=b'{"articles": [{"text": "' + _SENTENCES.encode() + b'"}, ' + _SURROGATE_TEXT + b"]}",
        path="/v1/summarize/batch",
        article=1,
    ),
    Case("Chinese text", 422, "unsupported_language", json={"text": _CHINESE}),
    Case("Japanese text", 422, "unsupported_language", json={"text": _JAPANESE}),
    Case(
        "malformed JSON without a key (keys configured)",
        401,
        "unauthorized",
        content=b'{"text": "The council',
        settings={"api_keys": ["k" * 32]},
    ),
]


def send(client: Any, case: Case) -> Any:
    kwargs: dict[str, Any] = {"headers": case.headers}
    if case.content is not None:
        kwargs["content"] = case.content
    else:
        kwargs["json"] = case.json
    return client.post(case.path, **kwargs)


def error_message(case: Case, response: Any) -> str:
    """The message the table shows: the request's error, or the failed article's in a batch."""
    if not case.code:
        return ""
    body = response.json()
    return body["results"][case.article]["error"]["message"] if case.article is not None else body["error"]["message"]


def readme_row(case: Case, message: str) -> str:
    answer = f"`{case.code}`" if case.code else "summary"
    shown = message.replace("|", "\\|") if case.code else "—"
    status = f"200, article {case.article}: {case.status}" if case.article is not None else case.status
    return f"| {case.name} | {status} | {answer} | {shown} |"


if __name__ == "__main__":  # print the table of docs/reliability.md
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root), str(root / "tests")]
    from fakes import HashingEncoder, make_summarizer
    from fastapi.testclient import TestClient

    from summarizer import Settings
    from summarizer_service import create_app

    print("| input | status | answer | message |\n|---|---|---|---|")
    for case in CASES:
        settings = Settings(**case.settings)
        with TestClient(create_app(settings, summarizer=make_summarizer(HashingEncoder(), settings))) as client:
            print(readme_row(case, error_message(case, send(client, case))))

"""The llm backend with a scripted chat model: grounding, fallbacks, chunk-and-reduce, streaming."""

from __future__ import annotations

import json

from fakes import HashingEncoder, ScriptedChatClient, make_llm

from summarizer import Settings
from summarizer.cli.common import UNSUPPORTED_MARK, render
from summarizer.errors import UpstreamError

ARTICLE = (
    "The city council approved a transport budget of 40 million pounds on Tuesday. "
    "The plan adds two tram lines between the harbour and the university. "
    "Mayor Alice Brown said the lines would shorten commutes for thousands of students. "
    "Critics warned that local taxes may rise to pay for the construction. "
    "Work on the first line starts next spring and should take three years."
)
GOOD = {
    "summary": [
        "The city council approved a transport budget of 40 million pounds on Tuesday.",
        "The plan adds two tram lines between the harbour and the university.",
    ],
    "why_it_matters": ["Mayor Alice Brown said the lines would shorten commutes for thousands of students."],
}
INVENTED = "The United States sent 900 soldiers to the harbour."


def _settings(**kw: object) -> Settings:
    return Settings(backend="llm", llm_support_threshold=0.3, **kw)  # type: ignore[arg-type]


def test_grounded_summary_with_sources_and_meta() -> None:
    answer = {**GOOD, "summary": [*GOOD["summary"], INVENTED]}
    client = ScriptedChatClient([json.dumps(answer)])
    result = make_llm(HashingEncoder(), client, _settings()).summarize(ARTICLE, max_sentences=3, bullets=1)
    assert [s.text for s in result.sentences] == GOOD["summary"]  # the invented sentence is dropped
    for span in result.sentences + result.why_it_matters:
        assert span.generated and span.supported and span.sources
        assert ARTICLE[span.start : span.end] in ARTICLE and span.end > span.start
    meta = result.meta
    assert meta.backend == "llm" and meta.chunks == 1 and meta.tokens is not None and meta.tokens.completion > 0
    assert meta.grounding is not None
    assert (meta.grounding.checked, meta.grounding.supported, meta.grounding.dropped) == (4, 3, 1)
    assert meta.grounding.rejected[0].text == INVENTED
    assert any("dropped" in w for w in result.warnings)
    dumped = result.model_dump()
    assert dumped["meta"]["grounding"]["dropped"] == 1 and dumped["sentences"][0]["sources"]


def test_flag_keeps_unsupported_sentences_marked() -> None:
    answer = {**GOOD, "summary": [GOOD["summary"][0], INVENTED]}
    client = ScriptedChatClient([json.dumps(answer)])
    result = make_llm(HashingEncoder(), client, _settings(llm_unsupported="flag")).summarize(ARTICLE, bullets=1)
    assert [s.supported for s in result.sentences] == [True, False]
    assert any("United" in i for i in result.sentences[1].issues)
    assert result.meta.grounding is not None and result.meta.grounding.flagged == 1
    assert any("1 generated sentence(s) kept but not supported" in w for w in result.warnings)
    # The terminal and newsletter formats say which sentence is flagged, as the JSON does.
    for fmt in ("text", "markdown"):
        shown = render(result, fmt)
        assert shown.count(UNSUPPORTED_MARK) == 1 and shown.index(UNSUPPORTED_MARK) > shown.index(INVENTED)


def test_a_flagged_bullet_is_not_counted_as_supported() -> None:
    answer = {**GOOD, "why_it_matters": [INVENTED]}
    client = ScriptedChatClient([json.dumps(answer)])
    result = make_llm(HashingEncoder(), client, _settings(llm_unsupported="flag")).summarize(ARTICLE, bullets=1)
    assert [b.supported for b in result.why_it_matters] == [False]
    assert "asked for 1 bullets; 0 supported ones were written" in result.warnings


def test_everything_unsupported_returns_the_extractive_summary() -> None:
    client = ScriptedChatClient([json.dumps({"summary": [INVENTED], "why_it_matters": []})])
    result = make_llm(HashingEncoder(), client, _settings()).summarize(ARTICLE)
    assert result.meta.backend == "extractive" and result.meta.fallback_from == "llm"
    assert result.meta.grounding is not None and result.meta.grounding.dropped == 1
    assert "supported by the article" in result.warnings[0]
    assert all(ARTICLE[s.start : s.end] == s.text for s in result.sentences)


def test_junk_answer_is_parsed_as_plain_text() -> None:
    junk = "Here you go!\n" + GOOD["summary"][0] + "\nWhy it matters:\n- " + GOOD["why_it_matters"][0]
    result = make_llm(HashingEncoder(), ScriptedChatClient([junk]), _settings()).summarize(ARTICLE, bullets=1)
    assert result.meta.backend == "llm"
    assert result.sentences[0].text == GOOD["summary"][0] and len(result.why_it_matters) == 1
    assert any("JSON" in w for w in result.warnings)


def test_upstream_failure_raises_or_falls_back() -> None:
    failing = ScriptedChatClient([UpstreamError("down", code="upstream_unreachable")])  # type: ignore[list-item]
    summarizer = make_llm(HashingEncoder(), failing, _settings())
    try:
        summarizer.summarize(ARTICLE)
    except UpstreamError as exc:
        assert exc.code == "upstream_unreachable"
    else:
        raise AssertionError("no error")
    result = make_llm(HashingEncoder(), failing, _settings(llm_fallback="extractive")).summarize(ARTICLE)
    assert result.meta.backend == "extractive" and result.meta.fallback_from == "llm"
    assert "upstream_unreachable" in result.warnings[0]


def test_long_article_is_chunked_and_reduced_without_loss() -> None:
    sentences = [f"Report {i} says the harbour tram line {i} carried many passengers on Tuesday." for i in range(300)]
    article = " ".join(sentences)
    notes = "The harbour tram line carried many passengers on Tuesday."
    client = ScriptedChatClient([notes], context_tokens=700)
    result = make_llm(HashingEncoder(), client, _settings(llm_max_new_tokens=60)).summarize(article, bullets=0)
    assert result.meta.chunks is not None and result.meta.chunks > 1
    assert not result.meta.truncated
    map_prompts = [p[-1]["content"] for p in client.prompts[: result.meta.chunks]]
    for i in (0, 150, 299):  # every sentence reached the model in some chunk
        assert any(f"Report {i} says" in p for p in map_prompts)
    assert all(client.count_tokens([m["content"] for m in p])[0] < 700 for p in client.prompts)


def test_streaming_hands_over_tokens() -> None:
    client = ScriptedChatClient([json.dumps(GOOD)])
    summarizer = make_llm(HashingEncoder(), client, _settings())
    pieces: list[str] = []
    result = summarizer.summarize_streaming(summarizer.prepare(ARTICLE), pieces.append)
    assert "".join(pieces).strip() == json.dumps(GOOD) and result.meta.backend == "llm"

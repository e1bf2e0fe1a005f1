"""Prompt templates (packaged and overridden) and parsing whatever a small model answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.components.llm_prompts import Templates, answer_schema, note_sentences, parse_answer
from summarizer.errors import ModelLoadError
from summarizer.options import SummaryOptions


def test_summary_prompt_honours_the_knobs() -> None:
    messages = Templates.load().summary_messages("Body text.", "A title", SummaryOptions(2, 40, 1))
    user = messages[-1]["content"]
    assert messages[0]["role"] == "system" and "Body text." in user and "Title: A title" in user
    assert "at most 2 short sentences (40 words" in user and "1 short sentence on why" in user
    schema = answer_schema(SummaryOptions(2, None, 0))
    assert schema["properties"]["summary"]["maxItems"] == 2 and schema["properties"]["why_it_matters"]["maxItems"] == 0


def test_templates_can_be_overridden(tmp_path: Path) -> None:
    (tmp_path / "summary.txt").write_text("CUSTOM $max_sentences :: $article", encoding="utf-8")
    messages = Templates.load(tmp_path).summary_messages("Body.", None, SummaryOptions())
    assert messages[-1]["content"] == "CUSTOM 3 :: Body."
    (tmp_path / "summary.txt").write_text("broken $nope", encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"summary\.txt has an unknown or broken placeholder"):
        Templates.load(tmp_path)  # at load time, naming the file, not at the first article
    (tmp_path / "summary.txt").unlink()
    (tmp_path / "chunk.txt").write_text("Part $part of $parts: ${oops", encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"chunk\.txt"):
        Templates.load(tmp_path)


def test_a_templates_folder_that_does_not_exist_stops_loading(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="is not a folder"):
        Templates.load(tmp_path / "nope")


@pytest.mark.parametrize(
    ("text", "summary", "bullets", "structured"),
    [
        ('{"summary": ["One fact.", "Two facts."], "why_it_matters": ["It matters."]}', 2, 1, True),
        ('Sure! ```json\n{"summary": "One fact. Two facts.", "why_it_matters": []}\n```', 2, 0, True),
        ('{"Summary": ["One."], "Why it matters": ["Because."]} trailing junk', 1, 1, True),
        ("One fact here. Another fact.\n\nWhy it matters:\n- It matters.\n- Also this.", 2, 2, False),
        ('{"summary": ["unterminated', 1, 0, False),
        ("", 0, 0, False),
        ("{{{{ ]]]", 0, 0, False),
    ],
)
def test_parse_answer_accepts_any_shape(text: str, summary: int, bullets: int, structured: bool) -> None:
    answer = parse_answer(text)
    assert (len(answer.summary), len(answer.why_it_matters), answer.structured) == (summary, bullets, structured)


def test_note_sentences_strip_markers() -> None:
    assert note_sentences("- First point.\n2. Second point.") == ["First point.", "Second point."]

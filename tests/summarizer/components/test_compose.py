"""How spans are shown: ``text`` stays the exact span, ``display`` says how a reader should see it."""

from __future__ import annotations

from summarizer.components.compose import bullet_span, joined_summary, sentence_span, trimmed_span
from summarizer.text import segment


def test_a_cut_connective_is_shown_capitalised_while_the_span_stays_exact() -> None:
    text = "The council met. However, the deal could raise taxes for millions of families next year."
    sentence = segment(text)[1]
    span = bullet_span(text, sentence)
    assert span.text == text[span.start : span.end] == "the deal could raise taxes for millions of families next year."
    assert span.display == "The deal could raise taxes for millions of families next year."


def test_a_bullet_shown_as_it_is_has_no_display() -> None:
    text = "The council met. The deal could raise taxes for millions of families next year."
    span = bullet_span(text, segment(text)[1])
    assert span.display is None
    assert "display" not in span.model_dump()


def test_a_trimmed_sentence_is_shown_closed_and_the_joined_summary_uses_what_is_shown() -> None:
    text = "Prices rose by 5% in May, the agency said on Friday. Shops closed early."
    first, second = segment(text)
    cut = text.index(", the agency")
    trimmed = trimmed_span(first, text[first.content_start : cut], cut)
    assert trimmed.text == "Prices rose by 5% in May" and trimmed.display == "Prices rose by 5% in May."
    assert trimmed.sentence_end == first.end
    assert joined_summary([trimmed, sentence_span(second)]) == "Prices rose by 5% in May. Shops closed early."

"""Property tests for the whole text pipeline (fake encoder): any unicode either summarizes with valid
offsets or raises the library's own InvalidInputError; nothing else escapes."""

from __future__ import annotations

from fakes import make_summarizer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer import Settings, Summarizer
from summarizer.errors import InvalidInputError
from summarizer.text.segment import display_text

_WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
_PUNCT = st.sampled_from([". ", "! ", "? ", ".\n\n", "\n", ", ", " ", "… ", "。", ": ", ".\u200b "])
_ARTICLE = st.lists(st.tuples(_WORDS, _PUNCT), max_size=40).map(lambda parts: "".join(w + p for w, p in parts))
_ANY = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)


def _check(summarizer: Summarizer, text: str, bullets: int) -> None:
    try:
        result = summarizer.summarize(text, max_sentences=3, bullets=bullets)
    except InvalidInputError as exc:
        assert exc.code and str(exc)
        return
    assert 1 <= len(result.sentences) <= 3
    assert len(result.why_it_matters) <= bullets
    spans = result.sentences + result.why_it_matters
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.text and display_text(text[span.start : span.end]) == span.text  # the offset contract
    starts = [s.start for s in result.sentences]
    assert starts == sorted(starts)  # summary sentences keep article order
    assert result.meta.input.characters == len(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_ANY, bullets=st.integers(0, 5))
def test_any_unicode_summarizes_or_raises_invalid_input(fake_encoder, text: str, bullets: int) -> None:
    _check(make_summarizer(fake_encoder, Settings()), text, bullets)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_ARTICLE, bullets=st.integers(0, 5))
def test_sentence_like_unicode_keeps_offsets_valid(fake_encoder, text: str, bullets: int) -> None:
    _check(make_summarizer(fake_encoder, Settings()), text, bullets)

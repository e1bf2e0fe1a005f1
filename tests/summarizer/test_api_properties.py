"""Property tests for the whole text pipeline (fake encoder): any unicode either summarizes with valid
offsets or raises the library's own InvalidInputError; nothing else escapes."""

from __future__ import annotations

from fakes import make_summarizer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer import Settings, Summarizer
from summarizer.errors import InvalidInputError
from summarizer.text import segment
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


# Words of a transcript: letters only, no sentence punctuation anywhere; commas and line breaks at times.
_PLAIN_WORD = st.text(st.characters(whitelist_categories=("Ll", "Lu")), min_size=1, max_size=9)
_TRANSCRIPT = st.lists(st.tuples(_PLAIN_WORD, st.sampled_from([" ", " ", " ", ", ", "\n"])), min_size=130, max_size=700)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=_TRANSCRIPT)
def test_unpunctuated_text_is_summarized_from_pseudo_sentences(fake_encoder, parts: list[tuple[str, str]]) -> None:
    text = "".join(word + gap for word, gap in parts)
    try:
        result = make_summarizer(fake_encoder, Settings()).summarize(text, bullets=2)
    except InvalidInputError as exc:  # only when no run has three words (short lines): nothing to split
        assert exc.code == "no_sentences"
        return
    pseudo = {(s.content_start, s.end) for s in segment(text) if s.pseudo}
    shown = result.sentences + result.why_it_matters
    for span in shown:
        assert display_text(text[span.start : span.end]) == span.text
        assert len(span.text.split()) <= 120  # a long run is never shown whole
    warned = any("pseudo-sentences" in w for w in result.warnings)
    from_pseudo = any(a <= s.start and s.end <= b for s in shown for a, b in pseudo)  # bullets may be tidied inside
    assert warned == from_pseudo  # the warning is there exactly when owed


def test_a_5000_word_transcript_without_punctuation(fake_encoder) -> None:
    words = ["the", "council", "said", "fares", "would", "rise", "and", "riders", "were", "angry", "but", "so"]
    text = " ".join(words[(i * 7) % len(words)] for i in range(5000))
    result = make_summarizer(fake_encoder, Settings()).summarize(text)
    assert result.sentences and all(display_text(text[s.start : s.end]) == s.text for s in result.sentences)
    assert any("pseudo-sentences" in w for w in result.warnings)
    assert result.meta.input.words == 5000

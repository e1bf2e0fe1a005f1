"""The public API: Summarizer with the fake encoder (fast), then a few checks with the real model."""

from __future__ import annotations

import pytest
from fakes import make_summarizer

from summarizer import InputTooLargeError, InvalidInputError, Settings, Summarizer, Summary
from summarizer.text import segment

ARTICLES = [
    (
        "The city council approved a new budget on Monday after a long debate. "
        "The budget raises property taxes by four percent for most homeowners. "
        "Council members voted seven to two in favour of the plan.\n\n"
        "Critics warn the tax rise could push some families to leave the city, raising concerns about housing. "
        "The mayor thanked residents for attending the meeting."
    ),
    (
        "A storm knocked out power to thousands of homes along the coast on Tuesday. "
        "Crews worked through the night to restore electricity to hospitals first. "
        "The storm comes at a time when the region is already struggling with flooding. "
        "Officials said schools would stay closed until Thursday."
    ),
    (
        "Researchers found that walking thirty minutes a day lowers the risk of heart disease. "
        "The study followed ten thousand adults for twelve years. "
        "The findings could change how doctors advise patients with high blood pressure. "
        "The team plans a follow-up study with younger participants."
    ),
]


def dump_without_timings(result: Summary) -> dict:
    data = result.model_dump()
    data["meta"].pop("elapsed_ms")
    data["meta"].pop("timings_ms")
    return data


def check_spans(text: str, result: Summary) -> None:
    """Every returned span slices the input and its text is the span's display text."""
    for span in [*result.sentences, *result.why_it_matters]:
        assert 0 <= span.start < span.end <= len(text)
        shown = " ".join(text[span.start : span.end].split())
        if span.sentence_end is not None:  # a trimmed sentence: its kept prefix, closed with a period
            assert span.end < span.sentence_end <= len(text)
            shown += "."
        assert shown.endswith(span.text)


# -- shape and provenance -----------------------------------------------------------------------


def test_summarize_returns_a_summary(fake_summarizer: Summarizer) -> None:
    text = ARTICLES[0]
    result = fake_summarizer.summarize(text)
    assert isinstance(result, Summary)
    assert 1 <= len(result.sentences) <= 3
    assert result.summary == " ".join(s.text for s in result.sentences)
    assert len(result.why_it_matters) <= 2
    assert result.meta.backend == "extractive"
    assert result.meta.model == "fake-hashing-encoder"
    assert result.meta.device == "cpu"
    assert result.meta.elapsed_ms >= 0
    assert set(result.meta.timings_ms) == {"segment", "encode", "rank"}
    check_spans(text, result)
    # The JSON form round-trips.
    assert Summary.model_validate_json(result.model_dump_json()) == result


def test_sentences_are_in_article_order_and_bullets_do_not_overlap_them(fake_summarizer: Summarizer) -> None:
    for text in ARTICLES:
        result = fake_summarizer.summarize(text, max_sentences=2, bullets=2)
        starts = [s.start for s in result.sentences]
        assert starts == sorted(starts)
        assert all(a.end <= b.start for a, b in zip(result.sentences, result.sentences[1:], strict=False))
        for bullet in result.why_it_matters:
            for s in result.sentences:
                assert bullet.end <= s.start or s.end <= bullet.start, (bullet, s)
        bullet_starts = [b.start for b in result.why_it_matters]
        assert bullet_starts == sorted(bullet_starts)
        check_spans(text, result)


@pytest.mark.parametrize(("max_sentences", "bullets"), [(1, 0), (2, 1), (3, 2), (1, 5)])
def test_knobs_bound_the_output(fake_summarizer: Summarizer, max_sentences: int, bullets: int) -> None:
    result = fake_summarizer.summarize(ARTICLES[0], max_sentences=max_sentences, bullets=bullets)
    assert len(result.sentences) == max_sentences  # the article has enough distinct sentences
    assert len(result.why_it_matters) <= bullets


def test_max_words_bounds_the_summary(fake_summarizer: Summarizer) -> None:
    result = fake_summarizer.summarize(ARTICLES[0], max_sentences=5, max_words=30)
    assert result.sentences
    assert sum(len(s.text.split()) for s in result.sentences) <= 30


def test_meta_input_counts(fake_summarizer: Summarizer) -> None:
    text = "Heading Line\n\n" + ARTICLES[1] + "\n\nBy John Smith"
    result = fake_summarizer.summarize(text)
    assert result.meta.input.characters == len(text)
    assert result.meta.input.sentences == len(segment(text))
    assert result.meta.input.words > 40


# -- batching -----------------------------------------------------------------------------------


def test_summarize_many_encodes_once_and_matches_single_calls(fake_encoder, fake_summarizer: Summarizer) -> None:
    fake_encoder.calls.clear()  # the constructor encoded the prototypes
    many = fake_summarizer.summarize_many(ARTICLES)
    assert len(fake_encoder.calls) == 1
    batch = fake_encoder.calls[0]
    expected = [s.text for text in ARTICLES for s in segment(text)]
    assert batch == expected
    singles = [fake_summarizer.summarize(text) for text in ARTICLES]
    assert len(fake_encoder.calls) == 1 + len(ARTICLES)
    assert [dump_without_timings(r) for r in many] == [dump_without_timings(r) for r in singles]


def test_summarize_many_with_titles(fake_encoder, fake_summarizer: Summarizer) -> None:
    titles = [None, "Storm cuts power to thousands", None]
    fake_encoder.calls.clear()
    many = fake_summarizer.summarize_many(ARTICLES, titles)
    assert len(fake_encoder.calls) == 1
    assert fake_encoder.calls[0].count("Storm cuts power to thousands") == 1
    singles = [fake_summarizer.summarize(t, title) for t, title in zip(ARTICLES, titles, strict=True)]
    assert [dump_without_timings(r) for r in many] == [dump_without_timings(r) for r in singles]


def test_summarize_many_empty_list(fake_summarizer: Summarizer) -> None:
    assert fake_summarizer.summarize_many([]) == []


def test_summarize_many_rejects_mismatched_titles_and_a_bare_string(fake_summarizer: Summarizer) -> None:
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize_many(ARTICLES, ["only one title"])
    assert info.value.code == "invalid_parameter"
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize_many(ARTICLES[0])  # type: ignore[arg-type]
    assert info.value.code == "invalid_parameter"


def test_bad_article_in_a_batch_names_its_position(fake_encoder, fake_summarizer: Summarizer) -> None:
    fake_encoder.calls.clear()
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize_many([ARTICLES[0], "   ", ARTICLES[2]])
    assert info.value.article_index == 1
    assert info.value.code == "empty_text"
    assert str(info.value).startswith("article 1:")
    assert fake_encoder.calls == [], "validation happens before any model work"


def test_single_article_errors_have_no_position(fake_summarizer: Summarizer) -> None:
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize("   ")
    assert info.value.article_index is None
    assert not str(info.value).startswith("article")


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "knobs",
    [
        {"max_sentences": 0},
        {"max_sentences": 11},
        {"max_sentences": True},
        {"max_sentences": "3"},
        {"max_sentences": 2.0},
        {"max_sentences": None},
        {"bullets": -1},
        {"bullets": 6},
        {"bullets": True},
        {"bullets": "2"},
        {"max_words": 0},
        {"max_words": 10_001},
        {"max_words": True},
        {"max_words": "50"},
    ],
)
def test_invalid_knobs(fake_summarizer: Summarizer, knobs: dict) -> None:
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize(ARTICLES[0], **knobs)
    assert info.value.code == "invalid_parameter"
    assert next(iter(knobs)) in str(info.value)


@pytest.mark.parametrize(
    "knobs",
    [
        {"max_sentences": 1},
        {"max_sentences": 10},
        {"bullets": 0},
        {"bullets": 5},
        {"max_words": 1},
        {"max_words": 10_000},
        {"max_words": None},
    ],
)
def test_knobs_at_the_bounds_are_accepted(fake_summarizer: Summarizer, knobs: dict) -> None:
    assert fake_summarizer.summarize(ARTICLES[0], **knobs).sentences


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "\u200b\ufeff\u200d", " \u200b \n"])
def test_empty_text(fake_summarizer: Summarizer, text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize(text)
    assert info.value.code == "empty_text"


@pytest.mark.parametrize("text", ["asdf", "Hi.", "OK ok", "date 2024-10-06"])
def test_no_sentences(fake_summarizer: Summarizer, text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize(text)
    assert info.value.code == "no_sentences"


@pytest.mark.parametrize("text", [None, 42, b"bytes are not text", ["a list"]])
def test_non_string_text(fake_summarizer: Summarizer, text: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize(text)  # type: ignore[arg-type]
    assert info.value.code == "invalid_text"


def test_non_string_title(fake_summarizer: Summarizer) -> None:
    with pytest.raises(InvalidInputError) as info:
        fake_summarizer.summarize(ARTICLES[0], title=5)  # type: ignore[arg-type]
    assert info.value.code == "invalid_title"


def test_text_over_the_limit(fake_encoder) -> None:
    summarizer = make_summarizer(fake_encoder, Settings(max_text_chars=100))
    text = ARTICLES[0]
    assert len(text) > 100
    with pytest.raises(InputTooLargeError) as info:
        summarizer.summarize(text)
    assert info.value.code == "text_too_long"
    assert str(len(text)) in str(info.value)
    # Exactly at the limit is fine.
    short = "The council approved a new budget on Monday. Taxes will rise for everyone."
    assert make_summarizer(fake_encoder, Settings(max_text_chars=len(short))).summarize(short).sentences


def test_title_over_the_limit(fake_encoder) -> None:
    summarizer = make_summarizer(fake_encoder, Settings(max_title_chars=10))
    with pytest.raises(InputTooLargeError) as info:
        summarizer.summarize(ARTICLES[0], title="A title that is far too long")
    assert info.value.code == "title_too_long"


# -- special cases ------------------------------------------------------------------------------


def test_one_sentence_article(fake_summarizer: Summarizer) -> None:
    text = "The city council approved a new budget on Monday after a long debate."
    result = fake_summarizer.summarize(text, bullets=2)
    assert [(s.start, s.end) for s in result.sentences] == [(0, len(text))]
    assert result.summary == text
    assert result.why_it_matters == []
    assert any("one sentence" in w for w in result.warnings)


def test_no_warning_about_bullets_when_none_are_asked_for(fake_summarizer: Summarizer) -> None:
    text = "The city council approved a new budget on Monday after a long debate."
    assert not any("bullet" in w for w in fake_summarizer.summarize(text, bullets=0).warnings)


def test_warns_when_fewer_bullets_qualify(fake_summarizer: Summarizer) -> None:
    text = "The council approved a budget on Monday. Taxes will rise by four percent. The vote was close."
    result = fake_summarizer.summarize(text, max_sentences=2, bullets=3)
    assert len(result.why_it_matters) < 3
    assert any("bullets" in w for w in result.warnings)


def test_headline_first_line_is_the_title(fake_encoder, fake_summarizer: Summarizer) -> None:
    headline = "Council Approves New Budget"
    text = headline + "\n\n" + ARTICLES[0]
    fake_encoder.calls.clear()
    result = fake_summarizer.summarize(text, max_sentences=5)
    assert fake_encoder.calls[0][-1] == headline, "the headline is encoded as the title"
    assert all(not s.text.startswith(headline) for s in result.sentences)
    assert all(s.start > len(headline) for s in [*result.sentences, *result.why_it_matters])
    # Same as passing the headline explicitly.
    explicit = fake_summarizer.summarize(text, headline, max_sentences=5)
    assert dump_without_timings(result) == dump_without_timings(explicit)


def test_explicit_title_is_cleaned(fake_encoder, fake_summarizer: Summarizer) -> None:
    fake_encoder.calls.clear()
    fake_summarizer.summarize(ARTICLES[1], title="  Storm\u200b   cuts\npower  ")
    assert fake_encoder.calls[0][-1] == "Storm cuts power"
    fake_encoder.calls.clear()
    fake_summarizer.summarize(ARTICLES[1], title=" \u200b ")
    assert fake_encoder.calls[0] == [s.text for s in segment(ARTICLES[1])], "a blank title is no title"


def test_boilerplate_never_makes_the_summary(fake_summarizer: Summarizer) -> None:
    text = "By John Smith\n\nScroll down for video\n\n" + ARTICLES[2]
    result = fake_summarizer.summarize(text, max_sentences=5, bullets=5)
    for span in [*result.sentences, *result.why_it_matters]:
        assert "John Smith" not in span.text and "Scroll down" not in span.text


# -- the real model -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_result(real_summarizer: Summarizer, seed_text: str) -> Summary:
    return real_summarizer.summarize(seed_text)


@pytest.mark.model
def test_real_model_on_the_seed(seed_result: Summary, seed_text: str) -> None:
    result = seed_result
    assert 2 <= len(result.sentences) <= 3
    assert len(result.why_it_matters) >= 2
    check_spans(seed_text, result)
    summary_spans = {(s.start, s.end) for s in result.sentences}
    assert not summary_spans & {(b.start, b.end) for b in result.why_it_matters}
    assert not {s.text for s in result.sentences} & {b.text for b in result.why_it_matters}
    first = result.sentences[0].text
    assert "China" in first and "North Korea" in first
    assert "pledge" in first.lower() or "cooperation" in first.lower()
    why = seed_text.index("Why It Matters:")
    assert all(b.start >= why for b in result.why_it_matters), "bullets come from the article's own section"
    assert all(s.start < why for s in result.sentences), "the summary reports, the section explains"
    assert result.meta.model == "all-MiniLM-L6-v2"
    assert result.meta.device == "cpu"
    assert result.meta.input.characters == len(seed_text)


@pytest.mark.model
def test_real_model_knobs_on_the_seed(real_summarizer: Summarizer, seed_text: str) -> None:
    for k in (2, 4):
        result = real_summarizer.summarize(seed_text, max_sentences=k, bullets=2)
        assert len(result.sentences) == k
        assert [s.start for s in result.sentences] == sorted(s.start for s in result.sentences)
        assert "China" in result.sentences[0].text
        check_spans(seed_text, result)

"""Learned trimming of summary sentences: candidate cuts, the packaged head, training, the pipeline."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from fakes import make_summarizer

from summarizer import Settings
from summarizer.heads import TRIM_HEAD_FILE, load_trim_head
from summarizer.heads.linear import LinearHead
from summarizer.selection.compression import FEATURE_NAMES, MIN_KEPT_WORDS, Cut, best_cuts, trim_features, trim_summary
from summarizer.text import segment
from training.trim_head import TrimExample, fit_ridge, fit_trim_head, trim_example, trimmed_texts

ARTICLE = (
    "Chinese police have arrested more than 133,000 people and seized 43 tons of illegal narcotics during a "
    "six-month campaign, the country's ministry of public security has announced. "
    "Authorities also handled 115,000 drug-related crimes during the nationwide campaign, according to a "
    "statement released by the ministry on Tuesday. "
    "The figures were nearly double the same period a year earlier, while the amount of narcotics seized was "
    "up by 44.9%. "
    "Liu said drug trafficking groups have suffered a heavy blow."
)


def test_candidate_cuts_keep_a_prefix_of_at_least_six_words() -> None:
    sentences = segment(ARTICLE)
    cuts, features = trim_features(ARTICLE, sentences, [0, 1, 2])
    assert features.shape == (len(cuts), len(FEATURE_NAMES))
    assert np.isfinite(features).all()
    ends = {c.end for c in cuts}
    assert ARTICLE.index(", the country's") in ends  # the attribution tail
    assert ARTICLE.index(", according to") in ends
    for cut in cuts:
        s = sentences[[0, 1, 2][cut.sentence]]
        assert s.content_start < cut.end < s.end
        assert len(ARTICLE[s.content_start : cut.end].split()) >= MIN_KEPT_WORDS


def test_a_short_sentence_has_no_cuts() -> None:
    text = "Groups suffered a heavy blow, officials said."
    assert trim_features(text, segment(text), [0])[0] == []


def test_best_cut_per_sentence_clears_the_threshold() -> None:
    cuts = [Cut(0, 10), Cut(0, 20), Cut(1, 30), Cut(2, 40)]
    assert best_cuts(cuts, np.array([0.5, 0.9, -0.2, 0.1]), threshold=0.0) == {0: 20, 2: 40}
    assert best_cuts(cuts, np.array([0.5, 0.9, -0.2, 0.1]), threshold=0.6) == {0: 20}


def test_packaged_head_cuts_attribution_tails() -> None:
    head = load_trim_head(Settings(summary_trimming="learned"))
    assert head is not None and head.kind == "trim" and head.feature_names == FEATURE_NAMES
    ends = trim_summary(ARTICLE, segment(ARTICLE), [0, 1, 2], head)
    kept = [ARTICLE[: ends[0]].rsplit(". ", 1)[-1], ARTICLE[: ends[1]].rsplit(". ", 1)[-1]]
    assert not any("ministry" in k for k in kept), kept


def test_trimming_is_off_by_default() -> None:
    assert Settings().summary_trimming == "off" and load_trim_head(Settings()) is None


def test_pipeline_marks_trimmed_sentences_and_can_turn_trimming_off(fake_encoder) -> None:
    learned = Settings(summary_trimming="learned")
    trimmed = make_summarizer(fake_encoder, learned).summarize(ARTICLE, max_sentences=3, bullets=0)
    assert trimmed.meta.summary_trimming == "learned"
    cut = [s for s in trimmed.sentences if s.sentence_end is not None]
    assert cut, trimmed.sentences
    for span in cut:
        assert span.end < span.sentence_end
        assert span.text == " ".join(ARTICLE[span.start : span.end].split())  # the kept span, nothing added
        assert ARTICLE[span.sentence_end - 1] == "."  # the whole sentence is still addressable
    # The joined summary closes a trimmed sentence with a period.
    shown = [s.text + ("." if s.sentence_end is not None else "") for s in trimmed.sentences]
    assert trimmed.summary == " ".join(shown)
    dumped = trimmed.model_dump(mode="json")["sentences"]
    assert [s.get("sentence_end") for s in dumped] == [s.sentence_end for s in trimmed.sentences]

    whole = make_summarizer(fake_encoder, Settings(summary_trimming="off")).summarize(
        ARTICLE, max_sentences=3, bullets=0
    )
    assert whole.meta.summary_trimming == "off"
    assert all(s.sentence_end is None for s in whole.sentences)
    assert all("sentence_end" not in s for s in whole.model_dump(mode="json")["sentences"])
    assert [s.start for s in whole.sentences] == [s.start for s in trimmed.sentences]  # same sentences chosen


def test_missing_head_file_falls_back_to_whole_sentences(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert load_trim_head(Settings(summary_trimming="learned", trim_head=tmp_path / "absent.json")) is None
    assert "not trimmed" in caplog.text
    assert TRIM_HEAD_FILE.is_file()


# -- training ------------------------------------------------------------------------------------


def test_ridge_recovers_a_linear_target() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, len(FEATURE_NAMES)))
    y = 2.0 * x[:, 0] - 1.0 * x[:, 3] + 0.5
    head = fit_ridge(x, y, l2=1e-3, threshold=0.2)
    assert head.kind == "trim" and head.threshold == 0.2
    assert np.allclose(head.score(x.astype(np.float32)), y, atol=1e-2)


def test_gain_of_a_cut_is_measured_against_the_reference() -> None:
    sentences = segment(ARTICLE)
    cut = ARTICLE.index(", the country's")
    without_tail = "Police arrested 133,000 people and seized 43 tons of narcotics in a six-month campaign."
    with_tail = without_tail + " The country's ministry of public security has announced the figures."
    gains = {}
    for name, reference in (("without", without_tail), ("with", with_tail)):
        example = trim_example(ARTICLE, sentences, [0, 1, 2], reference)
        gains[name] = dict(zip([c.end for c in example.cuts], example.gains, strict=True))[cut]
    assert gains["without"] > 0  # the cut drops words the reference does not have
    assert gains["with"] < 0  # ... or words it does have
    texts = trimmed_texts(ARTICLE, sentences, [0, 1, 2], {0: cut})
    assert texts[0].endswith("six-month campaign") and texts[1] == sentences[1].text  # the kept span as shown


@pytest.mark.parametrize(
    ("sentence", "must_not_keep"),
    [
        # a bare restrictive modifier: "riders who pay" has lost its verb
        ("The board also approved a new fare cap for riders who pay with the reloadable card every month.", "pay"),
        # the tail closes an appositive the kept part opened
        ("Vaughan, the former England captain who is close to the chairman, has made his desire clear.", "chairman"),
        # inside a quotation
        ('He asked his followers: "What do you think of the plan, and should it pass?" on Wednesday.', "plan"),
        # a list cut in half
        (
            "The rise will be due to a baby boom among Pakistani, Bangladeshi, and African immigrants here.",
            "Bangladeshi",
        ),
        # words bound to what follows
        ("The group campaigns against what it sees as the biased and unfair press regulator today.", "sees"),
        ("The watch was stolen from a hotel parking lot just days before the president visited Utah.", "days"),
        # a dash pair: neither its first nor its second dash ends the sentence
        ("He won the prestigious and very well paid title -- and lucrative -- after a long year of work.", "title"),
        # the tail carries the main verb
        ("Lillian Bustle, a performer from New Jersey who spoke at the event, revealed her plans on Monday.", "event"),
    ],
)
def test_no_cut_leaves_a_fragment(sentence: str, must_not_keep: str) -> None:
    cuts, _ = trim_features(sentence, segment(sentence), [0])
    kept = [" ".join(sentence[: c.end].split()).split()[-1].strip(",.") for c in cuts]
    assert must_not_keep not in kept, [sentence[: c.end] for c in cuts]


def test_fit_trim_head_learns_which_cuts_pay() -> None:
    rng = np.random.default_rng(1)
    examples = []
    for _ in range(40):
        sentences = segment(ARTICLE)
        cuts, x = trim_features(ARTICLE, sentences, [0, 1, 2])
        x = x + rng.normal(scale=0.01, size=x.shape).astype(np.float32)
        # Cuts before an attribution tail pay, the others cost.
        gains = np.where(x[:, FEATURE_NAMES.index("tail_attribution")] > 0.5, 1.0, -1.0)
        examples.append(TrimExample(cuts, x, gains))
    head = fit_trim_head(examples, inner_folds=4)
    assert isinstance(head, LinearHead) and head.metadata["inner_cv_gain_per_article"] > 0
    _, x = trim_features(ARTICLE, segment(ARTICLE), [0, 1, 2])
    scores = head.score(x)
    attribution = x[:, FEATURE_NAMES.index("tail_attribution")] > 0.5
    assert scores[attribution].min() > head.threshold >= scores[~attribution].max()

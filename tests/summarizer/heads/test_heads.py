"""Learned heads: weight files, features, training, abstention, fallback, bullet trimming."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fakes import BUDGET_ARTICLE as ARTICLE
from fakes import HashingEncoder, make_summarizer

from summarizer import Settings
from summarizer.heads import BULLET_HEAD_FILE, DENSE_BULLET_HEAD_FILE, load_bullet_head
from summarizer.heads.linear import LinearHead
from summarizer.selection.bullet_tidy import trim_bullet, trim_leading_connective
from summarizer.selection.features import bullet_features, summary_features
from summarizer.selection.ranking import bullet_candidates, select_bullets
from summarizer.selection.significance import SIGNIFICANCE_PROTOTYPES
from summarizer.text import segment
from training.bullet_head import fit_logistic, oracle_labels, top2_hits


def constant_head(intercept: float, names: list[str], threshold: float = 0.5) -> LinearHead:
    n = len(names)
    return LinearHead(
        kind="bullets",
        feature_names=names,
        mean=[0.0] * n,
        scale=[1.0] * n,
        coef=[0.0] * n,
        intercept=intercept,
        threshold=threshold,
    )


def test_head_round_trips_through_json(tmp_path: Path) -> None:
    head = LinearHead("bullets", ["a", "b"], [0.0, 1.0], [1.0, 2.0], [0.5, -1.0], 0.25, threshold=0.6)
    path = tmp_path / "head.json"
    head.save(path)
    loaded = LinearHead.load(path)
    x = np.array([[1.0, 3.0], [0.0, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(loaded.probability(x), head.probability(x), rtol=1e-6)
    assert loaded.threshold == 0.6
    # probability is the logistic of the standardised dot product
    expected = 1 / (1 + np.exp(-(0.5 * 1.0 - 1.0 * (3.0 - 1.0) / 2.0 + 0.25)))
    assert head.probability(x)[0] == pytest.approx(expected, rel=1e-5)


def test_head_rejects_wrong_format_and_width(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format_version": 99}', encoding="utf-8")
    with pytest.raises(ValueError, match="unsupported"):
        LinearHead.load(path)
    head = LinearHead("bullets", ["a"], [0.0], [1.0], [1.0], 0.0)
    with pytest.raises(ValueError, match="expects 1 features"):
        head.probability(np.zeros((1, 2), dtype=np.float32))


def test_columns_map_names_and_report_missing_features() -> None:
    head = LinearHead("bullets", ["b", "a"], [0.0, 0.0], [1.0, 1.0], [1.0, 0.0], 0.0)
    assert head.columns(["a", "b", "c"]) == [1, 0]
    with pytest.raises(ValueError, match="does not compute"):
        head.columns(["a", "c"])


def test_packaged_head_serves_its_own_encoder_and_the_dense_head_any_other(fake_encoder) -> None:
    packaged = LinearHead.load(BULLET_HEAD_FILE)
    embedding = [n for n in packaged.feature_names if n.startswith("emb_")]
    assert embedding, "the packaged head reads the embedded encoder's embedding"
    own = packaged.metadata["encoder"]
    assert load_bullet_head(Settings(), own, len(embedding)).feature_names == packaged.feature_names
    for name, dimension in ((fake_encoder.name, fake_encoder.dim), (own, len(embedding) + 1)):
        head = load_bullet_head(Settings(), name, dimension)
        assert head is not None and head.fits_encoder(name, dimension)
        assert head.feature_names == LinearHead.load(DENSE_BULLET_HEAD_FILE).feature_names
        assert not any(n.startswith("emb_") for n in head.feature_names)


@pytest.mark.parametrize("path", [BULLET_HEAD_FILE, DENSE_BULLET_HEAD_FILE])
def test_packaged_bullet_heads_match_the_feature_code(fake_encoder, path: Path) -> None:
    head = LinearHead.load(path)
    if not head.fits_encoder(fake_encoder.name, fake_encoder.dim):
        fake_encoder = HashingEncoder(dim=len([n for n in head.feature_names if n.startswith("emb_")]))
    sentences = segment(ARTICLE)
    emb = fake_encoder.encode([s.text for s in sentences])
    protos = fake_encoder.encode(list(SIGNIFICANCE_PROTOTYPES))
    candidates = bullet_candidates(sentences, [0])
    features, names = bullet_features(sentences, emb, candidates, [0], protos)
    probability = head.probability(features[:, head.columns(names)])
    assert probability.shape == (len(candidates),)
    assert np.all((probability >= 0) & (probability <= 1))
    assert 0 < head.threshold < 1
    assert head.metadata["trained_on"]


def test_feature_matrices_have_one_row_per_candidate_and_named_columns(fake_encoder) -> None:
    sentences = segment(ARTICLE)
    emb = fake_encoder.encode([s.text for s in sentences])
    x, names = summary_features(sentences, emb, [0, 1, 2, 3], emb[0])
    assert x.shape == (4, len(names)) and len(set(names)) == len(names)
    assert x[0, names.index("rank_0")] == 1 and x[1, names.index("rank_0")] == 0
    assert x[0, names.index("has_title")] == 1
    protos = fake_encoder.encode(list(SIGNIFICANCE_PROTOTYPES))
    xb, nb = bullet_features(sentences, emb, [3, 4, 5], [0], protos)
    assert xb.shape == (3, len(nb))
    cue = nb.index("cue_score")
    assert xb[0, cue] > xb[1, cue]  # "could force cuts ... raising concerns" vs "wore a blue suit"


def test_fit_logistic_learns_a_separable_rule() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 1] > 0.2).astype(float)
    head = fit_logistic(x, y, ["a", "b", "c"], kind="test", l2=0.1)
    accuracy = ((head.probability(x.astype(np.float32)) > 0.5) == (y > 0.5)).mean()
    assert accuracy > 0.95
    assert abs(head.coef[1]) > 5 * max(abs(head.coef[0]), abs(head.coef[2]))


def test_oracle_labels_pick_the_sentences_that_match_the_reference() -> None:
    sentences = ["The cat sat on the mat.", "Stocks fell sharply in Tokyo.", "The dog barked at night."]
    assert oracle_labels(sentences, "Stocks fell sharply in Tokyo on Monday.", k=2)[0] == 1
    assert oracle_labels(sentences, "Stocks fell in Tokyo.\nThe dog barked.", k=3) == [1, 2]


def test_top2_hits_with_and_without_threshold() -> None:
    probability = np.array([0.9, 0.2, 0.6, 0.1])
    target = np.array([1.0, 1.0, 0.0, 0.0])
    assert top2_hits(probability, target) == (1, 2)
    assert top2_hits(probability, target, threshold=0.7) == (1, 1)


def test_learned_selector_abstains_below_threshold_but_keeps_the_articles_own_passage(fake_encoder) -> None:
    text = "The plant will close next year, the company said. It employs 400 people.\n\nWhy it matters: " + (
        "The closure could hit suppliers across the region."
    )
    sentences = segment(text)
    emb = fake_encoder.encode([s.text for s in sentences])
    protos = fake_encoder.encode(list(SIGNIFICANCE_PROTOTYPES))
    _, names = bullet_features(sentences, emb, bullet_candidates(sentences, [0]), [0], protos)
    never = constant_head(-10.0, names)  # probability ~0 for every candidate
    picked, abstained = select_bullets(sentences, emb, [0], protos, count=2, head=never)
    assert picked == [2]  # only the article's own "Why it matters" sentence
    assert abstained
    always = constant_head(10.0, names)
    picked, abstained = select_bullets(sentences, emb, [0], protos, count=2, head=always)
    assert len(picked) == 2 and not abstained


def test_summarizer_warns_when_it_abstains(fake_encoder, tmp_path: Path) -> None:
    sentences = segment(ARTICLE)
    emb = fake_encoder.encode([s.text for s in sentences])
    protos = fake_encoder.encode(list(SIGNIFICANCE_PROTOTYPES))
    _, names = bullet_features(sentences, emb, bullet_candidates(sentences, [0]), [0], protos)
    path = tmp_path / "never.json"
    constant_head(-10.0, names).save(path)
    result = make_summarizer(fake_encoder, Settings(bullet_head=path)).summarize(ARTICLE, bullets=2)
    assert result.why_it_matters == []
    assert any("confidently" in w for w in result.warnings)
    assert result.meta.bullet_selector == "learned"


def test_heuristic_setting_and_missing_file_fall_back(tmp_path: Path, fake_encoder) -> None:
    assert load_bullet_head(Settings(bullet_selector="heuristic")) is None
    assert load_bullet_head(Settings(bullet_head=tmp_path / "missing.json")) is None
    assert load_bullet_head(Settings()) is not None
    summarizer = make_summarizer(fake_encoder, Settings(bullet_head=tmp_path / "missing.json"))
    result = summarizer.summarize(ARTICLE, bullets=2)
    assert result.meta.bullet_selector == "heuristic"
    assert len(result.why_it_matters) == 2


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        ("However, the deal could cost billions.", "the deal could cost billions."),
        ("Meanwhile the river kept rising overnight.", "the river kept rising overnight."),
        ("And so it goes on and on.", "so it goes on and on."),
        ("But no.", "But no."),  # too little would remain
        ("Butterflies returned to the valley this spring.", "Butterflies returned to the valley this spring."),
        ("The plan, however, was dropped.", "The plan, however, was dropped."),
        ("In fact nearly every part of the game has been tweaked.", "nearly every part of the game has been tweaked."),
        ("Of course, the cost will fall on taxpayers in the end.", "the cost will fall on taxpayers in the end."),
    ],
)
def test_trim_leading_connective(sentence: str, shown: str) -> None:
    text = "Intro sentence here. " + sentence
    start = trim_leading_connective(text, 21, len(text))
    assert text[start:] == shown


def test_trimmed_bullet_offsets_still_slice_the_input(fake_encoder) -> None:
    summarizer = make_summarizer(fake_encoder, Settings(bullet_selector="heuristic"))
    result = summarizer.summarize(ARTICLE, max_sentences=1, bullets=3)
    for span in result.why_it_matters:
        assert " ".join(ARTICLE[span.start : span.end].split()) == span.text
    assert all(not s.text.startswith("However") for s in result.why_it_matters)


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        (
            "The closure could hit suppliers across the region, analysts said.",
            "The closure could hit suppliers across the region",
        ),
        (
            "Prices are expected to rise next year, according to the central bank.",
            "Prices are expected to rise next year",
        ),
        (
            "Rents in the capital could double by 2030, Finance Minister Ana Ruiz warned on Tuesday.",
            "Rents in the capital could double by 2030",
        ),
        (
            '"This could change everything for us," the mayor said.',
            '"This could change everything for us," the mayor said.',
        ),
        ("It failed, he said.", "It failed, he said."),  # too little would remain
    ],
)
def test_trim_attribution_tail(sentence: str, shown: str) -> None:
    start, end = trim_bullet(sentence, 0, len(sentence))
    assert sentence[start:end] == shown


def test_over_long_sentence_keeps_its_most_significant_clause() -> None:
    sentence = (
        "The board met on a rainy Tuesday evening in the old town hall with about forty residents watching "
        "from folding chairs at the back of the room; the decision could force the closure of three clinics "
        "and raises concerns about access to care for rural families across the region."
    )
    start, end = trim_bullet(sentence, 0, len(sentence))
    assert sentence[start:end].startswith("the decision could force the closure")
    assert end == len(sentence)
    short = "However, the decision could force clinics to close; residents are worried."
    assert trim_bullet(short, 0, len(short)) == (len("However, "), len(short))

"""Ranking over fake-encoder embeddings: the summary picks the lead, the bullets pick significance."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer.selection.ranking import (
    DUPLICATE_SIMILARITY,
    bullet_candidates,
    is_block,
    is_content,
    mmr_select,
    select_bullets,
    select_summary,
    summary_candidates,
)
from summarizer.selection.significance import SIGNIFICANCE_PROTOTYPES, cue_score
from summarizer.text import Sentence, segment
from summarizer.text.labels import WHY_IT_MATTERS

BUDGET = (
    "The city council approved a new budget on Monday after a long debate. "
    "The budget raises property taxes by four percent for most homeowners. "
    "Council members voted seven to two in favour of the plan. "
    "Parking fees downtown will also double starting in January next year. "
    "The mayor thanked residents for attending the meeting. "
    "Several residents spoke against the plan during the public comment period. "
    "The meeting ended shortly before midnight."
)


def prepare(encoder, text: str) -> tuple[list[Sentence], np.ndarray]:
    sentences = segment(text)
    return sentences, encoder.encode([s.text for s in sentences])


def prototypes(encoder) -> np.ndarray:
    return encoder.encode(list(SIGNIFICANCE_PROTOTYPES))


# -- select_summary -----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 5, 10])
def test_summary_respects_max_sentences_and_article_order(fake_encoder, k: int) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    picked, warnings = select_summary(sentences, emb, max_sentences=k, max_words=None)
    assert 1 <= len(picked) <= min(k, len(sentences))
    assert picked == sorted(set(picked)), "indices are unique and in article order"
    assert all(0 <= i < len(sentences) for i in picked)
    assert warnings == []


def test_summary_starts_with_the_lead(fake_encoder) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    picked, _ = select_summary(sentences, emb, max_sentences=1, max_words=None)
    assert picked == [0]


def test_title_pulls_in_a_later_sentence(fake_encoder) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    parking = next(s.index for s in sentences if s.text.startswith("Parking fees"))
    title = fake_encoder.encode(["Downtown parking fees will double in January"])[0]
    without, _ = select_summary(sentences, emb, max_sentences=3, max_words=None)
    with_title, _ = select_summary(sentences, emb, max_sentences=3, max_words=None, title_embedding=title)
    assert parking not in without
    assert parking in with_title
    assert with_title == sorted(with_title), "still in article order"


@pytest.mark.parametrize("max_words", [14, 20, 30, 45])
def test_summary_respects_max_words(fake_encoder, max_words: int) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    assert min(s.words for s in sentences) <= max_words
    picked, warnings = select_summary(sentences, emb, max_sentences=5, max_words=max_words)
    assert picked
    assert sum(sentences[i].words for i in picked) <= max_words
    assert warnings == []


def test_word_budget_smaller_than_every_sentence_returns_one_sentence_and_warns(fake_encoder) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    budget = min(s.words for s in sentences) - 1
    picked, warnings = select_summary(sentences, emb, max_sentences=3, max_words=budget)
    assert len(picked) == 1
    assert len(warnings) == 1
    assert f"max_words={budget}" in warnings[0]


def test_boilerplate_and_headings_are_never_picked(fake_encoder) -> None:
    text = (
        "Council Approves Budget\n\n"
        "By John Smith\n\n"
        "Scroll down for video\n\n"
        "The city council approved a new budget on Monday after a long debate.\n\n"
        "The budget raises property taxes by four percent for most homeowners.\n\n"
        "Click here to read the full budget document online.\n\n"
        "Council members voted seven to two in favour of the plan."
    )
    sentences, emb = prepare(fake_encoder, text)
    excluded = {s.index for s in sentences if s.boilerplate or s.heading}
    assert len(excluded) == 4, [(s.text, s.boilerplate, s.heading) for s in sentences]
    for k in (1, 3, 10):
        picked, _ = select_summary(sentences, emb, max_sentences=k, max_words=None)
        assert picked and not excluded & set(picked), (k, picked)
    picked, _ = select_summary(sentences, emb, max_sentences=1, max_words=None)
    assert sentences[picked[0]].text.startswith("The city council approved")


def test_near_duplicate_sentences_are_not_both_picked(fake_encoder) -> None:
    text = (
        "The city council approved a new budget on Monday. "
        "The city council approved a new budget on Monday. "
        "The budget raises property taxes by four percent for most homeowners. "
        "Council members voted seven to two in favour of the plan."
    )
    sentences, emb = prepare(fake_encoder, text)
    assert len(sentences) == 4
    for k in (2, 3, 4):
        picked, _ = select_summary(sentences, emb, max_sentences=k, max_words=None)
        assert not {0, 1} <= set(picked), (k, picked)
    picked, _ = select_summary(sentences, emb, max_sentences=4, max_words=None)
    assert len(picked) == 3


def test_summary_prefers_reporting_over_why_it_matters(fake_encoder) -> None:
    text = (
        "The city council approved a new budget on Monday after a long debate.\n\n"
        "Why It Matters: The budget could raise costs for families across the region.\n\n"
        "Higher taxes may push some residents to leave the city.\n\n"
        "What's Next: Council members will vote again in the spring.\n\n"
        "The mayor will sign the budget on Friday morning.\n\n"
        "Parking fees downtown will also double starting in January."
    )
    sentences, emb = prepare(fake_encoder, text)
    why = {s.index for s in sentences if s.section == WHY_IT_MATTERS}
    assert len(why) == 2
    for k in (1, 2, 3, 4):
        picked, _ = select_summary(sentences, emb, max_sentences=k, max_words=None)
        assert not why & set(picked), (k, picked)


def test_summary_falls_back_to_why_it_matters_when_nothing_else_qualifies(fake_encoder) -> None:
    text = (
        "Why It Matters: The budget could raise costs for families across the region.\n\n"
        "Higher taxes may push some residents to leave the city for good."
    )
    sentences, emb = prepare(fake_encoder, text)
    assert all(s.section == WHY_IT_MATTERS for s in sentences)
    picked, _ = select_summary(sentences, emb, max_sentences=2, max_words=None)
    assert picked


# -- select_bullets -----------------------------------------------------------------------------


def test_bullets_never_repeat_the_summary_and_respect_count(fake_encoder) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    protos = prototypes(fake_encoder)
    for summary in ([0], [0, 1], [0, 1, 2], [1, 3]):
        for count in (1, 2, 3, 5):
            bullets = select_bullets(sentences, emb, summary, protos, count=count)[0]
            assert len(bullets) <= count
            assert not set(bullets) & set(summary)
            assert bullets == sorted(set(bullets))
    assert len(select_bullets(sentences, emb, [0], protos, count=2)[0]) == 2


def test_zero_bullets(fake_encoder) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    assert select_bullets(sentences, emb, [0], prototypes(fake_encoder), count=0)[0] == []


def test_no_bullets_when_the_summary_takes_everything(fake_encoder) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    everything = [s.index for s in sentences]
    assert select_bullets(sentences, emb, everything, prototypes(fake_encoder), count=3)[0] == []


def test_bullets_skip_boilerplate_and_headings(fake_encoder) -> None:
    text = (
        "The city council approved a new budget on Monday after a long debate.\n\n"
        "Scroll down for video\n\n"
        "Click here to read how the decision could affect millions of people.\n\n"
        "The budget raises property taxes by four percent for most homeowners.\n\n"
        "Key Numbers\n\n"
        "Council members voted seven to two in favour of the plan."
    )
    sentences, emb = prepare(fake_encoder, text)
    bullets = select_bullets(sentences, emb, [0], prototypes(fake_encoder), count=5)[0]
    assert bullets
    assert all(is_content(sentences[i]) for i in bullets)


def test_bullets_prefer_the_articles_own_why_it_matters_section(fake_encoder) -> None:
    text = (
        "The city council approved a new budget on Monday after a long debate. "
        "Critics warn the decision could have far-reaching consequences and raises serious concerns.\n\n"
        "Analysts say the move signals a major shift that could reshape the region.\n\n"
        "Why It Matters: Homeowners will pay four percent more in property taxes.\n\n"
        "Parking downtown will cost twice as much from January."
    )
    sentences, emb = prepare(fake_encoder, text)
    own = [s.index for s in sentences if s.section == WHY_IT_MATTERS]
    assert len(own) == 2
    bullets = select_bullets(sentences, emb, [0], prototypes(fake_encoder), count=2)[0]
    assert bullets == own


def test_bullets_prefer_significance_cues_over_plain_facts(fake_encoder) -> None:
    text = (
        "The city council approved a new budget on Monday after a long debate. "
        "The meeting took place in the main hall of the old library building. "
        "The decision could raise concerns among residents and comes at a time of rising costs. "
        "The hall has four hundred seats and a small stage."
    )
    sentences, emb = prepare(fake_encoder, text)
    cue = next(s.index for s in sentences if "raise concerns" in s.text)
    assert select_bullets(sentences, emb, [0], prototypes(fake_encoder), count=1)[0] == [cue]


def test_bullets_without_prototypes_still_work(fake_encoder) -> None:
    sentences, emb = prepare(fake_encoder, BUDGET)
    empty = np.zeros((0, emb.shape[1]), dtype=np.float32)
    bullets = select_bullets(sentences, emb, [0], empty, count=2)[0]
    assert len(bullets) == 2 and 0 not in bullets


# -- mmr_select ---------------------------------------------------------------------------------


def _unit(rows: list[list[float]]) -> np.ndarray:
    m = np.array(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_mmr_respects_k_and_takes_the_best_first() -> None:
    emb = np.eye(5, dtype=np.float32)
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.3])
    assert mmr_select(scores, emb, 0, 0.5) == []
    assert mmr_select(scores, emb, 1, 0.5) == [1]
    assert mmr_select(scores, emb, 3, 0.5) == [1, 3, 2]
    assert sorted(mmr_select(scores, emb, 10, 0.5)) == [0, 1, 2, 3, 4]


def test_mmr_never_picks_near_duplicates() -> None:
    emb = _unit([[1, 0, 0], [1, 0.01, 0], [0, 1, 0], [0, 0, 1]])
    assert float(emb[0] @ emb[1]) >= DUPLICATE_SIMILARITY
    scores = np.array([1.0, 0.99, 0.1, 0.05])
    picked = mmr_select(scores, emb, 4, 0.0)
    assert picked[0] == 0
    assert 1 not in picked
    assert sorted(picked) == [0, 2, 3]


def test_mmr_allows_sentences_just_below_the_duplicate_threshold() -> None:
    below = DUPLICATE_SIMILARITY - 0.05
    emb = _unit([[1, 0], [below, np.sqrt(1 - below**2)]])
    assert float(emb[0] @ emb[1]) < DUPLICATE_SIMILARITY
    assert mmr_select(np.array([1.0, 0.9]), emb, 2, 0.0) == [0, 1]


def test_mmr_redundancy_penalty_changes_the_order() -> None:
    emb = _unit([[1, 0, 0], [1, 0.8, 0], [0, 0, 1]])  # 1 is similar (but not a duplicate) to 0
    assert float(emb[0] @ emb[1]) < DUPLICATE_SIMILARITY
    scores = np.array([1.0, 0.8, 0.5])
    assert mmr_select(scores, emb, 2, 0.0) == [0, 1]
    assert mmr_select(scores, emb, 2, 1.0) == [0, 2]


def test_mmr_avoids_duplicates_of_the_avoid_set() -> None:
    emb = np.eye(3, dtype=np.float32)
    scores = np.array([1.0, 0.5, 0.2])
    assert mmr_select(scores, emb, 3, 0.0, avoid=emb[[0]]) == [1, 2]


def test_mmr_respects_the_word_budget() -> None:
    emb = np.eye(4, dtype=np.float32)
    scores = np.array([1.0, 0.9, 0.8, 0.7])
    words = [10, 30, 5, 5]
    picked = mmr_select(scores, emb, 4, 0.0, word_counts=words, max_words=20)
    assert picked == [0, 2, 3]
    assert mmr_select(scores, emb, 4, 0.0, word_counts=words, max_words=4) == []


# -- cue_score ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The meeting took place in the main hall.",
        "The decision could raise concerns and comes at a time of rising costs.",
        "Critics warn the unprecedented move could trigger a crisis with global consequences, raising fears "
        "amid tensions, which signals a historic shift and means millions could be affected.",
    ],
)
def test_cue_score_is_between_zero_and_one(text: str) -> None:
    assert 0.0 <= cue_score(text) <= 1.0


def test_cue_score_ranks_cue_rich_sentences_higher() -> None:
    plain = cue_score("The meeting took place in the main hall of the library.")
    one = cue_score("The meeting took place amid the storm.")
    rich = cue_score("The decision could raise concerns and comes at a time of rising costs, raising fears.")
    assert plain == 0.0
    assert 0.0 < one < rich
    assert rich == 1.0


def test_cue_score_is_case_insensitive() -> None:
    assert cue_score("CRITICS WARN OF A CRISIS.") == cue_score("critics warn of a crisis.") > 0


def test_blocks_are_never_bullet_candidates() -> None:
    quotes = (
        "'We are thrilled. The players worked so hard. They took on board everything I told them,' he said "
        "after the match."
    )
    caption = "The council met on Tuesday to vote on the plan " + "and the residents waited outside " * 12 + "for news."
    text = "The council approved the budget on Tuesday. " + quotes + " " + caption + " Critics said taxes may rise."
    sentences = segment(text)
    blocks = [s for s in sentences if is_block(s)]
    assert {s.text[:10] for s in blocks} == {"'We are th", "The counci"}  # three sentence ends; over 350 characters
    assert [s.index for s in blocks] == [1, 2]
    assert bullet_candidates(sentences, [0]) == [3]


def test_blocks_leave_the_summary_unless_too_little_else_remains() -> None:
    quotes = "'We are thrilled. The players worked so hard. They took on board everything,' he said."
    text = "The council approved the budget on Tuesday. " + quotes + " Critics said taxes may rise. It ends."
    sentences = segment(text)
    block = next(s.index for s in sentences if is_block(s))
    assert block not in summary_candidates(sentences, 3)
    alone = segment("The council approved the budget on Tuesday. " + quotes)
    assert any(is_block(alone[i]) for i in summary_candidates(alone, 3))  # one readable sentence: keep the block


def test_pseudo_sentences_are_never_bullet_candidates() -> None:
    run = " ".join(["the residents waited outside the hall and nobody spoke"] * 15)  # 135 words, no punctuation
    sentences = segment("The council approved the budget on Tuesday. " + run + ". Critics said taxes may rise.")
    pseudo = [s.index for s in sentences if s.pseudo]
    assert pseudo and not set(pseudo) & set(bullet_candidates(sentences, [0]))
    assert bullet_candidates(sentences, [0]) == [len(sentences) - 1]


def test_a_sentence_leaning_on_a_sentence_not_shown_is_no_bullet_candidate() -> None:
    text = (
        "The council approved the budget on Tuesday. This means taxes will rise by 4 percent next year. "
        "The mayor's party lost two seats in May. They could lose control of the council in the autumn. "
        "Critics said services may be cut."
    )
    sentences = segment(text)
    # "This means..." follows the summary sentence, which the reader sees: it stays a candidate.
    # "They could lose..." leans on a sentence that is not shown: the reader cannot tell who "they" are.
    assert bullet_candidates(sentences, [0]) == [1, 2, 4]
    assert bullet_candidates(sentences, [0, 2]) == [1, 3, 4]


def test_a_question_is_no_bullet_candidate() -> None:
    text = (
        "The council approved the budget on Tuesday. Will residents notice the difference next year? "
        "Critics said services may be cut."
    )
    assert bullet_candidates(segment(text), [0]) == [2]


class _EveryCandidateHead:
    """A head that finds every candidate significant: only the hard negatives keep one out."""

    threshold = 0.5

    def columns(self, names: list[str]) -> list[int]:
        return list(range(len(names)))

    def probability(self, x: np.ndarray) -> np.ndarray:
        return np.ones(len(x))


QUOTED = (
    "The city council approved a new budget on Monday after a long debate. "
    "'I don't think the decision could raise enough money, and it comes at a time of rising costs,' he said. "
    "The decision could raise concerns among residents and comes at a time of rising costs. "
    "“This signals a major shift with far-reaching consequences for millions,” one critic warned. "
    "If we lose this fight, our town will never recover and the consequences could be far-reaching. "
    "Council leader Ann Reyes (pictured) warned the decision could have far-reaching consequences."
)


@pytest.mark.parametrize("head", [None, _EveryCandidateHead()])
def test_quotes_first_person_and_photo_references_are_never_bullets(fake_encoder, head) -> None:
    sentences, emb = prepare(fake_encoder, QUOTED)
    assert len(sentences) == 6
    bullets, _ = select_bullets(sentences, emb, [0], prototypes(fake_encoder), count=3, head=head)
    assert bullets == [2], [sentences[i].text for i in bullets]

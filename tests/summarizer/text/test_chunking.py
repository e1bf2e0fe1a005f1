"""Token-aware chunking: every sentence lands in a chunk, no chunk exceeds the budget, nothing is cut."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text.chunking import pack, plan_chunks, split_oversized


def words(texts: Sequence[str]) -> list[int]:
    """A stand-in tokenizer: one token per whitespace-separated word."""
    return [len(t.split()) for t in texts]


@given(
    counts=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=80),
    budget=st.integers(min_value=40, max_value=200),
    overlap=st.integers(min_value=0, max_value=3),
)
@settings(max_examples=200, deadline=None)
def test_pack_covers_every_unit_in_order_within_budget(counts: list[int], budget: int, overlap: int) -> None:
    chunks = pack(counts, budget, overlap)
    assert chunks[0].start == 0 and chunks[-1].stop == len(counts)
    for chunk in chunks:
        assert len(chunk) >= 1 and sum(counts[i] for i in chunk) <= budget
    for before, after in itertools.pairwise(chunks):
        assert before.start < after.start <= before.stop, "contiguous, always advancing, no gap"
        assert before.stop - after.start <= overlap, "at most `overlap` shared units"
        shared = range(after.start, before.stop)
        assert sum(counts[i] for i in shared) <= budget // 4


def test_pack_overlaps_one_sentence_by_default() -> None:
    chunks = pack([10] * 10, budget=45)
    assert chunks[:2] == [range(0, 4), range(3, 7)]
    assert pack([10] * 10, budget=35)[:2] == [range(0, 3), range(3, 6)], "no overlap past a quarter of the budget"


def test_pack_refuses_a_unit_over_the_budget() -> None:
    with pytest.raises(ValueError, match="split it first"):
        pack([5, 50, 5], budget=40)


def test_split_oversized_keeps_every_word() -> None:
    sentence = " ".join(f"w{i}" for i in range(1000))  # one 1,000-word "sentence", no punctuation
    pieces = split_oversized(sentence, words, budget=64)
    assert len(pieces) > 1
    assert all(words([p])[0] <= 64 for p in pieces)
    assert " ".join(pieces).split() == sentence.split(), "nothing dropped, nothing reordered"


def test_split_oversized_cuts_a_word_without_spaces() -> None:
    def chars(texts: Sequence[str]) -> list[int]:
        return [len(t) for t in texts]

    blob = "x" * 1000
    pieces = split_oversized(blob, chars, budget=100)
    assert "".join(pieces) == blob and all(len(p) <= 100 for p in pieces)


def test_plan_chunks_long_text_nothing_dropped() -> None:
    sentences = [f"Sentence {i} says something about item {i}." for i in range(300)]
    sentences.insert(150, " ".join(["long"] * 500))  # longer than the budget on its own
    plan = plan_chunks(sentences, words, budget=100, overlap=1)
    assert len(plan.chunks) > 1
    assert plan.covers_everything()
    assert all(n <= 100 for n in words(plan.texts()))
    rebuilt = " ".join(plan.units).split()
    assert rebuilt == " ".join(sentences).split()


def test_plan_chunks_recounts_joined_text() -> None:
    """A tokenizer that charges for the joining spaces: chunks are halved until the joined text fits."""

    def spaces_cost(texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + t.count(" ") for t in texts]

    sentences = ["one two"] * 40  # 3 tokens each alone, but joining adds one per sentence
    plan = plan_chunks(sentences, spaces_cost, budget=30, overlap=0)
    assert plan.covers_everything()
    assert all(n <= 30 for n in spaces_cost(plan.texts()))


def test_plan_chunks_short_text_is_one_chunk() -> None:
    plan = plan_chunks(["A short article.", "Two sentences."], words, budget=100)
    assert plan.texts() == ["A short article. Two sentences."]

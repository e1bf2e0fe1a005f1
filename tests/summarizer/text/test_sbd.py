"""The fast pysbd segmenter returns exactly what stock pysbd returns."""

from __future__ import annotations

from pathlib import Path

import pysbd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text.sbd import FastSegmenter

SEEDS = sorted((Path(__file__).resolve().parents[3] / "seeds").glob("*.txt"))

# Abbreviations (plain and dotted, every case), numbers, quotes, repeated sentences, odd spacing:
# the inputs both of the fast paths have to get exactly right.
_PIECES = st.sampled_from(
    [
        "The", "police", "said", "it", "was", "no", "No.", "no.", "NO.", "Mr.", "mr.", "Dr.", "St.",
        "Gen.", "Inc.", "Jan.", "a.m.", "p.m.", "U.S.", "u.s.", "e.g.", "i.e.", "Ph.D.", "vs.", "fig.",
        "p.", "pp.", "art.", "5", "3.5", "(2)", "(CNN)", "--", '"', "'", "I", "I'm", "However",
        ". ", "! ", "? ", "... ", ".", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "Repeat this. ",
    ]
)  # fmt: skip


def _stock(text: str) -> list[str]:
    return pysbd.Segmenter(language="en", clean=False).segment(text)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_same_sentences_as_pysbd_on_the_seed_articles(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for block in [text, *text.split("\n\n")]:
        assert FastSegmenter().segment(block) == _stock(block)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map(" ".join), st.lists(_PIECES, max_size=60).map("".join))
def test_same_sentences_as_pysbd_on_generated_text(spaced: str, glued: str) -> None:
    for text in (spaced, glued):
        assert FastSegmenter().segment(text) == _stock(text)


def test_repeated_sentences_keep_their_own_positions() -> None:
    text = "Scroll down. It rained. Scroll down. It rained again. Scroll down."
    spans = FastSegmenter()
    spans.char_span = True
    found = [(s.sent, s.start, s.end) for s in spans.segment(text)]
    assert [start for _, start, _ in found] == [0, 13, 24, 37, 54]
    assert all(text[start:end] == sent for sent, start, end in found)

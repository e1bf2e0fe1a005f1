"""Token-aware chunking on sentence boundaries, for models with a fixed input window.

Nothing is ever dropped: every sentence lands in at least one chunk, and a sentence longer than
the window on its own is split at word boundaries into pieces that fit. Consecutive chunks share
a little overlap (the last sentence or so of one opens the next) so a fact that spans a chunk
border is seen whole at least once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

CountTokens = Callable[[Sequence[str]], list[int]]  # token counts of several texts, no special tokens

OVERLAP_SHARE = 4  # overlap takes at most 1/4 of a chunk, so each chunk adds at least 3/4 new text


@dataclass(frozen=True)
class ChunkPlan:
    """``units`` are the sentences (long ones split); each chunk is a contiguous range of units."""

    units: list[str]
    chunks: list[range]

    def texts(self) -> list[str]:
        return [" ".join(self.units[r.start : r.stop]) for r in self.chunks]

    def covers_everything(self) -> bool:
        covered: set[int] = set()
        for r in self.chunks:
            covered.update(r)
        return covered == set(range(len(self.units)))


def split_oversized(text: str, count: CountTokens, budget: int) -> list[str]:
    """``text`` as one piece if it fits ``budget`` tokens, else pieces cut at the whitespace nearest the middle."""
    if count([text])[0] <= budget or len(text) < 2:
        return [text]
    middle = len(text) // 2
    left, right = text.rfind(" ", 0, middle), text.find(" ", middle)
    candidates = [i for i in (left, right) if i > 0]
    cut = min(candidates, key=lambda i: abs(i - middle)) if candidates else middle  # no space: cut mid-word
    head, tail = text[:cut].rstrip(), text[cut:].lstrip()
    if not head or not tail:
        head, tail = text[:middle], text[middle:]
    return split_oversized(head, count, budget) + split_oversized(tail, count, budget)


def pack(counts: Sequence[int], budget: int, overlap: int = 1) -> list[range]:
    """Greedy contiguous ranges whose token counts sum to at most ``budget``; each unit must fit alone.

    A chunk opens with up to ``overlap`` units of the previous one when they take at most a
    quarter of the budget, and always adds at least one new unit, so the loop ends.
    """
    if any(c > budget for c in counts):
        raise ValueError("every unit must fit the budget on its own (split it first)")
    chunks: list[range] = []
    start = 0
    while start < len(counts):
        stop, total = start, 0
        while stop < len(counts) and total + counts[stop] <= budget:
            total += counts[stop]
            stop += 1
        chunks.append(range(start, stop))
        if stop == len(counts):
            break
        back = 0  # how many of this chunk's last units open the next one
        while (
            back < overlap
            and stop - back - 1 > start
            and sum(counts[stop - back - 1 : stop]) <= budget // OVERLAP_SHARE
            and sum(counts[stop - back - 1 : stop]) + counts[stop] <= budget
        ):
            back += 1
        start = stop - back
    return chunks


def plan_chunks(sentences: Sequence[str], count: CountTokens, budget: int, overlap: int = 1) -> ChunkPlan:
    """Chunks of whole sentences under ``budget`` tokens, measured on the joined text.

    Sentence counts are summed to pack, then each joined chunk is counted again (tokenisers do
    not add up exactly across the joining spaces); a chunk that came out over is halved.
    """
    if budget < 1:
        raise ValueError("budget must be at least one token")
    units: list[str] = []
    counts: list[int] = []
    for sentence, n in zip(sentences, count(sentences), strict=True):
        pieces = [sentence] if n <= budget else split_oversized(sentence, count, budget)
        units.extend(pieces)
        counts.extend([n] if len(pieces) == 1 else count(pieces))
    chunks = pack(counts, budget, overlap) if units else []
    while True:
        joined = count([" ".join(units[r.start : r.stop]) for r in chunks])
        over = [i for i, n in enumerate(joined) if n > budget and len(chunks[i]) > 1]
        if not over:
            return ChunkPlan(units, chunks)
        for i in reversed(over):
            r = chunks[i]
            middle = r.start + len(r) // 2
            chunks[i : i + 1] = [range(r.start, middle), range(middle, r.stop)]

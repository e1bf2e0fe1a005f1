"""Choosing sentences from embeddings: the summary (what happened) and the bullets (why it matters).

Pure functions over sentence metadata and unit-length embeddings, so they can be tested with a
fake encoder and reused by any backend.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.heads.linear import LinearHead
from summarizer.selection.features import bullet_features
from summarizer.selection.significance import (
    cue_score,
    is_direct_quote,
    is_question,
    leans_on_previous,
    speaks_in_first_person,
)
from summarizer.text import MIN_CONTENT_WORDS, Sentence
from summarizer.text.labels import WHY_IT_MATTERS, points_at_photo

DUPLICATE_SIMILARITY = 0.9  # above this two sentences say the same thing
# A bullet at least this similar to a summary sentence paraphrases it (see benchmarks/quality.py,
# which prints the distribution of bullet-to-summary similarity on the labelled set).
SUMMARY_PARAPHRASE_SIMILARITY = 0.8
LEARNED_REDUNDANCY = 0.2  # MMR penalty on the learned head's probability scale


@dataclass(frozen=True)
class SummaryWeights:
    """Weights of the unsupervised sentence score. Position dominates because news is written lead-first."""

    position: float = 1.0
    position_decay: float = 2.0  # in sentences: the prior halves about every 1.4 sentences
    centrality: float = 0.35
    title: float = 0.35
    redundancy: float = 0.6  # MMR: penalty per unit of similarity to an already chosen sentence
    paragraph_lead: float = 0.05


@dataclass(frozen=True)
class BulletWeights:
    prototype: float = 1.0
    cue: float = 0.6
    summary_distance: float = 0.5
    own_section: float = 2.0  # the article's own "Why it matters" passage wins
    redundancy: float = 0.5


MAX_BULLET_CHARS = 350
# A sentence end inside a "sentence": end punctuation, closing quotes, a space, then a capital.
INNER_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z])")


def is_content(sentence: Sentence) -> bool:
    return not sentence.boilerplate and not sentence.heading and sentence.words >= MIN_CONTENT_WORDS


def summary_scores(
    sentences: Sequence[Sentence],
    embeddings: np.ndarray,
    candidates: Sequence[int],
    title_embedding: np.ndarray | None,
    weights: SummaryWeights,
) -> np.ndarray:
    """Score each candidate (same order as ``candidates``)."""
    emb = embeddings[list(candidates)]
    centroid = emb.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    centrality = emb @ (centroid / norm) if norm > 0 else np.zeros(len(candidates))
    rank = np.arange(len(candidates), dtype=np.float64)  # position among content sentences
    position = np.exp(-rank / weights.position_decay)
    score = weights.position * position + weights.centrality * centrality
    if title_embedding is not None:
        score = score + weights.title * (emb @ title_embedding)
    para_lead = np.array([sentences[i].position_in_paragraph == 0 for i in candidates], dtype=np.float64)
    return score + weights.paragraph_lead * para_lead


def mmr_select(
    scores: np.ndarray,
    embeddings: np.ndarray,
    k: int,
    redundancy: float,
    word_counts: Sequence[int] | None = None,
    max_words: int | None = None,
    avoid: np.ndarray | None = None,
    avoid_threshold: float = DUPLICATE_SIMILARITY,
) -> list[int]:
    """Greedy maximal-marginal-relevance selection; returns positions into ``scores``.

    Near-duplicates of chosen sentences are never picked, nor anything at least
    ``avoid_threshold`` similar to a row of ``avoid`` (e.g. the summary, for bullets).
    """
    chosen: list[int] = []
    used_words = 0
    remaining = set(range(len(scores)))
    to_avoid = np.max(embeddings @ avoid.T, axis=1) if avoid is not None and len(avoid) else np.zeros(len(scores))
    while remaining and len(chosen) < k:
        sim = np.max(embeddings @ embeddings[chosen].T, axis=1) if chosen else np.zeros(len(scores))
        best, best_value = -1, -np.inf
        for i in remaining:
            if sim[i] >= DUPLICATE_SIMILARITY or to_avoid[i] >= avoid_threshold:
                continue
            if max_words is not None and word_counts is not None and used_words + word_counts[i] > max_words:
                continue
            value = scores[i] - redundancy * max(float(sim[i]), float(to_avoid[i]), 0.0)
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        remaining.discard(best)
        if word_counts is not None:
            used_words += word_counts[best]
    return chosen


def is_block(sentence: Sentence) -> bool:
    """Several sentences the segmenter could not part (a run of quotes, captions glued on): never a bullet.

    Over 350 characters, or three or more sentence ends inside; in the dev file 29 of 382 bullets and 6 of
    1,233 summary sentences were such blocks before this rule (a summary keeps one only when fewer than two
    other candidates exist).
    """
    return len(sentence.text) > MAX_BULLET_CHARS or len(INNER_SENTENCE_END.findall(sentence.text)) >= 2


def summary_candidates(sentences: Sequence[Sentence], max_sentences: int) -> list[int]:
    """Sentences eligible for the summary: content that reports, not the article's own explanation."""
    content = [s.index for s in sentences if is_content(s)]
    # The article's own "Why it matters" passage explains, it does not report: keep it for bullets.
    reporting = [i for i in content if sentences[i].section != WHY_IT_MATTERS]
    candidates = reporting if len(reporting) >= min(max_sentences, 2) else content
    # A block does not read as one sentence; keep it only when the article has too little else.
    readable = [i for i in candidates if not is_block(sentences[i])]
    candidates = readable if len(readable) >= min(max_sentences, 2) else candidates
    return candidates or [s.index for s in sentences]


def select_summary(
    sentences: Sequence[Sentence],
    embeddings: np.ndarray,
    *,
    max_sentences: int,
    max_words: int | None,
    title_embedding: np.ndarray | None = None,
    weights: SummaryWeights = SummaryWeights(),
) -> tuple[list[int], list[str]]:
    """Indices of the summary sentences in article order, plus warnings."""
    warnings: list[str] = []
    candidates = summary_candidates(sentences, max_sentences)
    scores = summary_scores(sentences, embeddings, candidates, title_embedding, weights)
    words = [sentences[i].words for i in candidates]
    picked = mmr_select(scores, embeddings[candidates], max_sentences, weights.redundancy, words, max_words)
    if not picked:  # every sentence is over the word budget: return the best one rather than nothing
        picked = [int(np.argmax(scores))]
        warnings.append(
            f"max_words={max_words} is smaller than any candidate sentence; returned one sentence of "
            f"{words[picked[0]]} words"
        )
    return sorted(candidates[p] for p in picked), warnings


def bullet_candidates(sentences: Sequence[Sentence], summary: Sequence[int]) -> list[int]:
    """Sentences that may become bullets: content outside the summary that reads on its own.

    Not a block, not a pseudo-sentence (cut from a run without punctuation), not a question, and not a
    sentence that leans on the one before it ("This was...", "He said...") unless that one is in the
    summary, shown.
    """
    taken = set(summary)
    candidates = []
    previous = None  # the nearest earlier content sentence
    for s in sentences:
        if not is_content(s):
            continue
        dangling = leans_on_previous(s.text) and (previous is None or previous not in taken)
        if not (is_block(s) or s.pseudo or s.index in taken or dangling or is_question(s.text)):
            candidates.append(s.index)
        previous = s.index
    return candidates


def hard_negatives(sentences: Sequence[Sentence], candidates: Sequence[int]) -> np.ndarray:
    """Per candidate, whether it is never a bullet, whatever the head's probability.

    Someone's words: a direct quote, or a sentence in the first person whose quote marks the page lost; a
    quoted opinion ("'I don't think there's enough threat...'", "If we can beat them at the Bernabeu...")
    states no significance. And a sentence that points at a photo ("(pictured)", "(left)"): without the photo
    it does not read, and on news pages it is mostly a caption run (in the 760 labelled articles 3 of 141 such
    sentences are SIGNIFICANCE, all three captions glued to body text). Tried and not kept: a caption label
    ("Novel idea: ...") or no sentence end as hard negatives too (held-out precision@2 0.598 to 0.593).
    """
    return np.array([_never_a_bullet(sentences[i].text) for i in candidates], dtype=bool)


def _never_a_bullet(text: str) -> bool:
    spoken = is_direct_quote(text) or speaks_in_first_person(text)
    return spoken or points_at_photo(text)


def select_bullets(
    sentences: Sequence[Sentence],
    embeddings: np.ndarray,
    summary: Sequence[int],
    prototype_embeddings: np.ndarray,
    *,
    count: int,
    head: LinearHead | None = None,
    weights: BulletWeights = BulletWeights(),
) -> tuple[list[int], bool]:
    """Indices of "Why it matters" sentences in article order, and whether the selector abstained.

    With a learned ``head``, only candidates whose probability reaches the head's threshold
    qualify (it abstains rather than invent significance); without one, the hand-weighted score
    ranks every candidate. Either way the article's own "Why it matters" passage comes first, and
    neither a hard negative (``hard_negatives``) nor anything that paraphrases a summary sentence is chosen.
    """
    candidates = bullet_candidates(sentences, summary)
    if count <= 0 or not candidates:
        return [], False
    emb = embeddings[candidates]
    summary_emb = embeddings[list(summary)] if summary else np.zeros((0, embeddings.shape[1]), dtype=np.float32)
    own = np.array([sentences[i].section == WHY_IT_MATTERS for i in candidates], dtype=np.float64)
    never = hard_negatives(sentences, candidates)
    if head is not None:
        features, names = bullet_features(sentences, embeddings, candidates, summary, prototype_embeddings)
        probability = head.probability(features[:, head.columns(names)])
        eligible = ((probability >= head.threshold) & ~never) | (own > 0)
        scores = probability + weights.own_section * own
        redundancy = LEARNED_REDUNDANCY
    else:
        eligible = ~never | (own > 0)
        scores = _heuristic_bullet_scores(sentences, candidates, emb, summary_emb, prototype_embeddings, weights)
        scores = scores + weights.own_section * own
        redundancy = weights.redundancy
    keep = np.flatnonzero(eligible)
    picked = mmr_select(
        scores[keep], emb[keep], count, redundancy, avoid=summary_emb, avoid_threshold=SUMMARY_PARAPHRASE_SIMILARITY
    )
    chosen = sorted(candidates[keep[p]] for p in picked)
    return chosen, head is not None and len(chosen) < count and len(keep) < len(candidates)


def _heuristic_bullet_scores(
    sentences: Sequence[Sentence],
    candidates: list[int],
    emb: np.ndarray,
    summary_emb: np.ndarray,
    prototype_embeddings: np.ndarray,
    weights: BulletWeights,
) -> np.ndarray:
    prototype = np.max(emb @ prototype_embeddings.T, axis=1) if len(prototype_embeddings) else np.zeros(len(emb))
    cues = np.array([cue_score(sentences[i].text) for i in candidates])
    to_summary = np.max(emb @ summary_emb.T, axis=1) if len(summary_emb) else np.zeros(len(emb))
    return (
        weights.prototype * prototype + weights.cue * cues - weights.summary_distance * np.clip(to_summary, 0.0, None)
    )

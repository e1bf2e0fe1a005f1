"""Learned trimming of summary sentences: keep a sentence's core, drop a tail that adds little.

News sentences often carry a tail after their main clause (", according to the ministry",
", who was 22 and from Melbourne", ", saying the talks had failed"). The candidate cuts are the
clause breaks of a sentence (a comma, a spaced dash, a semicolon, or a subordinating word such as
"after", "as", "because") where the kept part still stands alone as a sentence; cutting keeps the
prefix, so the shown text is still one exact span of the input. A linear head (``kind="trim"``) predicts from surface
features (what kind of break, which word opens the tail, lengths, attribution/quote/number
signals) and from how central the tail's words are to the article (their frequency elsewhere in
it) what the cut is worth in ROUGE-1 points; a sentence is cut at its best-scoring break when
that prediction clears the head's threshold. Trained by ``tools/train_heads.py`` (targets: the
change in ROUGE-1 F1 of the summary against the reference highlights) and cross-validated by
``benchmarks/quality.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.heads.linear import LinearHead
from summarizer.text import Sentence
from summarizer.text.segment import display_text

# Breaks after which a tail can go without leaving a fragment. Not bare "and", "that", "which",
# "with" or "(": those open restrictive modifiers ("riders who pay with the card will ..."), and
# cutting there leaves a clause without its verb.
_BREAK_RE = re.compile(
    r",\s|\s+(?:--|—|–)\s+|;\s|\s(?:after|as|while|when|before|because|following|amid|despite)\s", re.IGNORECASE
)
MIN_KEPT_WORDS = 6  # a shorter prefix rarely stands as a sentence
_MIN_TAIL_WORDS = 2
_BREAK_KINDS = ("comma", "dash", "semicolon", "word")
_OPENER_CLASS = {
    **dict.fromkeys(("which", "who", "where", "whose"), "relative"),
    "that": "that",
    "and": "and",
    "but": "but",
    **dict.fromkeys(("after", "before", "while", "when", "following"), "time"),
    "as": "as",
    **dict.fromkeys(("because", "despite", "amid"), "cause"),
    "with": "with",
    "according": "according",
    **dict.fromkeys(("saying", "adding"), "saying"),
    **dict.fromkeys(("said", "says"), "said"),
    "including": "including",
    **dict.fromkeys(("the", "a", "an"), "article"),
    **dict.fromkeys(("he", "she", "they", "it"), "pronoun"),
    **dict.fromkeys(("police", "officials"), "authority"),
}
_OPENER_CLASSES = (*sorted(set(_OPENER_CLASS.values())), "ing", "ed", "number", "capital", "other")
_ATTRIBUTION_RE = re.compile(
    r"\b(?:said|says|told|according|added|claimed|reported|reports|announced|confirmed|revealed|stated|warned|"
    r"explained|wrote|insisted|admitted)\b",
    re.IGNORECASE,
)
# After a comma, these open a tail that hangs off a complete clause (non-restrictive relative,
# participle, adverbial, coordinated clause, attribution); other openers (", a year later, in ...",
# ", three points behind ..., win") are cut only when the tail is a bare attribution.
_SAFE_COMMA_OPENERS = frozenset(
    ("relative", "ing", "ed", "time", "cause", "as", "with", "including", "according", "saying", "said", "and", "but")
)
# A kept part ending in one of these is waiting for more words.
_DANGLING = frozenset(
    [
        "and", "or", "but", "nor", "that", "which", "who", "whom", "whose", "the", "a", "an", "of", "to", "in", "on",
        "at", "for", "with", "by", "from", "if", "when", "while", "as", "because", "than", "whether",
    ]
)  # fmt: skip
# ... and before a bare "as"/"before"/"after" these belong with what follows ("known as", "days before").
_BOUND_TO_NEXT = frozenset(
    [
        "known", "such", "same", "so", "well", "regarded", "described", "seen", "just", "shortly", "soon", "long",
        "moments", "minutes", "hours", "days", "weeks", "months", "years", "right", "even", "only", "much",
        "sees", "see", "saw", "come", "comes", "came", "viewed", "served", "serves", "acts", "acted", "works",
        "worked", "identified", "named", "is", "was", "are", "were", "be", "been",
        "listed", "billed", "hailed", "branded", "dubbed", "treated", "labelled", "labeled", "ranked", "rated",
    ]
)  # fmt: skip
# A tail that closes a parenthetical and then carries on the sentence (", which campaigned ..., has
# joined ..."): the kept part would lack its main verb.
_RESUMES_RE = re.compile(
    r",[^,]+,\s+(?:[\w'’-]+\s+){0,2}(?:has|have|had|is|was|are|were|will|would|could|can|may|might|did|does|do|said|says|sparked|"
    r"made|became|led|took|won|left|told)\b",
    re.IGNORECASE,
)
# "Vaughan, the former England captain who ...": the kept part's one comma opens an appositive that
# the cut would close, leaving a subject without its verb.
_OPEN_APPOSITIVE_RE = re.compile(r"^[^,]{1,60},\s+(?:the|a|an|one|who|which|whose|\d+)\b[^,]*$", re.IGNORECASE)
_DASH_RE = re.compile(r"--|—|–")
_CLOSING_QUOTE_RE = re.compile(r",\s*[\"”'’]")
_OPENING_SINGLE_RE = re.compile(r"(?:^|[\s(\[])['‘]\w")
_CLOSING_SINGLE_RE = re.compile(r"\w[.!?,]?['’](?=[\s,.;:!?)\]]|$)")
_QUOTE_RE = re.compile(r"[\"“”]")
_DIGIT_RE = re.compile(r"\d")
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as",
        "is", "was", "were", "are", "be", "been", "has", "have", "had", "that", "this", "it", "its", "he", "she",
        "they", "his", "her", "their", "said", "says", "will", "would", "could", "after", "before", "when",
        "while", "who", "which", "what", "where", "there", "than", "then", "into", "over", "about", "up", "out",
        "not", "no",
    ]
)  # fmt: skip

FEATURE_NAMES = [
    *(f"break_{k}" for k in _BREAK_KINDS),
    *(f"opener_{c}" for c in _OPENER_CLASSES),
    "log_kept_words",
    "log_tail_words",
    "tail_fraction",
    "kept_15_words",
    "kept_25_words",
    "tail_attribution",
    "tail_quote",
    "tail_digit",
    "kept_digit",
    "summary_first",
    "summary_second",
    "summary_later",
    "lowercase",
    "tail_commas",
    "tail_word_frequency",
    "kept_word_frequency",
    "frequency_difference",
    "tail_in_other_summary",
    "tail_content_fraction",
]


def content_words(text: str) -> list[str]:
    return [w for w in _TOKEN_RE.findall(text.lower()) if w not in _STOPWORDS]


@dataclass(frozen=True)
class Cut:
    """A candidate cut of the sentence ``sentence``: keep ``text[sentence.content_start:end]``."""

    sentence: int  # position in the summary
    end: int  # offset into the article text


def _opener(span: str, match: re.Match[str]) -> tuple[str, str]:
    """(kind of break, class of the word opening the tail)."""
    mark = match.group()
    kind = {",": "comma", ";": "semicolon"}.get(mark[0]) or ("dash" if mark.strip() in ("--", "—", "–") else "word")
    after = span[match.end() :].split()
    word = mark.strip().lower() if kind == "word" else (after[0].lower().strip("\"'“”‘’") if after else "")
    if word in _OPENER_CLASS:
        return kind, _OPENER_CLASS[word]
    if word.endswith("ing") and "-" not in word:  # "urine-stained": an adjective, not a participle clause
        return kind, "ing"
    if word.endswith("ed") and "-" not in word:
        return kind, "ed"
    if word[:1].isdigit():
        return kind, "number"
    if after and after[0][:1].isupper():
        return kind, "capital"
    return kind, "other"


def _stands_alone(kept: str, tail: str, kind: str, opener: str) -> bool:
    """Whether cutting here leaves a complete sentence: no open quote or bracket, no dangling word,
    no list or parenthetical cut in half."""
    if kept.count('"') % 2 or kept.count("“") != kept.count("”") or kept.count("(") != kept.count(")"):
        return False
    if len(_OPENING_SINGLE_RE.findall(kept)) > len(_CLOSING_SINGLE_RE.findall(kept)):
        return False
    last = kept.split()[-1].lower().strip("\"'“”‘’")
    if last in _DANGLING or _ATTRIBUTION_RE.fullmatch(last) or kept.rstrip().endswith(":"):
        return False  # "..., 24, said" / "... and": waiting for more words
    if kind == "word":
        return last not in _BOUND_TO_NEXT
    if kind == "dash":  # not the second dash of a pair, nor the first of a pair the tail closes
        return not _DASH_RE.search(kept) and not _DASH_RE.search(tail.lstrip(" -—–"))
    if kind != "comma":
        return True
    if _CLOSING_QUOTE_RE.match(tail) or _OPEN_APPOSITIVE_RE.match(kept):
        return False  # the tail closes a quotation or an appositive the kept part opened
    if opener == "ed" and "," in kept:
        return False  # "Lillian Bustle, from New Jersey, revealed ...": the tail holds the main verb
    if _RESUMES_RE.match(tail):
        return False
    if opener in ("and", "but") and "," in kept and len(kept.rsplit(",", 1)[1].split()) <= 5:
        return False  # "Pakistani, Bangladeshi, and African immigrants": a list
    if opener in _SAFE_COMMA_OPENERS:
        return True
    return bool(_ATTRIBUTION_RE.search(tail)) and tail.count(",") == 1  # ", the ministry has announced."


def trim_features(text: str, sentences: Sequence[Sentence], summary: Sequence[int]) -> tuple[list[Cut], np.ndarray]:
    """Every candidate cut of the summary sentences, and its feature row (columns: ``FEATURE_NAMES``)."""
    article_counts = Counter(w for s in sentences for w in content_words(s.text))
    own = [Counter(content_words(sentences[i].text)) for i in summary]
    cuts: list[Cut] = []
    rows: list[list[float]] = []
    for k, i in enumerate(summary):
        s = sentences[i]
        span = text[s.content_start : s.end]
        lowercase = float(span == span.lower())
        others = {w for j, counts in enumerate(own) if j != k for w in counts}
        for match in _BREAK_RE.finditer(span):
            kept, tail = span[: match.start()], span[match.start() :]
            kept_words, tail_words = len(kept.split()), len(tail.split())
            if kept_words < MIN_KEPT_WORDS or len(span[match.end() :].split()) < _MIN_TAIL_WORDS:
                continue
            kind, opener = _opener(span, match)
            if not _stands_alone(kept, tail, kind, opener):
                continue
            kept_content, tail_content = content_words(kept), content_words(tail)

            def frequency(words: list[str], _own: Counter = own[k]) -> float:
                # How often the words occur in the rest of the article: central words are worth keeping.
                return float(np.mean([np.log1p(article_counts[w] - _own[w]) for w in words])) if words else 0.0

            tail_frequency, kept_frequency = frequency(tail_content), frequency(kept_content)
            rows.append(
                [
                    *(float(kind == b) for b in _BREAK_KINDS),
                    *(float(opener == c) for c in _OPENER_CLASSES),
                    float(np.log1p(kept_words)),
                    float(np.log1p(tail_words)),
                    tail_words / (kept_words + tail_words),
                    float(kept_words >= 15),
                    float(kept_words >= 25),
                    float(bool(_ATTRIBUTION_RE.search(tail))),
                    float(bool(_QUOTE_RE.search(tail))),
                    float(bool(_DIGIT_RE.search(tail))),
                    float(bool(_DIGIT_RE.search(kept))),
                    float(k == 0),
                    float(k == 1),
                    float(k >= 2),
                    lowercase,
                    float(tail.count(",")),
                    tail_frequency,
                    kept_frequency,
                    tail_frequency - kept_frequency,
                    float(np.mean([w in others for w in tail_content])) if tail_content else 0.0,
                    len(tail_content) / max(len(kept_content) + len(tail_content), 1),
                ]
            )
            cuts.append(Cut(sentence=k, end=s.content_start + match.start()))
    return cuts, np.asarray(rows, dtype=np.float32).reshape(len(rows), len(FEATURE_NAMES))


def best_cuts(cuts: Sequence[Cut], gains: np.ndarray, threshold: float) -> dict[int, int]:
    """Summary position -> new end offset, for the sentences whose best cut's predicted gain clears ``threshold``."""
    best: dict[int, tuple[float, int]] = {}
    for cut, gain in zip(cuts, gains, strict=True):
        if gain > threshold and gain > best.get(cut.sentence, (-np.inf, 0))[0]:
            best[cut.sentence] = (float(gain), cut.end)
    return {k: end for k, (_, end) in best.items()}


def trimmed_text(text: str, sentence: Sentence, end: int) -> str:
    """What a sentence cut at ``end`` shows: its kept part as display text (the span, nothing added)."""
    return display_text(text[sentence.content_start : end])


def trim_summary(text: str, sentences: Sequence[Sentence], summary: Sequence[int], head: LinearHead) -> dict[int, int]:
    """Summary position -> new end offset for the sentences the head trims."""
    cuts, features = trim_features(text, sentences, summary)
    if not cuts:
        return {}
    return best_cuts(cuts, head.score(features[:, head.columns(FEATURE_NAMES)]), head.threshold)

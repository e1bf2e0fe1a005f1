"""Making a bullet read on its own: short, without words that point at missing context.

Three trims, each moving the offsets so ``text[start:end]`` stays exactly what is shown:
- an over-long sentence keeps its clause with the strongest significance cues;
- a leading connective goes ("However, the deal could ..." -> "the deal could ...");
- an attribution tail goes when the sentence is not a quotation ("..., analysts said.").
"""

from __future__ import annotations

import re

from summarizer.selection.significance import LEADING_CONNECTIVE_RE, cue_score

_SPEAKER = (
    r"(?:he|she|they|it|officials|analysts|experts|critics|police|researchers|economists|"
    r"the\s+(?:[\w'’-]+\s+){0,3}[\w'’-]+|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})"
)
_ATTRIBUTION_TAIL_RE = re.compile(
    r",\s*(?:" + _SPEAKER + r"\s+(?:said|says|added|noted|warned|explained|argued|wrote|told\s+[^,.;]{2,40})"
    r"(?:\s+on\s+\w+)?|according\s+to\s+[^,.;]{2,60})\s*\.?\s*$"
)
_QUOTE_RE = re.compile(r"[\"“”]")
_CLAUSE_BREAK_RE = re.compile(r";\s+|\s+[—–]\s+|\s+-{1,2}\s+")
_MIN_REMAINING_WORDS = 4
_LONG_WORDS = 40  # longer bullets keep only their most significant clause
_MIN_CLAUSE_WORDS = 8


def trim_leading_connective(text: str, start: int, end: int) -> int:
    """New start offset for the span ``text[start:end]`` without its leading connective."""
    span = text[start:end]
    match = LEADING_CONNECTIVE_RE.match(span)
    if not match or len(span[match.end() :].split()) < _MIN_REMAINING_WORDS:
        return start
    return start + match.end()


def trim_attribution_tail(text: str, start: int, end: int) -> int:
    """New end offset without a trailing "..., officials said." (kept in quotations, where it matters)."""
    span = text[start:end]
    if _QUOTE_RE.search(span):
        return end
    match = _ATTRIBUTION_TAIL_RE.search(span)
    if not match or len(span[: match.start()].split()) < _MIN_REMAINING_WORDS + 2:
        return end
    return start + match.start()


def most_significant_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """For an over-long span, the clause (between semicolons or spaced dashes) with the strongest cues."""
    span = text[start:end]
    if len(span.split()) <= _LONG_WORDS:
        return start, end
    bounds = [0]
    for match in _CLAUSE_BREAK_RE.finditer(span):
        bounds += [match.start(), match.end()]
    bounds.append(len(span))
    clauses = [
        (a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=True) if len(span[a:b].split()) >= _MIN_CLAUSE_WORDS
    ]
    if len(clauses) < 2:
        return start, end
    best = max(clauses, key=lambda ab: (cue_score(span[ab[0] : ab[1]]), -ab[0]))
    return start + best[0], start + best[1]


def trim_bullet(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the readable core of a bullet sentence."""
    start, end = most_significant_clause(text, start, end)
    start = trim_leading_connective(text, start, end)
    end = trim_attribution_tail(text, start, end)
    return start, end

"""The grounding guard: every generated sentence is checked against the article it claims to summarize.

A generated sentence is *supported* when

- every number in it occurs in the article (digits compared without separators; 0-20 also as words),
- every name in it (a capitalised word, not a sentence-opening function word) occurs in the article,
- every quoted phrase in it occurs in the article, and
- the article sentence most similar to it by the shared encoder reaches the threshold
  (``SUMMARIZER_LLM_SUPPORT_THRESHOLD``).

Each sentence gets ``sources`` (the supporting article sentences as offsets, strongest first, from
``provenance.generated_span``); an unsupported one also gets ``issues`` and is dropped or kept with
``supported: false`` (``SUMMARIZER_LLM_UNSUPPORTED``). Comparisons are case-insensitive, so
lower-cased articles are checked as well as cased ones. Pure functions over text and embeddings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from summarizer.components.provenance import generated_span
from summarizer.schemas import Grounding, RejectedSentence, Span
from summarizer.text import Sentence

Part = Literal["summary", "why_it_matters"]

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_QUOTED = re.compile(r"[\"“”]([^\"“”]{3,200})[\"“”]")
_NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_SPELLED_NUMBER = re.compile(r"\b(" + "|".join(_NUMBER_WORDS[2:]) + r")\b")  # "two" to "twenty"
# Capitalised at the start of a sentence for grammar, not because they name anything: a generated sentence
# may open with one of these (or a function word below) whether or not the article uses it; any other
# capitalised first word is checked as a name ("Obama approved the budget" when the article names no Obama).
_COMMON_OPENERS = frozenset(
    ["additionally", "furthermore", "moreover", "overall", "meanwhile", "despite", "although", "though", "because",
        "instead", "however", "today", "yesterday", "tomorrow", "now", "recently", "currently", "previously",
        "earlier", "later", "finally", "first", "second", "third", "experts", "officials", "authorities", "police",
        "researchers", "scientists", "critics", "analysts", "residents", "people", "users", "customers", "investors",
        "voters", "fans", "students", "parents", "doctors", "workers", "leaders", "lawmakers", "campaigners",
        "several", "other", "others", "each", "every", "no", "not", "such", "either", "neither", "nor", "another",
        "more", "less", "further", "key", "notably", "importantly", "specifically", "similarly", "likewise",
        "consequently", "therefore", "thus", "hence", "summary", "conclusion", "background", "context"]
)  # fmt: skip
# Capitalised at the start of a sentence for grammar, not because they name anything.
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "my",
        "in",
        "on",
        "at",
        "as",
        "by",
        "for",
        "from",
        "of",
        "to",
        "with",
        "but",
        "and",
        "or",
        "so",
        "if",
        "when",
        "while",
        "after",
        "before",
        "during",
        "since",
        "however",
        "also",
        "yet",
        "still",
        "then",
        "there",
        "here",
        "what",
        "who",
        "which",
        "where",
        "why",
        "how",
        "mr",
        "mrs",
        "ms",
        "dr",
        "according",
        "both",
        "all",
        "some",
        "many",
        "most",
        "one",
        "two",
        "three",
    ]
)


def _bare(token: str) -> str:
    """A word without surrounding punctuation or a possessive ending ("China’s" -> "China")."""
    token = token.replace("’", "'").strip(".'-")
    return token[:-2] if token.lower().endswith("'s") else token


def _norm_number(token: str) -> str:
    token = token.replace(",", "")
    return token[:-2] if token.endswith(".0") else token


@dataclass(frozen=True)
class ArticleFacts:
    """What the article says, in the forms the checks compare: lower-cased text, its words and numbers."""

    text: str
    words: frozenset[str]
    numbers: frozenset[str]

    @classmethod
    def of(cls, article: str) -> ArticleFacts:
        lowered = " ".join(article.lower().split())
        words = {_bare(w) for w in _WORD.findall(lowered)}
        # "Moscow-based" also names Moscow, "U.S." is also "US": the parts and the undotted form count too.
        words |= {part for w in list(words) for part in re.split(r"[-.]", w) if part}
        words |= {w.replace(".", "") for w in list(words)}
        return cls(lowered, frozenset(words), frozenset(_norm_number(n) for n in _NUMBER.findall(lowered)))


def missing_facts(text: str, facts: ArticleFacts) -> list[str]:
    """Numbers, names and quoted phrases of ``text`` that the article does not contain."""
    issues: list[str] = []
    numbers = [n for n in _NUMBER.findall(text) if _norm_number(n) not in facts.numbers]
    numbers = [
        n for n in numbers if not (n.isdigit() and int(n) < len(_NUMBER_WORDS) and _NUMBER_WORDS[int(n)] in facts.words)
    ]
    # Spelled out ("twelve people"): the word or its digits must be in the article. "one" is too common to tell.
    spelled = set(_SPELLED_NUMBER.findall(text.lower()))
    numbers += [
        word
        for value, word in enumerate(_NUMBER_WORDS[2:], start=2)
        if word in spelled and word not in facts.words and str(value) not in facts.numbers
    ]
    if numbers:
        issues.append("numbers not in the article: " + ", ".join(dict.fromkeys(numbers)))
    tokens = _WORD.findall(text)
    names = []
    for k, token in enumerate(tokens):
        bare = _bare(token)
        if not bare or not bare[0].isupper() or bare.lower() in _FUNCTION_WORDS:
            continue
        opening = k == 0 and bare.lower() in _COMMON_OPENERS
        if not opening and bare.lower() not in facts.words:
            names.append(bare)
    if names:
        issues.append("names not in the article: " + ", ".join(dict.fromkeys(names)))
    quotes = [q for q in _QUOTED.findall(text) if " ".join(q.lower().split()) not in facts.text]
    if quotes:
        issues.append("quoted words not in the article: " + "; ".join(f'"{q}"' for q in quotes))
    return issues


@dataclass
class Checked:
    """One generated sentence with its verdict."""

    part: Part
    span: Span
    issues: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return not self.issues


def check(
    texts: Sequence[tuple[Part, str]],
    vectors: np.ndarray,
    sentences: Sequence[Sentence],
    embeddings: np.ndarray,
    candidates: Sequence[int],
    facts: ArticleFacts,
    threshold: float,
) -> list[Checked]:
    """A verdict for each generated ``(part, text)``; ``vectors`` are their unit-length embeddings, in order."""
    checked = []
    for (part, text), vector in zip(texts, vectors, strict=True):
        span = generated_span(text, vector, sentences, embeddings, candidates)
        issues = missing_facts(text, facts)
        best = span.sources[0].similarity or 0.0
        if best < threshold:
            issues.append(f"no article sentence says this (best similarity {best:.2f} < {threshold:g})")
        checked.append(Checked(part, span, issues))
    return checked


def apply_policy(
    checked: Sequence[Checked], policy: Literal["drop", "flag"], threshold: float
) -> tuple[list[Span], list[Span], Grounding]:
    """Summary spans and bullet spans kept under ``policy``, and the counts for ``meta.grounding``."""
    summary: list[Span] = []
    bullets: list[Span] = []
    rejected: list[RejectedSentence] = []
    for c in checked:
        if not c.supported and policy == "drop":
            rejected.append(RejectedSentence(text=c.span.text, part=c.part, issues=c.issues))
            continue
        span = c.span.model_copy(update={"supported": c.supported, "issues": list(c.issues)})
        (summary if c.part == "summary" else bullets).append(span)
    unsupported = sum(not c.supported for c in checked)
    grounding = Grounding(
        checked=len(checked),
        supported=len(checked) - unsupported,
        dropped=len(rejected),
        flagged=unsupported if policy == "flag" else 0,
        threshold=threshold,
        rejected=rejected,
    )
    return summary, bullets, grounding

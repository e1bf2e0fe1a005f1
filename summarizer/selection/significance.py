"""What a "Why it matters" sentence looks like: prototypes for the encoder and discourse cues.

The prototypes describe significance in general terms (context, stakes, consequences,
reactions) without naming any topic, so their embeddings attract sentences of that kind in any
article.
"""

from __future__ import annotations

import re

SIGNIFICANCE_PROTOTYPES: tuple[str, ...] = (
    "This comes at a time of heightened tensions and growing uncertainty.",
    "The move could have far-reaching consequences for the economy and for ordinary people.",
    "Critics warn the decision raises serious concerns about safety and accountability.",
    "The development signals a major shift in policy and strategy.",
    "It is the first time such a step has been taken, setting a precedent for others.",
    "The outcome will affect millions of people and shape what happens next.",
    "Analysts say the deal could reshape the industry and the balance of power in the region.",
    "The case highlights a wider problem that has worried experts for years.",
    "If it goes ahead, the plan would cost billions and take years to complete.",
    "Officials fear the crisis could escalate and spread to neighbouring countries.",
    "The announcement drew sharp criticism from opponents and praise from supporters.",
    "This means prices, jobs and daily life could change for many families.",
    "The findings could change how doctors treat patients and how the disease is prevented.",
    "The ruling is expected to be appealed and could reach the highest court.",
    "Investors and markets reacted to the news, reflecting fears about the future.",
    "The incident has renewed calls for tougher rules and better protection.",
)

# Phrases that announce context, stakes or consequences. Weights are relative importance.
_CUES: tuple[tuple[str, float], ...] = (
    (r"comes? (?:at a time|as|amid|after|just)", 1.0),
    (r"\bamid\b", 0.8),
    (r"\bagainst (?:a|the) backdrop\b", 1.0),
    (r"\b(?:means?|meaning) (?:that )?", 0.6),
    (r"\bsignals?\b|\bsignaling\b|\bsignalling\b", 0.9),
    (r"\braising (?:concerns?|fears|questions)\b|\braises (?:concerns?|fears|questions)\b", 1.0),
    (
        r"\b(?:could|would|may|might) (?:lead|mean|affect|trigger|cost|spark|reshape|force|result|deepen|undermine|threaten|boost|hurt)\b",
        0.9,
    ),
    (r"\b(?:could|would|may|might)\b", 0.3),
    (r"\b(?:consequences?|implications?|impact|stakes|significance|significant)\b", 0.8),
    (r"\b(?:first time|for the first time|precedent|unprecedented|landmark|historic)\b", 0.7),
    (r"\b(?:tensions?|crisis|threat|risks?|concerns?|fears?|warn(?:s|ed|ing)?)\b", 0.5),
    (r"\b(?:critics|analysts|experts|observers)\b", 0.5),
    (
        r"\b(?:because|as a result|therefore|consequently|underscor(?:es|ing)|highlight(?:s|ing)|reflect(?:s|ing))\b",
        0.5,
    ),
    (r"\b(?:indicate|indicates|suggests?|shows? that)\b", 0.5),
    (r"\b(?:follows?|following|in the wake of|on the heels of)\b", 0.4),
    (r"\b(?:millions?|billions?|nationwide|worldwide|global|region(?:al)?)\b", 0.3),
)
CUE_PATTERNS = tuple((re.compile(p, re.IGNORECASE), w) for p, w in _CUES)
_CUE_NORMALISER = 2.0  # a sentence with ~2 strong cues saturates the score


def cue_score(text: str) -> float:
    """0..1: how strongly the sentence's wording announces significance."""
    total = sum(w for rx, w in CUE_PATTERNS if rx.search(text))
    return min(total / _CUE_NORMALISER, 1.0)


# A direct quote says what someone thinks, not why the news matters: it is never a "Why it matters"
# bullet. It opens with a quote mark (a short quoted title at the start, '"Furious 7" is expected to...',
# is no quote), or is mostly a quotation after its attribution ("He added: '...'").
_LEADING_TITLE_RE = re.compile(r"[\"“‘']\s*(?P<quoted>[^\"“”‘’]*?)[\"”’'](?=[\s,.;:!?]|$)")
_TITLE_MAX_WORDS = 3
_SPEECH_INTRO_RE = re.compile(
    r"\b(?:said|says|told(?:\s+[\w'’-]+){1,4}|added|adds|explained|wrote|writes|stated|insisted|warned|"
    r"continued|declared)\s*[:,]\s*[\"“‘']",
    re.IGNORECASE,
)
_CLOSING_QUOTE_RE = re.compile(r"[\"”’'](?=[\s,.;:!?]|$)")
_QUOTED_SHARE = 0.5


def is_direct_quote(text: str) -> bool:
    """The sentence is a direct quotation: it opens with one, or is mostly one after "X said: '"."""
    if text[:1] in "\"“‘'":
        title = _LEADING_TITLE_RE.match(text)
        return title is None or len(title.group("quoted").split()) > _TITLE_MAX_WORDS
    intro = _SPEECH_INTRO_RE.search(text)
    if intro is None:
        return False
    close = _CLOSING_QUOTE_RE.search(text, intro.end())  # "It's" is no closing quote; "...,' he said" is
    quoted = (len(text) if close is None else close.start()) - intro.end()
    return quoted >= _QUOTED_SHARE * len(text)


# A sentence that opens on a personal pronoun or a demonstrative leans on the sentence before it ("This
# was mostly high-ranking members of...", "He added that..."): shown alone, the reader cannot tell who
# or what.
_LEANING_OPENER_RE = re.compile(
    r"[\"“‘'(]?\s*(?:he|she|they|his|her|their|them|this|these|those|that|such)\b(?!-)", re.IGNORECASE
)


# "It" and "Its" lean on the sentence before too ("It paved the way for...", "It would be overtaken by..."),
# except where "it" is expletive and points forward: "It remains to be seen whether...", "It is hoped
# Sullivan can...", "It is likely to...", "It emerged that...", "It will be the first time since 1917...".
_IT_OPENER_RE = re.compile(r"[\"“‘'(]?\s*its?\b(?!-)", re.IGNORECASE)
_EXPLETIVE_IT_RE = re.compile(
    r"[\"“‘'(]?\s*it(?:['’]s|\s+(?:is|was|will\s+be|would\s+be|could\s+be|may\s+be|might\s+be|has\s+been|had\s+been))"
    r"(?:\s+not)?(?:\s+\w+ly)?\s+(?:hoped|thought|believed|expected|understood|estimated|feared|said|reported|"
    r"claimed|alleged|known|argued|suggested|rumou?red|likely|unlikely|possible|impossible|clear|unclear|"
    r"important|necessary|essential|vital|crucial|difficult|hard|easy|true|worth|time|too\s+early|no\s+secret|"
    r"no\s+surprise|no\s+wonder|the\s+(?:first|second|third|latest|last|only|biggest|largest)|understandable|"
    r"unusual|rare|common)\b"
    r"|[\"“‘'(]?\s*it\s+(?:remains|remained)\s+(?:to\s+be\s+seen|unclear|uncertain|the\s+case)\b"
    r"|[\"“‘'(]?\s*it\s+(?:seems|seemed|appears|appeared|emerged|transpired)\b",
    re.IGNORECASE,
)


# A connective that opens a sentence ("However, the deal could..."): a bullet drops it (``bullet_tidy``), so
# the pronoun test looks past it: "But they said..." would be shown as "They said...".
LEADING_CONNECTIVE_RE = re.compile(
    r"^\s*(?:however|meanwhile|but|and|also|still|yet|moreover|furthermore|in addition|indeed|so|"
    r"nevertheless|nonetheless|besides|additionally|instead|otherwise|then|in\s+fact|of\s+course)\b\s*,?\s+(?=\S)",
    re.IGNORECASE,
)


def leans_on_previous(text: str) -> bool:
    """The sentence opens on a pronoun or demonstrative that points back to an earlier sentence (a leading
    connective aside)."""
    for _ in range(2):  # "But then they said..."
        connective = LEADING_CONNECTIVE_RE.match(text)
        if connective is not None:
            text = text[connective.end() :]
    if _LEANING_OPENER_RE.match(text) is not None:
        return True
    return _IT_OPENER_RE.match(text) is not None and _EXPLETIVE_IT_RE.match(text) is None


# A sentence in the first person is someone speaking even without quote marks ("If we can beat them at the
# Bernabeu, then it will be just three.", a quote paragraph whose marks the page lost): like a direct quote,
# it states an opinion, not why the news matters. In the 760 labelled articles 17 of 542 such sentences
# (outside direct quotes) are SIGNIFICANCE, against 922 of 10,746 others. "US" is no "us", nor is "the us" or
# "us's" in a lower-cased page; a lower-cased page's "i" is the pronoun.
_FIRST_PERSON_RE = re.compile(
    r"\b(?:I|i|(?<!the )us(?!['’]s)|[Ww]e|[Oo]ur|[Oo]urs|[Mm]y|[Mm]e|[Oo]urselves|[Mm]yself)"
    r"(?:['’](?:m|ve|re|d|ll))?\b(?!-)(?!\.\w)"
)
# A capitalised word before "I" makes it a numeral ("World War I", "Phase I", "Elizabeth I"), unless the word
# opens clauses or names a day ("Then I went", "On Monday I met").
_BEFORE_PRONOUN_I = frozenset(
    [
        "then", "so", "but", "and", "or", "now", "yes", "no", "well", "if", "when", "as", "because", "although",
        "while", "after", "before", "since", "once", "today", "yesterday", "tomorrow", "here", "there",
        "sometimes", "still", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]
)  # fmt: skip


def speaks_in_first_person(text: str) -> bool:
    """The sentence says "I", "we", "our", "us", "my" or "me" (not "US", nor the numeral of "World War I")."""
    for match in _FIRST_PERSON_RE.finditer(text):
        if match.group() != "I":
            return True
        before = text[: match.start()].split()
        word = before[-1].strip("\"'“‘(,") if before else ""
        if not word[:1].isupper() or word.lower() in _BEFORE_PRONOUN_I:
            return True
    return False


# A question asks; it does not say why the news matters ("Despite all this, did the critics have any
# views on who would win?"). In the 760 labelled articles 1 of 91 questions is SIGNIFICANCE.
_QUESTION_END_RE = re.compile(r"\?[\"”’')\]]*\s*$")


def is_question(text: str) -> bool:
    """The sentence ends on a question mark (closing quotes and brackets aside)."""
    return _QUESTION_END_RE.search(text) is not None

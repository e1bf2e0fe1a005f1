"""Runs the sentence segmenter leaves whole: photo captions glued to each other and to the body.

On news pages a caption has no end punctuation, so it runs into the next caption or into the body
sentence after it; so does a heading or a line without a period. Each function here takes one span
(offsets into the caller's text) and returns the pieces to cut it into; nothing rewrites the text.
"""

from __future__ import annotations

import itertools
import re

from summarizer.text.labels import (
    SPEECH_VERBS,
    ends_as_sentence,
    is_caption,
    is_labelled_caption,
    leading_label_length,
    photo_marker_end,
)

LIST_ITEM_RE = re.compile(r"^\s*(?:[-*•▪◦‣–—]|\d{1,2}[.)])\s+")
_TOKEN_RE = re.compile(r"\S+")
_SENTENCE_START_RE = re.compile(r"[\"'“‘(]?[A-Z]")


def _words(text: str) -> int:
    return len(text.split())


# A span this long holds several sentences the segmenter could not part: on news pages, photo captions
# without end punctuation run into each other and into the body ("...in Oregon (right) A beacon has...").
RUN_SPLIT_CHARS = 350
# A sentence starts where a capitalised opener or a caption label ("Tragic: ", "Catwalk with a view: ")
# follows a lower-case word with no punctuation between (cased text only).
_MISSED_START_RE = re.compile(
    r"(?<=[a-z0-9)\"”’])\s+(?=(?:The|A|An|This|These|Those|It|He|She|They|We|His|Her|Their|Its|Scroll)\s+[\w\"“‘']"
    r"|(?P<label>(?:[A-Z][a-z]+)(?:\s+[a-z]+){0,3}):\s)"
)


_LABEL_START_RE = re.compile(r"[A-Z][a-z]+(?:\s+[a-z]+){0,3}:\s")
# A piece of a run that opens on a longer sentence-case label is a caption too ("Giant security gap at
# airports: Lack of criminal background checks | The TSA called..."): the piece already has no end
# punctuation and is followed by a visible sentence start.
_RUN_LABEL_RE = re.compile(r"[A-Z][a-z]+(?:\s+[a-z]+){0,5}:\s")
# A sentence start beyond doubt, cut at any span length: a word that opens sentences, after a lower-case
# word with no punctuation between ("...the Anzac Day public holiday | But the rules do not apply...", "...a
# serious knee injury | And Dirar has revealed...").
# "The" and the pronouns count only before a lower-case word, so names and titles stay whole ("told The
# Times", "the film The 10th District Court", "titled 'Until It Came To Them'"); "A" and "I" are left out
# ("grade A pupils", "and I think").
_CLEAR_START_RE = re.compile(
    r"(?<=[a-z0-9)\"”’])\s+(?=(?:But|And|Yet|However|Meanwhile)[\s,]"
    r"|(?:The|This|His|Her|Their|Its|He|She|It|They|We|There)(?:['’](?:s|re|ll|d|ve))?\s+[a-z])"
)


# A sentence does not end on these: "Fall of an | Empire: The Story of...", "a piece in | The Boston Globe",
# "officials told | The Times".
_NO_END_WORDS = frozenset(
    [
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "by", "from", "into", "onto", "and", "or", "as",
        "than", "told",
    ]
)  # fmt: skip


def _ends_lower_word(text: str, start: int, at: int) -> bool:
    """The word before ``at`` is not capitalised ("in Oregon (right) A..." yes; "Carnival Cruise Liners" no)
    or closes a quote ("a film dubbed ‘The First Great Escape’ The story..." yes), and can end a sentence
    ("a piece in The Boston Globe" no)."""
    before = text[start:at].split()
    if not before or before[-1] in _NO_END_WORDS:
        return False
    return before[-1].endswith(("’", "”")) or not before[-1].lstrip("\"'“‘(")[:1].isupper()


def _speech_label(label: str | None) -> bool:
    """'Liners in statement said: "...' is speech, not a caption label."""
    return label is not None and label.split()[-1].lower() in SPEECH_VERBS


def split_run(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut where a sentence visibly starts without the last one ending.

    Every span over RUN_SPLIT_CHARS is cut; a shorter one only when a piece comes out as a caption
    ("...starring Kenneth More (pictured) | A series of ladders..."), so that the body sentence glued to it
    stands alone. Speech a cut would break ("He told | Racemail: '...'") yields no caption and stays whole.
    """
    cuts = [
        m.end()
        for m in _MISSED_START_RE.finditer(text, start, end)
        if start < m.start()
        and m.end() < end
        and _ends_lower_word(text, start, m.start())
        and not _speech_label(m.group("label"))
    ]
    short = end - start <= RUN_SPLIT_CHARS
    if short:  # a leading "Scroll down for video" is a label, not a sentence: the span keeps it
        lead = start + leading_label_length(text[start:end], paragraph_start=False)[0]
        cuts = [c for c in cuts if c > lead]
    pieces = cut_pieces(text, start, end, cuts)
    if short and not any(
        caption_span(text[a:b], leading_label_length(text[a:b], paragraph_start=False)[0], from_run=True)
        for a, b in pieces
    ):
        return [(start, end)]
    return pieces


def split_clear(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span of any length cut where a sentence starts beyond doubt (``_CLEAR_START_RE``)."""
    lead = start + leading_label_length(text[start:end], paragraph_start=False)[0]  # "Scroll down for video"
    cuts = [
        m.end()
        for m in _CLEAR_START_RE.finditer(text, lead, end)
        if lead < m.start()
        and m.end() < end
        and _ends_lower_word(text, start, m.start())
        and _words(text[start : m.start()]) >= 2  # not after a stray quote mark or list number ("1 He")
    ]
    return cut_pieces(text, start, end, cuts)


def cut_pieces(text: str, start: int, end: int, cuts: list[int]) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at ``cuts`` (ascending): the non-blank pieces, each without trailing whitespace."""
    pieces = []
    for a, b in itertools.pairwise([start, *cuts, end]):
        piece = text[a:b]
        if piece.strip():
            pieces.append((a, b - (len(piece) - len(piece.rstrip()))))
    return pieces


# Where the body starts after a caption that says where its photo sits: a caption label ("Fugitive: "), a
# pronoun after a comma ("..., pictured here, | He added: ..."), a quote or a capital right after the photo
# marker or a lower-case word or number ("in June 2013 | 'I know..."), for a capital only an opener.
_BODY_OPENERS = frozenset(
    ["in", "on", "after", "when", "as", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
)
_COMMA_PRONOUNS = frozenset(["he", "she", "it", "they", "we"])
_NOT_OPENERS = frozenset(
    [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
        "april", "may", "june", "july", "august", "september", "october", "november", "december",
    ]
)  # fmt: skip
_BODY_MIN_WORDS = 8


def split_caption_body(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A caption with a photo marker glued to the body sentence after it, the span ending with that sentence's
    end ("Close ties: Soumbadze ... (pictured) since he was a child | Two days after ... he fled the country."):
    the whole span reads as a caption, so the body is cut from it and keeps its own offsets."""
    span = text[start:end]
    label_len = leading_label_length(span, paragraph_start=False)[0]
    marker = photo_marker_end(span)
    if marker < 0 or not ends_as_sentence(span) or not caption_span(span, label_len, from_run=False):
        return [(start, end)]
    tokens = [t for t in _TOKEN_RE.finditer(text, start, end) if t.end() >= start + marker]
    for prev, nxt in itertools.pairwise(tokens):
        before, word = prev.group(), nxt.group()
        bare = word.strip("\"'“‘").rstrip(",:").lower()
        if before.lower() in _NO_END_WORDS or bare in _NOT_OPENERS:
            continue
        label = _LABEL_START_RE.match(text, nxt.start())
        after_lower = before[-1] in ')"”’' or (before[-1].isalnum() and _ends_lower_word(text, start, prev.end()))
        if (
            (label is not None and not _speech_label(label.group().rstrip(": \t\n")))
            or (before.endswith(",") and bare in _COMMA_PRONOUNS)
            or (after_lower and _SENTENCE_START_RE.match(word) and (word[0] in "\"'“‘" or bare in _BODY_OPENERS))
            or (prev.end() == start + marker and before.endswith(")") and word[0].isupper())
            or (after_lower and _CLEAR_START_RE.match(text, prev.end()) is not None)
        ):
            body = text[nxt.start() : end]
            if _words(body) >= _BODY_MIN_WORDS and photo_marker_end(body) < 0:
                return [(start, prev.end()), (nxt.start(), end)]
            return [(start, end)]
    return [(start, end)]


def caption_span(span: str, label_len: int, *, from_run: bool) -> bool:
    """A photo caption (``label_len``: the span's leading labels, such as "Scroll down for video")."""
    if LIST_ITEM_RE.match(span):  # "- Revenue: up 5%": a list item has no end punctuation and is no caption
        return False
    if is_labelled_caption(span) or (label_len > 0 and is_labelled_caption(span[label_len:])):
        return True
    return from_run and is_caption(span, labelled=label_len > 0 or _RUN_LABEL_RE.match(span) is not None)

"""Sentence segmentation with exact character offsets into the submitted text.

Blocks first (paragraphs, list items, headings: things a line break ends), then pysbd inside
each block, then a repair pass for the cases pysbd misses (a missing space after a period, a title it
ends a sentence on: "Army Spc. | Caleb Barnes").
Offsets always refer to the caller's original string; nothing here rewrites it.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from summarizer.text.labels import is_boilerplate, is_header_only, leading_label_length
from summarizer.text.runs import (
    LIST_ITEM_RE,
    caption_span,
    cut_pieces,
    split_caption_body,
    split_clear,
    split_run,
)
from summarizer.text.sbd import FastSegmenter

# Characters that render as nothing; text made only of these is empty.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# What a shown span drops: zero-width space, word joiner, byte-order mark, soft hyphen. The zero-width
# (non-)joiners stay: they join emoji ("👨‍👩‍👧" is one glyph) and shape Indic and Persian script.
_HIDDEN_IN_DISPLAY = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"), None)
_WS_RE = re.compile(r"\s+")
# A word: letters and digits, with the combining marks that are part of them (Python's \w leaves out the
# vowel signs of Indic scripts, the harakat of Arabic and accents typed as combining characters, which
# would cut "भाषाएँ" into three words); the danda (U+0964-5) stays out.
_LETTER = "\\w\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0963\u0966-\u0dff"
_WORD_RE = re.compile(rf"[{_LETTER}]+(?:[-'’.][{_LETTER}]+)*")
_HEADING_MAX_WORDS = 20
_LINE_END_PUNCT = tuple('.!?:;"”’)…')
# "left.Then": a sentence end glued to the next sentence. Two word characters before the dot keep
# "U.S.Army"-style abbreviations and decimals out.
_GLUED_RE = re.compile(r"(?<=[a-z0-9)\"”’]{2}[.!?])(?=[A-Z][a-z])")
# Full stops of other scripts, which pysbd's English rules do not know: the Devanagari danda and double
# danda (Hindi, Marathi, Nepali; Bengali uses the same), the Urdu full stop, the Armenian full stop, the
# Ethiopic full stop and the Myanmar section mark; the sentence ends after closing quotes or brackets.
_SCRIPT_END_RE = re.compile(r"[।॥۔։።။][\"'”’)\]]*\s+(?=\S)")


# A "sentence" longer than this has no punctuation to split at (a speech-to-text transcript, scraped
# captions, a glued block): it is cut into pseudo-sentences of about _PSEUDO_TARGET words at clause
# breaks. 45 of the 9,155 sentences pysbd finds in the CNN/DailyMail dev file are longer (run-together
# quotes and captions).
PSEUDO_SPLIT_WORDS = 120
_PSEUDO_TARGET, _PSEUDO_MIN, _PSEUDO_MAX = 25, 12, 40
_CLAUSE_CUES = frozenset(
    [
        "and",
        "but",
        "so",
        "because",
        "then",
        "which",
        "who",
        "whose",
        "while",
        "when",
        "where",
        "although",
        "though",
        "however",
        "or",
        "yet",
        "after",
        "before",
        "whereas",
        "until",
        "unless",
        "since",
    ]
)
_TOKEN_RE = re.compile(r"\S+")
_MISSED_END_RE = re.compile(r"[a-z0-9)][.!?][\"'”’)]*$")  # "over.’", "hard." (not "U.S."; "Mr." needs a capital next)
_SENTENCE_START_RE = re.compile(r"[\"'“‘(]?[A-Z]")
# Titles written before a name. pysbd ends a sentence after the ones it does not know as such ("Army
# Spc. Caleb Barnes": "Spc.", "Pvt.", "Pfc.", "Insp.", "Atty.", "Pte."), and a tokenised source may break
# the line after any of them ("police sgt.\njeremy sutton"): ``_join_titles`` and ``_blocks`` undo both.
# "St." is left out: it is also a street, which ends sentences ("on Main St."); pysbd never splits after it.
_TITLES = frozenset(
    [
        "spc", "sgt", "cpl", "pvt", "pfc", "pte", "lcpl", "lt", "lieut", "col", "gen", "brig", "capt", "cpt", "maj",
        "adm", "cmdr", "cdr", "rep", "reps", "sen", "sens", "gov", "rev", "fr", "det", "insp", "supt", "atty", "prof",
        "dr", "mr", "mrs", "ms", "messrs", "hon",
    ]
)  # fmt: skip
_TITLE_END_RE = re.compile(r"(?<![\w.])(?:" + "|".join(sorted(_TITLES)) + r")\.$", re.IGNORECASE)
_NEXT_WORD_RE = re.compile(r"[\"'“‘(]?([^\W\d_][\w'’-]*)")
# Words that start a new sentence rather than continue a name ("...to Sgt. The ceremony...").
_SENTENCE_OPENERS = frozenset(
    [
        "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this", "that", "these", "those", "his", "her",
        "their", "its", "there", "here", "but", "and", "or", "so", "in", "on", "at", "of", "to", "for", "by", "with",
        "from", "as", "if", "when", "what", "who", "why", "how", "however", "meanwhile", "then",
    ]
)  # fmt: skip
_ABBREVIATIONS = _TITLES | frozenset(["st", "jr", "sr", "no", "vs", "etc", "inc", "co", "corp", "ltd", "mt", "ft"])
MIN_CONTENT_WORDS = 3  # shorter fragments ("Key points", "asdf") are not sentences to summarize


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the input: its exact source span and what ranking needs to know about it."""

    index: int
    start: int
    end: int
    text: str  # display text: the span minus leading labels, whitespace collapsed
    paragraph: int
    position_in_paragraph: int
    section: str | None  # section label in force ("why_it_matters", ...), if the article has labels
    boilerplate: bool
    heading: bool = False  # a headline or section heading: a short unpunctuated line standing alone
    content_start: int = -1  # where the text after any leading label begins (``start`` when there is none)
    pseudo: bool = False  # cut from a run without sentence punctuation at a clause break, not by the author

    def __post_init__(self) -> None:
        if self.content_start < 0:
            object.__setattr__(self, "content_start", self.start)

    @property
    def words(self) -> int:
        return count_words(self.text)


def visible_text(text: str) -> str:
    """The text without invisible format characters, for emptiness checks."""
    return text.translate(_INVISIBLE)


def normalize_for_model(text: str) -> str:
    """Unicode NFKC and collapsed whitespace: what the encoder sees (offsets never come from it)."""
    return _WS_RE.sub(" ", unicodedata.normalize("NFKC", visible_text(text))).strip()


def count_words(text: str) -> int:
    return len(_WORD_RE.findall(text))


def display_text(span: str) -> str:
    """A span as a response shows it: whitespace collapsed, invisible breaks and marks dropped."""
    return _WS_RE.sub(" ", span.translate(_HIDDEN_IN_DISPLAY)).strip()


_local = threading.local()


def _segmenter() -> FastSegmenter:
    """One pysbd segmenter per thread: it keeps the text being split on the instance, so a shared
    one gives wrong sentences when the service segments several requests at once."""
    segmenter = getattr(_local, "segmenter", None)
    if segmenter is None:
        segmenter = _local.segmenter = FastSegmenter()
    return segmenter


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each non-blank line, stripped of surrounding whitespace."""
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos += len(line)


def _blocks(text: str) -> list[tuple[int, int, bool]]:
    """Split into blocks no sentence may cross: (start, end, starts_paragraph).

    A line break ends a block when the line ends like a sentence or a heading, or when the next
    line is a list item; otherwise it is a hard wrap inside a paragraph and the lines are joined.
    """
    blocks: list[tuple[int, int, bool]] = []
    prev_end = -1
    for start, end in _lines(text):
        line = text[start:end]
        gap = text[prev_end:start] if prev_end >= 0 else "\n\n"
        new_paragraph = gap.count("\n") >= 2 or prev_end < 0
        if blocks and not new_paragraph:
            b_start, b_end, b_para = blocks[-1]
            prev_line = text[text.rfind("\n", b_start, b_end) + 1 or b_start : b_end]
            continues = (
                not LIST_ITEM_RE.match(line)
                and not LIST_ITEM_RE.match(prev_line)
                and (
                    (
                        not prev_line.rstrip().endswith(_LINE_END_PUNCT)
                        and len(prev_line) > 60  # short unpunctuated lines are headings, not wraps
                    )
                    or _title_before_name(prev_line.rstrip(), line)
                )
            )
            if continues:
                blocks[-1] = (b_start, end, b_para)
                prev_end = end
                continue
        blocks.append((start, end, new_paragraph))
        prev_end = end
    return blocks


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside one block, via pysbd, mapped back to offsets by forward search."""
    # Hard wraps were joined into this block on purpose; pysbd would split at them again.
    # Same-length replacement keeps offsets valid.
    block = re.sub(r"[\r\n\t\f\v]", " ", text[start:end])
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _segmenter().segment(block):
        core = piece.strip()
        if not core:
            continue
        found = block.find(core, cursor)
        if found < 0:  # pysbd altered the text: keep the rest of the block as one sentence
            if cursor < len(block) and block[cursor:].strip():
                rest = block[cursor:]
                lead = len(rest) - len(rest.lstrip())
                spans.append((start + cursor + lead, start + len(block.rstrip())))
            return spans
        spans.append((start + found, start + found + len(core)))
        cursor = found + len(core)
    return spans


def _title_before_name(before: str, after: str) -> bool:
    """``before`` ends with a title ("Spc.", "sgt.") and ``after`` opens with a name, not a new sentence."""
    word = _NEXT_WORD_RE.match(after)
    return (
        word is not None and word.group(1).lower() not in _SENTENCE_OPENERS and _TITLE_END_RE.search(before) is not None
    )


def _join_titles(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a span ending with a title to the next one when that one opens with a name ("Army Spc. |
    Caleb Barnes, 22, ..."): pysbd ends sentences after titles it does not know."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and not text[out[-1][1] : s].strip() and _title_before_name(text[out[-1][0] : out[-1][1]], text[s:e]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _cut_missed_ends(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut spans where pysbd missed a sentence end: glued to the next ("left.Then") or another script's full
    stop ("... है। अगला ..."); each piece tight to its text."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        cuts = sorted(
            {m.end() for rx in (_GLUED_RE, _SCRIPT_END_RE) for m in rx.finditer(text, s, e) if s < m.end() < e}
        )
        out.extend(cut_pieces(text, s, e, cuts))
    return out


def _pseudo_split(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Split a run of more than PSEUDO_SPLIT_WORDS words: (start, end, pseudo) per piece.

    First at the sentence ends the segmenter missed (a run of quotes): those pieces are the author's
    sentences (pseudo false). A piece still over PSEUDO_SPLIT_WORDS has no punctuation to go by and
    is cut into pseudo-sentences at clause breaks (``_clause_pieces``).
    """
    if end - start <= 2 * PSEUDO_SPLIT_WORDS:  # too short to hold more words: skip the tokenising
        return [(start, end, False)]
    words = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text, start, end)]
    if len(words) <= PSEUDO_SPLIT_WORDS:
        return [(start, end, False)]
    cuts = [
        k + 1
        for k in range(len(words) - 1)
        if _MISSED_END_RE.search(text[words[k][0] : words[k][1]])
        and text[words[k][0] : words[k][1]].strip("\"'“‘(").rstrip(".!?\"'”’)").lower() not in _ABBREVIATIONS
        and _SENTENCE_START_RE.match(text[words[k + 1][0] : words[k + 1][1]])
    ]
    pieces: list[tuple[int, int, bool]] = []
    for a, b in itertools.pairwise([0, *cuts, len(words)]):
        if b - a <= PSEUDO_SPLIT_WORDS:
            pieces.append((words[a][0], words[b - 1][1], False))
        else:
            pieces.extend((s, e, True) for s, e in _clause_pieces(text, words[a:b]))
    return pieces


def _clause_pieces(text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pieces of _PSEUDO_MIN to _PSEUDO_MAX words, each cut after a word ending in , ; : or a dash, else
    before a clause word ("and", "which", "because", ...), the one nearest _PSEUDO_TARGET words winning;
    with neither, at _PSEUDO_TARGET."""
    pieces: list[tuple[int, int]] = []
    i = 0
    while len(words) - i > _PSEUDO_MAX:
        best: tuple[tuple[int, int], int] | None = None
        for j in range(i + _PSEUDO_MIN, i + _PSEUDO_MAX):  # a piece is words[i:j]
            before = text[words[j - 1][0] : words[j - 1][1]]
            after = text[words[j][0] : words[j][1]].lower().strip("\"'“‘(")
            strength = 2 if before[-1] in ",;:-–—" else 1 if after in _CLAUSE_CUES else 0
            rank = (strength, -abs(j - i - _PSEUDO_TARGET))
            if strength and (best is None or rank > best[0]):
                best = (rank, j)
        j = best[1] if best is not None else i + _PSEUDO_TARGET
        pieces.append((words[i][0], words[j - 1][1]))
        i = j
    pieces.append((words[i][0], words[-1][1]))
    return pieces


def segment(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; ``text[s.start:s.end]`` is always the sentence's source span."""
    sentences: list[Sentence] = []
    paragraph = -1
    section: str | None = None
    blocks = _blocks(text)
    for n, (b_start, b_end, new_paragraph) in enumerate(blocks):
        alone = new_paragraph and (n + 1 == len(blocks) or blocks[n + 1][2])
        if new_paragraph:
            paragraph += 1
            in_paragraph = 0
        # start, end, pseudo, cut from a caption run, cut only at a clear sentence start
        spans: list[tuple[int, int, bool, bool, bool]] = []
        joined = _join_titles(text, _split_block(text, b_start, b_end))
        for s, e in _cut_missed_ends(text, joined):
            pieces = [p for rs, re_ in split_run(text, s, e) for p in split_caption_body(text, rs, re_)]
            for rs, re_ in pieces:
                for ps, pe, pseudo in _pseudo_split(text, rs, re_):
                    clear = [(ps, pe)] if pseudo else split_clear(text, ps, pe)
                    spans.extend((cs, ce, pseudo, len(pieces) > 1, len(clear) > 1) for cs, ce in clear)
        for s, e, pseudo, from_run, from_clear in spans:
            span = text[s:e]
            if is_header_only(span) or not visible_text(span).strip():
                continue
            label_len, label_section = leading_label_length(span, paragraph_start=in_paragraph == 0)
            shown = display_text(span[label_len:])
            if not shown:
                continue
            if label_section is not None:  # a labelled section runs until the next label
                section = label_section
            heading = (
                alone
                and len(spans) == 1
                and "\n" not in span
                and not span.rstrip().endswith(_LINE_END_PUNCT)
                and count_words(shown) <= _HEADING_MAX_WORDS
            )
            sentences.append(
                Sentence(
                    index=len(sentences),
                    start=s,
                    end=e,
                    text=shown,
                    paragraph=paragraph,
                    position_in_paragraph=in_paragraph,
                    section=section,
                    boilerplate=is_boilerplate(shown)
                    or caption_span(span, label_len, from_run=from_run)
                    # a piece cut at a clear start is a caption by its own marks, not by a leading "Scroll down"
                    or (from_clear and caption_span(span, 0, from_run=True)),
                    heading=heading,
                    content_start=s + label_len,
                    pseudo=pseudo,
                )
            )
            in_paragraph += 1
    return sentences

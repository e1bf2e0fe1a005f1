"""Leading labels, header lines and boilerplate: what news text carries besides its sentences.

Everything here works on one sentence's source span and returns how many leading characters
are a label (so offsets stay exact) or whether the sentence is boilerplate (so ranking skips it).
"""

from __future__ import annotations

import re

# Section labels that newsletters and wire digests put before a paragraph ("Why It Matters: ...").
# Keys are the normalised label; the value says which section the label opens.
WHY_IT_MATTERS = "why_it_matters"
_SECTION_LABELS: dict[str, str] = {
    "why it matters": WHY_IT_MATTERS,
    "why this matters": WHY_IT_MATTERS,
    "why it's important": WHY_IT_MATTERS,
    "why it’s important": WHY_IT_MATTERS,
    "what it means": WHY_IT_MATTERS,
    "what this means": WHY_IT_MATTERS,
    "the big picture": WHY_IT_MATTERS,
    "big picture": WHY_IT_MATTERS,
    "the stakes": WHY_IT_MATTERS,
    "what's at stake": WHY_IT_MATTERS,
    "what’s at stake": WHY_IT_MATTERS,
    "implications": WHY_IT_MATTERS,
    "the bottom line": WHY_IT_MATTERS,
    "bottom line": WHY_IT_MATTERS,
    "what happened": "what_happened",
    "driving the news": "what_happened",
    "the news": "what_happened",
    "the latest": "what_happened",
    "details": "details",
    "zoom in": "details",
    "zoom out": "context",
    "between the lines": "context",
    "background": "context",
    "context": "context",
    "catch up quick": "context",
    "what's next": "next",
    "what’s next": "next",
    "what they're saying": "reactions",
    "what they’re saying": "reactions",
    "key takeaways": "takeaways",
    "key takeaway": "takeaways",
    "go deeper": "boilerplate",
}

_LABEL_RE = re.compile(
    r"^\s*(?P<label>" + "|".join(re.escape(k) for k in sorted(_SECTION_LABELS, key=len, reverse=True)) + r")"
    r"(?:\s*:\s*|\s+[\-–—]\s+)",  # "Background-check laws" is no label: a dash needs spaces
    re.IGNORECASE,
)
# A short Title Case phrase ending in a colon at the start of a paragraph ("Market Reaction: ...").
_GENERIC_LABEL_RE = re.compile(r"^\s*(?P<label>[A-Z][\w'’]*(?:\s+[A-Z][\w'’]*){0,3}):\s+(?=\S)")
# Header lines such as "date 2024-10-06" or "Published: 12 May 2021".
_DATE = r"(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})"
_HEADER_RE = re.compile(
    r"^\s*(?:(?:date|dated|published|updated|last updated(?: at)?|posted)\s*:?\s*"
    + _DATE
    + r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?Z?)?)"
    r"(?:\s*[|·,-]\s*(?:\d{1,2}:\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:[A-Z]{2,4})?))?\s*[.:|–—-]?\s*",
    re.IGNORECASE,
)
# Wire datelines: "(CNN) --", "LONDON, England (CNN) --", "WASHINGTON (Reuters) -", "PARIS —".
_DATELINE_RE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z .'’-]{1,40},?\s*(?:[A-Z][A-Za-z .'’-]{1,30})?\s*)?"
    r"\((?:CNN|Reuters|AP|AFP|CNN Money|CNNMoney|EW\.com|Mashable|Bloomberg|Xinhua)\)\s*(?:-{1,2}|–|—)?\s*",
    re.IGNORECASE,
)
# "Scroll down for video" glued before the first sentence of a news page.
_SCROLL_RE = re.compile(r"^\s*scroll\s+down\s+for\s+(?:video|more|pictures?)\b\s*[.:]?\s+(?=\S)", re.IGNORECASE)
_LIST_MARKER_RE = re.compile(r"^\s*(?:[-*•▪◦‣–—]|\d{1,2}[.)])\s+(?=\S)")
_CAPS_DATELINE_RE = re.compile(r"^\s*[A-Z][A-Z .'’-]{2,30}(?:,\s*[A-Z][A-Za-z .]{1,30})?\s+(?:-{1,2}|–|—)\s+")


def _dateline(rest: str) -> re.Match[str] | None:
    # The wire-dateline pattern backtracks over every capitalised opening (~60 us a sentence, a tenth of
    # segmentation); it needs a "(", the all-caps one a dash, so a plain substring test skips most spans.
    if "(" in rest and (match := _DATELINE_RE.match(rest)):
        return match
    return _CAPS_DATELINE_RE.match(rest) if any(dash in rest for dash in "-–—") else None


def leading_label_length(span: str, *, paragraph_start: bool) -> tuple[int, str | None]:
    """Return (characters of leading labels/headers/datelines, section key the label opens)."""
    consumed = 0
    section: str | None = None
    # Labels can stack ("date 2024-10-06 What Happened: ..."), so peel repeatedly.
    for _ in range(4):
        rest = span[consumed:]
        match = _HEADER_RE.match(rest)
        if match and match.end() > 0 and match.end() < len(rest.rstrip()):
            consumed += match.end()
            continue
        match = _SCROLL_RE.match(rest)
        if match:
            consumed += match.end()
            continue
        match = _LABEL_RE.match(rest)
        if match:
            section = _SECTION_LABELS[match.group("label").lower()]
            consumed += match.end()
            continue
        match = _LIST_MARKER_RE.match(rest) if consumed == 0 else None
        if match:
            consumed += match.end()
            continue
        match = _dateline(rest)
        if match and match.end() < len(rest.rstrip()):
            consumed += match.end()
            continue
        if paragraph_start and consumed == 0:
            match = _GENERIC_LABEL_RE.match(rest)
            if match and len(rest) - match.end() > 20:
                section = "other"
                consumed += match.end()
                continue
        break
    return consumed, section


def is_header_only(span: str) -> bool:
    """A line that is nothing but a date/header ("date 2024-10-06")."""
    match = _HEADER_RE.match(span)
    return match is not None and not span[match.end() :].strip(" .:|-–—")


_BOILERPLATE_RE = re.compile(
    r"""^\s*(?:
        scroll\s+down(?:\s+for\s+(?:video|more))? |
        click\s+here | read\s+more | read\s+the\s+full | see\s+more | watch\s+(?:the\s+)?video |
        video\s*: | sign\s+up\b | subscribe\b | follow\s+(?:us|@|him|her|them) | share\s+this |
        visit\s+site | sorry\s+we\s+are\s+not\s+currently | related\s*: | advertisement\b |
        copyright\s*(?:©|\(c\)|\d{4}) | \(?c\)\s*\d{4} | ©|
        all\s+rights\s+reserved | (?:photo|image|picture|video)\s+(?:credit|courtesy|source)s?\b |
        (?:photos?|images?|pictured|picture)\s*: | caption\s*: | source\s*: |
        by\s+\.\s | published\s*:\s | updated\s*:\s | last\s+updated\s+at\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE_ANYWHERE_RE = re.compile(
    r"""(?:
        contributed\s+to\s+this\s+report | all\s+rights\s+reserved | click\s+here\s+to |
        scroll\s+down\s+for\s+video | \b(?:getty|afp|reuters|ap|epa|shutterstock)\s*(?:images)?\s*/\s*\w+ |
        \((?:photo|image|picture)s?\s*:[^)]*\)\s*$ | \b(?:getty\s+images|afp/getty)\s*\.?\s*$ |
        follow\s+@\s*\w+ | for\s+confidential\s+support
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Bylines: "By John Smith", "By John Smith and Jane Doe, CNN", "By . Daily Mail Reporter".
_BYLINE_RE = re.compile(
    r"^\s*(?:By|BY)\s+\.?\s*[A-Z][\w.'’-]*(?:(?:\s+|\s*[,|]\s*)(?:[A-Z][\w.'’-]*|and|&|de|van|von|in|for|\.))*\s*\.?\s*$"
)


# Where a photo sits: "(pictured)", "(left)", "(third right)", "pictured".
_PHOTO_POSITION = (
    r"\((?:pictured|above|below|inset|centre|center|top|bottom|front|back|"
    r"(?:(?:far|second|third|fourth|top|bottom|back|front)\s+)?(?:left|right))\)"
)
_PHOTO_MARKER_RE = re.compile(_PHOTO_POSITION + r"|\bpictured\b", re.IGNORECASE)
_END_PUNCT = tuple(".!?\"”’'…")


def photo_marker_end(span: str) -> int:
    """Where the first photo position ("(pictured)", "(left)") in ``span`` ends; -1 when it has none."""
    match = _PHOTO_MARKER_RE.search(span)
    return -1 if match is None else match.end()


# A sentence that points at a photo: a bracketed position, or "pictured" as a caption uses it ("Smith,
# pictured, said...", "pictured with his wife"); not the verb ("Investors had pictured a swift recovery").
_POINTS_AT_PHOTO_RE = re.compile(
    _PHOTO_POSITION
    + r"|,\s*pictured\b|\bpictured\s+(?:above|below|left|right|here|with|at|in|on|during|after|before|outside|"
    r"leaving|arriving|alongside|together)\b",
    re.IGNORECASE,
)


def points_at_photo(span: str) -> bool:
    """The span refers to a photo beside it ("(pictured)", "(left)", ", pictured,"): it does not read alone."""
    return _POINTS_AT_PHOTO_RE.search(span) is not None


def is_caption(display_text: str, *, labelled: bool) -> bool:
    """A photo caption cut from a run: no end punctuation, and a caption label or a photo position.

    Only for pieces of a run the segmenter had to cut (``runs.split_run``): there a missing end and a
    "Label: " opening mean a caption, which on news pages repeats the body text.
    """
    if display_text.rstrip().endswith(_END_PUNCT):
        return False
    return labelled or _PHOTO_MARKER_RE.search(display_text) is not None


# A caption label: a sentence-case phrase of up to four words and a colon ("Fighter ace: ", "Tragic: "),
# not followed by a quote ("Police said: 'We...", "He told Racemail: '...": that is speech).
_CAPTION_LABEL_RE = re.compile(r"(?P<label>[A-Z][a-z]+(?:\s+[a-z]+){0,3}):\s+(?![\"'“‘])")
SPEECH_VERBS = frozenset(["said", "says", "told", "added", "adds", "explained", "wrote", "writes", "reads", "stated"])
# A sentence end: a closing quote alone is none ("...a film dubbed ‘The First Great Escape’").
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*$")


def opens_on_caption_label(span: str) -> bool:
    """The span opens on a sentence-case caption label ("Novel idea: ", "Fugitive: "), not on speech ("He
    added: ") or a section label ("Why it matters: ")."""
    match = _CAPTION_LABEL_RE.match(span)
    return (
        match is not None and match.group("label").split()[-1].lower() not in SPEECH_VERBS and not _LABEL_RE.match(span)
    )


def ends_as_sentence(span: str) -> bool:
    """The span ends on a full stop, question or exclamation mark (closing quotes and brackets aside)."""
    return _SENTENCE_END_RE.search(span.rstrip()) is not None


def is_labelled_caption(span: str) -> bool:
    """A photo caption standing as a sentence: "Fighter ace: Squadron Leader Douglas Bader in 1941".

    A caption label opens it, and it has no sentence end or it says where the photo sits ("(pictured)",
    "(left)"). "Label: a full sentence." stays content: a news page writes body sentences that way too;
    so do section labels ("Why it matters: ...") and speech ("He added: ...").
    """
    if not opens_on_caption_label(span):
        return False
    return not ends_as_sentence(span) or _PHOTO_MARKER_RE.search(span) is not None


def is_boilerplate(display_text: str) -> bool:
    """True for bylines, captions, credits and navigation text that never belong in a summary."""
    if _BOILERPLATE_RE.match(display_text) or _BOILERPLATE_ANYWHERE_RE.search(display_text):
        return True
    return bool(len(display_text) < 80 and _BYLINE_RE.match(display_text))

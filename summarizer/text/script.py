"""Cheap checks on what kind of text an article is, before any model sees it.

- Lone surrogates (half of a UTF-16 pair, e.g. ``"\\ud800"`` from a JSON escape) are not Unicode
  characters: tokenizers and encoders fail on them, so they are found here and refused.
- Scripts written without spaces between words (Chinese, Japanese, Thai, ...) cannot be split into
  sentences and words by the English segmenter, and neither they nor Korean are in the embedded
  English encoder's vocabulary: such text is named, so the caller gets "this is Japanese" rather
  than a misleading "no sentences".
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")

# Scripts whose words are not separated by spaces, by Unicode block.
_UNSPACED_SCRIPTS = (
    ("Chinese or Japanese (Han)", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("Japanese (kana)", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")),
    ("Korean (Hangul)", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("Thai", re.compile(r"[\u0e00-\u0e7f]")),
    ("Lao", re.compile(r"[\u0e80-\u0eff]")),
    ("Khmer", re.compile(r"[\u1780-\u17ff]")),
    ("Burmese", re.compile(r"[\u1000-\u109f]")),
)
_LETTER = re.compile(r"[^\W\d_]")
_SAMPLE_CHARS = 20_000  # enough to tell the script of an article; keeps the check cheap on huge input


def lone_surrogate(text: str) -> int | None:
    """Offset of the first lone surrogate in ``text``, or None when it is valid Unicode."""
    match = _SURROGATE.search(text)
    return match.start() if match else None


def unspaced_script(text: str, share: float = 0.3) -> str | None:
    """The name of a script (written without spaces, or Korean) that makes up ``share`` of the letters, if any."""
    sample = text[:_SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return None
    counts = [(len(pattern.findall(sample)), name) for name, pattern in _UNSPACED_SCRIPTS]
    found, name = max(counts)
    total = sum(n for n, _ in counts)
    if total < share * letters:
        return None
    if {n for c, n in counts if c} >= {"Chinese or Japanese (Han)", "Japanese (kana)"}:
        return "Japanese"
    return name if found else None

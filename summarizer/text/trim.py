"""Making a bullet read on its own: drop a leading connective that points at a missing context.

"However, the deal could ..." only makes sense after the sentence it answers; as a bullet it
reads better as "The deal could ...". The offsets move with the trim, so ``text[start:end]`` is
still exactly what is shown.
"""

from __future__ import annotations

import re

_CONNECTIVE_RE = re.compile(
    r"^\s*(?:however|meanwhile|but|and|also|still|yet|moreover|furthermore|in addition|indeed|so|"
    r"nevertheless|nonetheless|besides|additionally|instead|otherwise|then)\b\s*,?\s+(?=\S)",
    re.IGNORECASE,
)
_MIN_REMAINING_WORDS = 4


def trim_leading_connective(text: str, start: int, end: int) -> int:
    """New start offset for the span ``text[start:end]`` without its leading connective."""
    span = text[start:end]
    match = _CONNECTIVE_RE.match(span)
    if not match or len(span[match.end() :].split()) < _MIN_REMAINING_WORDS:
        return start
    return start + match.end()

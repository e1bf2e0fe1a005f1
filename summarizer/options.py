"""What a caller may ask of one summary: the knobs, their ranges, and their validation (done once, here).

Every surface takes its limits from these ranges (the HTTP schema, the CLI's arguments), and a
``SummaryOptions`` that exists is valid: it checks itself when it is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.errors import InvalidInputError

MAX_SENTENCES_RANGE = (1, 10)
BULLETS_RANGE = (0, 5)
MAX_WORDS_RANGE = (1, 10_000)


def check_range(name: str, value: object, bounds: tuple[int, int], *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise InvalidInputError(
            f"{name} must be an integer from {bounds[0]} to {bounds[1]}, got {value!r}", code="invalid_parameter"
        )


@dataclass(frozen=True)
class SummaryOptions:
    """The knobs of one article's summary. Articles with different options still share one encoder pass."""

    max_sentences: int = 3
    max_words: int | None = None
    bullets: int = 2

    def __post_init__(self) -> None:
        check_range("max_sentences", self.max_sentences, MAX_SENTENCES_RANGE)
        check_range("bullets", self.bullets, BULLETS_RANGE)
        check_range("max_words", self.max_words, MAX_WORDS_RANGE, optional=True)


DEFAULT_OPTIONS = SummaryOptions()

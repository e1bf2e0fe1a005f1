"""pysbd's English segmenter with two hot spots made fast; its sentences are unchanged.

Profiled on the CNN/DailyMail dev articles, stock pysbd spent about 70% of its time compiling
regular expressions: ``Segmenter.sentences_with_char_spans`` builds a pattern from every sentence
it found (to locate it again in the input), and the abbreviation pass builds several patterns
per abbreviation, more than ``re``'s cache holds, so they are recompiled for every block. Here:

- sentences are located with ``str.find``, reproducing the regex walk exactly (non-overlapping
  occurrences from the start, trailing whitespace included, the first one ending past the
  previous sentence);
- an abbreviation is skipped when the text has no "<abbreviation>." at all: every replacement
  pysbd makes for it rewrites such a period, so without one its pass changes nothing.

``tests/summarizer/test_sbd.py`` checks the output equals stock pysbd's on varied text. What pysbd gets
wrong is repaired in ``segment.py`` on its output, not here (a title it does not know, "Army Spc. | Caleb
Barnes": ``segment._join_titles``).
"""

from __future__ import annotations

import re

import pysbd
from pysbd.languages import Language
from pysbd.utils import TextSpan

_English = Language.get_language_code("en")
_PLAIN_ABBREVIATION = re.compile(r"[a-z]+")  # no regex metacharacters: a plain substring test is exact


class _AbbreviationReplacer(_English.AbbreviationReplacer):  # type: ignore[name-defined]
    def search_for_abbreviations_in_string(self, text: str) -> str:
        lowered = text.lower()
        for abbr in self.lang.Abbreviation.ABBREVIATIONS:
            stripped = abbr.strip()
            if _PLAIN_ABBREVIATION.fullmatch(stripped) and stripped + "." not in lowered:
                continue
            # From here on, pysbd 0.3.4's own loop body for one abbreviation.
            if stripped not in lowered:
                continue
            matches = re.findall(rf"(?:^|\s|\r|\n){stripped}", text, flags=re.IGNORECASE)
            if not matches:
                continue
            next_chars = re.findall(r"(?<={" + re.escape(stripped) + "} ).{1}", text)
            for index, match in enumerate(matches):
                text = self.scan_for_replacements(text, match, index, next_chars)
        return text


class _English(_English):  # type: ignore[no-redef,valid-type,misc]
    AbbreviationReplacer = _AbbreviationReplacer


class FastSegmenter(pysbd.Segmenter):
    """``pysbd.Segmenter(language="en", clean=False)`` with the same output, about 3x faster.

    Not thread-safe (pysbd keeps the text on the instance): use one per thread.
    """

    def __init__(self) -> None:
        super().__init__(language="en", clean=False)
        self.language_module = _English

    def sentences_with_char_spans(self, sentences: list[str]) -> list[TextSpan]:
        text = self.original_text
        spans: list[TextSpan] = []
        prior_end = 0
        for sentence in sentences:
            if not sentence:  # an empty pattern walks differently: pysbd's own regex walk
                for match in re.finditer(r"\s*", text):
                    if match.end() > prior_end:
                        spans.append(TextSpan(match.group(), match.start(), match.end()))
                        prior_end = match.end()
                        break
                continue
            pos = 0
            while (start := text.find(sentence, pos)) >= 0:
                end = start + len(sentence)
                while end < len(text) and text[end].isspace():  # the pattern's trailing \s*
                    end += 1
                if end > prior_end:
                    spans.append(TextSpan(text[start:end], start, end))
                    prior_end = end
                    break
                pos = end
        return spans

"""Summarizes chunks of batch records with one model call each; a record that cannot be summarized is its own error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from summarizer.components.prepare import PreparedArticle
from summarizer.errors import InvalidInputError
from summarizer.inputs.html import html_article
from summarizer.inputs.records import Outcome, Record
from summarizer.options import SummaryOptions
from summarizer.schemas import SourceInfo

if TYPE_CHECKING:
    from summarizer.api import Summarizer  # torch: imported by whoever loads the model, not by the CLI's --help


class BatchRunner:
    def __init__(self, summarizer: Summarizer, options: SummaryOptions, *, include_source: bool = False) -> None:
        self.summarizer = summarizer
        self.options = options
        self.include_source = include_source

    def run(self, records: Sequence[Record]) -> list[Outcome]:
        """One outcome per record, in order: its summary, or the library error that explains why not."""
        outcomes: list[Outcome | None] = [None] * len(records)
        ready: list[tuple[int, PreparedArticle, SourceInfo | None]] = []
        for i, record in enumerate(records):
            if record.error is not None:
                outcomes[i] = record.error
                continue
            try:
                ready.append((i, *self._prepare(record)))
            except InvalidInputError as exc:  # this record only; the others go on
                outcomes[i] = exc
        summaries = self.summarizer.summarize_prepared([p for _, p, _ in ready])
        for (i, prepared, source), summary in zip(ready, summaries, strict=True):
            shown = prepared.text if self.include_source else None
            outcomes[i] = summary.model_copy(update={"source": source, "source_text": shown})
        return [o for o in outcomes if o is not None]

    def _prepare(self, record: Record) -> tuple[PreparedArticle, SourceInfo | None]:
        text, title, source = record.text, record.title, None
        if record.html is not None:
            page = html_article(record.html, self.summarizer.settings, title=title if isinstance(title, str) else None)
            text, title, source = page.text, page.title, page.source
        return self.summarizer.prepare(text, title, options=self.options), source  # type: ignore[arg-type]

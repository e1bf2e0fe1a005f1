"""The one small interface every backend implements, side by side (no backend imports another)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from summarizer.components.prepare import PreparedArticle
from summarizer.config import Settings
from summarizer.options import SummaryOptions
from summarizer.schemas import BackendInfo, Summary


@runtime_checkable
class Backend(Protocol):
    """Load once, then prepare (no model work) and summarize many prepared articles per call."""

    name: str
    settings: Settings

    def prepare(self, text: object, title: object, options: SummaryOptions) -> PreparedArticle:
        """Validate and segment one article; raises ``InvalidInputError``."""
        ...

    def summarize_many(self, articles: Sequence[PreparedArticle]) -> list[Summary]:
        """One summary per article, in order, each made with the article's own options."""
        ...

    def describe(self) -> BackendInfo:
        """What the backend runs: model, device, engine, precision."""
        ...

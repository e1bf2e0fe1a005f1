"""Extractive backend: summary sentences and "Why it matters" bullets taken from the article, with offsets.

One encoder pass for all articles of a call, then per article: position-aware ranking with MMR,
learned bullet selection, learned trimming of summary sentences (``components/extractive.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.components.encoding import encode_timed
from summarizer.components.extractive import compose_extractive, extractive_info
from summarizer.components.prepare import PreparedArticle, prepare_article
from summarizer.components.shared import SharedModels, load_shared_models
from summarizer.config import Settings
from summarizer.options import SummaryOptions
from summarizer.schemas import BackendInfo, Summary


class ExtractiveBackend:
    """Sentences chosen from the article by the embedded encoder and the learned heads."""

    name = "extractive"

    def __init__(self, models: SharedModels, settings: Settings) -> None:
        self.models = models
        self.settings = settings

    @classmethod
    def load(cls, settings: Settings, *, model: str | None = None, device: str | None = None) -> ExtractiveBackend:
        """The encoder in ``model`` (a local directory; default the embedded all-MiniLM-L6-v2)."""
        return cls(load_shared_models(settings, model=model, device=device), settings)

    def describe(self) -> BackendInfo:
        return extractive_info(self.models)

    def prepare(self, text: object, title: object, options: SummaryOptions) -> PreparedArticle:
        return prepare_article(text, title, self.settings, options)

    def summarize_many(self, articles: Sequence[PreparedArticle]) -> list[Summary]:
        if not articles:
            return []
        encoded, encode_ms = encode_timed(self.models.encoder, articles)
        info = self.describe()  # the same for every article of the call
        return [compose_extractive(self.models, a, e, encode_ms, info) for a, e in zip(articles, encoded, strict=True)]

"""The library facade: ``Summarizer`` turns article text into a ``Summary`` with whichever backend is set.

Lifecycle (as in LitServe): ``Summarizer.load()`` once (models loaded once per process), then any
number of ``summarize`` / ``summarize_many`` calls. Validation and segmentation (``prepare``) need no
model, so callers can run them ahead, on other threads; ``summarize_prepared`` then does the model work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from summarizer.backends.base import Backend
from summarizer.components.prepare import PreparedArticle, prepare_articles
from summarizer.config import Settings, get_settings
from summarizer.options import SummaryOptions
from summarizer.schemas import BackendInfo, Summary

BACKENDS = ("extractive", "abstractive", "llm")


def load_backend(settings: Settings, *, model: str | None = None, device: str | None = None) -> Backend:
    """The backend ``settings.backend`` names, loaded (backends are imported only when chosen)."""
    if settings.backend == "abstractive":
        from summarizer.backends.abstractive import AbstractiveBackend

        return AbstractiveBackend.load(settings, model=model, device=device)
    if settings.backend == "llm":
        from summarizer.backends.llm import LlmBackend

        return LlmBackend.load(settings, model=model, device=device)
    from summarizer.backends.extractive import ExtractiveBackend

    return ExtractiveBackend.load(settings, model=model or settings.model, device=device)


class Summarizer:
    """Summaries with character offsets: extractive by default, abstractive by setting."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @classmethod
    def load(
        cls, model: str | None = None, *, device: str | None = None, settings: Settings | None = None
    ) -> Summarizer:
        """Load the backend ``settings.backend`` names (default: extractive on the embedded all-MiniLM-L6-v2).

        ``model``: the encoder directory (extractive) or the seq2seq checkpoint (abstractive).
        """
        return cls(load_backend(settings or get_settings(), model=model, device=device))

    @property
    def settings(self) -> Settings:
        return self.backend.settings

    def describe(self) -> BackendInfo:
        """Backend, model, device, engine and precision."""
        return self.backend.describe()

    @property
    def model_name(self) -> str:
        """The model that writes the summary (extractive: the encoder that ranks sentences)."""
        return self.describe().model

    @property
    def device(self) -> str:
        return self.describe().device

    def prepare(
        self,
        text: str,
        title: str | None = None,
        *,
        max_sentences: int = 3,
        max_words: int | None = None,
        bullets: int = 2,
        options: SummaryOptions | None = None,
    ) -> PreparedArticle:
        """Validate and segment one article (no model work); raises ``InvalidInputError``."""
        options = options or SummaryOptions(max_sentences, max_words, bullets)
        return self.backend.prepare(text, title, options)

    def summarize(
        self,
        text: str,
        title: str | None = None,
        *,
        max_sentences: int = 3,
        max_words: int | None = None,
        bullets: int = 2,
    ) -> Summary:
        return self.summarize_many([text], [title], max_sentences=max_sentences, max_words=max_words, bullets=bullets)[
            0
        ]

    def summarize_many(
        self,
        texts: Sequence[str | PreparedArticle],
        titles: Sequence[str | None] | None = None,
        *,
        max_sentences: int = 3,
        max_words: int | None = None,
        bullets: int = 2,
        options: Sequence[SummaryOptions] | None = None,
    ) -> list[Summary]:
        """Summarize several articles with one shared encoder pass.

        ``options`` gives each article its own knobs (they still share the pass); otherwise the keyword
        knobs apply to all. ``texts`` may hold ``prepare`` results, which carry their own title and
        options. Every article is validated before any model work; the first invalid one raises
        ``InvalidInputError`` whose message names its position when there are several.
        """
        shared = SummaryOptions(max_sentences, max_words, bullets)
        prepared = prepare_articles(texts, titles, self.settings, options if options is not None else shared)
        return self.summarize_prepared(prepared)

    def summarize_prepared(self, articles: Sequence[PreparedArticle]) -> list[Summary]:
        """The model work for articles already prepared, in one call to the backend."""
        return self.backend.summarize_many(articles)

    def summarize_streaming(self, article: PreparedArticle, on_token: Callable[[str], None]) -> Summary:
        """One prepared article; ``on_token`` receives generated text as it is written (llm backend).

        Backends that do not generate token by token hand over the finished summary as one piece.
        """
        stream = getattr(self.backend, "summarize_streaming", None)
        if callable(stream):
            result: Summary = stream(article, on_token)
            return result
        result = self.backend.summarize_many([article])[0]
        on_token(result.summary)
        return result

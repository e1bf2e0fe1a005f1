"""Article summarizer: a short extractive summary plus "Why it matters" bullets, with provenance.

from summarizer import Summarizer
summarizer = Summarizer.load()            # embedded all-MiniLM-L6-v2, loaded once
result = summarizer.summarize(article_text, title="optional")
result.model_dump()                       # the same JSON the HTTP service returns
"""

from summarizer.config import Settings, get_settings
from summarizer.errors import InputTooLargeError, InvalidInputError, ModelLoadError, SummarizerError
from summarizer.schemas import InputStats, Meta, Span, Summary

__version__ = "0.1.0"

__all__ = [
    "AbstractiveSummarizer",
    "InputStats",
    "InputTooLargeError",
    "InvalidInputError",
    "Meta",
    "ModelLoadError",
    "Settings",
    "Span",
    "Summarizer",
    "SummarizerError",
    "Summary",
    "get_settings",
]


def __getattr__(name: str) -> object:
    # Summarizer pulls in torch and transformers (seconds); import it only when asked for, so the
    # CLI's --help and input errors answer at once.
    if name == "Summarizer":
        from summarizer.pipeline import Summarizer

        return Summarizer
    if name == "AbstractiveSummarizer":
        from summarizer.backends.abstractive import AbstractiveSummarizer

        return AbstractiveSummarizer
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")

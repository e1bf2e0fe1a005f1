"""Article summarizer: a short summary plus "Why it matters" bullets, with provenance.

from summarizer import Summarizer
summarizer = Summarizer.load()            # embedded all-MiniLM-L6-v2, loaded once
result = summarizer.summarize(article_text, title="optional")
result.model_dump()                       # the same JSON the HTTP service returns
"""

from typing import TYPE_CHECKING

from summarizer.config import Settings, get_settings
from summarizer.errors import InputTooLargeError, InvalidInputError, ModelLoadError, SummarizerError
from summarizer.options import SummaryOptions
from summarizer.schemas import BackendInfo, InputStats, Meta, Span, Summary
from summarizer.version import __version__

if TYPE_CHECKING:  # imported lazily at run time (see __getattr__)
    from summarizer.api import Summarizer
    from summarizer.components.prepare import PreparedArticle

__all__ = [
    "BackendInfo",
    "InputStats",
    "InputTooLargeError",
    "InvalidInputError",
    "Meta",
    "ModelLoadError",
    "PreparedArticle",
    "Settings",
    "Span",
    "Summarizer",
    "SummarizerError",
    "Summary",
    "SummaryOptions",
    "__version__",
    "get_settings",
]


def __getattr__(name: str) -> object:
    # Summarizer pulls in torch and transformers (seconds); import it only when asked for, so the
    # CLI's --help and input errors answer at once.
    if name == "Summarizer":
        from summarizer.api import Summarizer

        return Summarizer
    if name == "PreparedArticle":
        from summarizer.components.prepare import PreparedArticle

        return PreparedArticle
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")

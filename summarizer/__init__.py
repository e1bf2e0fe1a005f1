"""Article summarizer: a short extractive summary plus "Why it matters" bullets, with provenance.

from summarizer import Summarizer
summarizer = Summarizer.load()            # embedded all-MiniLM-L6-v2, loaded once
result = summarizer.summarize(article_text, title="optional")
result.model_dump()                       # the same JSON the HTTP service returns
"""

from summarizer.config import Settings, get_settings
from summarizer.errors import InputTooLargeError, InvalidInputError, ModelLoadError, SummarizerError
from summarizer.pipeline import Summarizer
from summarizer.schemas import InputStats, Meta, Span, Summary

__version__ = "0.1.0"

__all__ = [
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

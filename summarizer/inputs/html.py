"""Main text, title and date of an HTML page, with trafilatura (no network: it only parses the string).

Navigation, ads, scripts, related links, comments and footers are dropped; paragraphs come back
separated by blank lines, so the summarizer segments them as it does plain text. Offsets in a
summary of an extracted page index ``ExtractedArticle.text``, not the HTML.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from types import ModuleType

from summarizer.config import Settings
from summarizer.errors import InputTooLargeError, InvalidInputError, MissingDependencyError
from summarizer.schemas import SourceInfo
from summarizer.text import count_words

# Fewer words than this is a page without an article (a menu, a cookie notice, one stray ad).
MIN_MAIN_TEXT_WORDS = 15
# libxml2's HTML parser keeps at most this many levels of nesting and drops what lies deeper: a page
# that reaches it may have lost its article to the parser, not to navigation or ads.
PARSER_MAX_DEPTH = 255

_TAG = re.compile(r"<\s*[a-zA-Z!?/]")
# lxml refuses strings with these (they are not XML characters); browsers show U+FFFD for them.
_UNPARSEABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_HTML_START = re.compile(r"\A(?:\ufeff)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|\?xml)", re.I | re.S)

# Client pages are not operator errors: trafilatura logs "not valid HTML" at ERROR level, and its
# debug records can carry page fragments. Quiet it unless the application configured it itself.
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    _logger = logging.getLogger(_name)
    if _logger.level == logging.NOTSET:
        _logger.setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class ExtractedArticle:
    text: str  # main text, one paragraph per block, blank lines between
    title: str | None
    date: str | None  # YYYY-MM-DD when the page states a publication date


def require_trafilatura() -> ModuleType:
    """The trafilatura module, or the error that names the extra which installs it."""
    try:
        import trafilatura
    except ImportError:
        raise MissingDependencyError(
            "HTML input needs the html extra (trafilatura): pip install 'summarizer[html]'"
        ) from None
    return trafilatura


def looks_like_html(text: str) -> bool:
    """True for a document that starts like an HTML page (doctype, <html> or an XML declaration)."""
    return bool(_HTML_START.match(text[:4096]))


def extract_article(html: object, *, max_bytes: int, max_elements: int = 30_000) -> ExtractedArticle:
    """Extract the article from ``html``; raise ``InvalidInputError`` / ``InputTooLargeError`` when there is none.

    Codes: ``invalid_html`` (not a string, no markup, unparseable), ``empty_html``, ``html_too_large``
    (over ``max_bytes`` UTF-8 bytes or ``max_elements`` elements), ``html_too_deep`` (nested past what the
    parser reads, and no article found), ``no_main_text``.
    """
    if not isinstance(html, str):
        raise InvalidInputError(f"html must be a string, got {type(html).__name__}", code="invalid_html")
    # Cheap bound first (a character is at most 4 bytes), exact count only when it matters.
    size = len(html) if len(html) * 4 <= max_bytes else len(html.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise InputTooLargeError(
            f"html is {size} bytes; the limit is {max_bytes} (raise SUMMARIZER_MAX_HTML_BYTES)", code="html_too_large"
        )
    if not html.strip():
        raise InvalidInputError("html is empty", code="empty_html")
    if not _TAG.search(html):
        raise InvalidInputError("html contains no HTML tags (send plain text as text)", code="invalid_html")

    trafilatura = require_trafilatura()  # lxml, dateparser: seconds to import, only when HTML is used
    from trafilatura.settings import Document
    from trafilatura.utils import load_html

    markup = _UNPARSEABLE.sub("\ufffd", html)
    try:
        # A bare fragment ("<div><p>..</p></div>" from a CMS) fails trafilatura's is-it-a-page
        # check, so it gets the page skeleton it lacks.
        tree = load_html(markup) if looks_like_html(markup) else None
        if tree is None:
            tree = load_html(f"<html><body>{markup}</body></html>")
    except (ValueError, TypeError) as exc:  # lxml refuses some strings outright
        raise InvalidInputError(f"html could not be parsed: {exc}", code="invalid_html") from None
    if tree is None:
        raise InvalidInputError("html could not be parsed as an HTML document", code="invalid_html")
    elements = sum(1 for _ in tree.iter())
    if elements > max_elements:
        raise InputTooLargeError(
            f"html has {elements} elements; the limit is {max_elements} (raise SUMMARIZER_MAX_HTML_ELEMENTS)",
            code="html_too_large",
        )
    try:
        document = trafilatura.bare_extraction(
            tree,
            favor_precision=True,  # rather lose a borderline paragraph than summarize a menu
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            deduplicate=False,
            # Only dates the page states; never guess from a copyright line or the URL.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # a parser bug on odd markup is still a page we cannot read, not a 500
        raise InvalidInputError(f"html could not be processed ({type(exc).__name__})", code="invalid_html") from None

    if not isinstance(document, Document):  # trafilatura answers None when it finds no article
        document = None
    text = _paragraphs(document.text if document is not None else None)
    words = count_words(text)
    if words < MIN_MAIN_TEXT_WORDS and _depth(tree) >= PARSER_MAX_DEPTH:
        raise InvalidInputError(
            f"html nests elements {PARSER_MAX_DEPTH} or more levels deep, past what the parser reads, and no "
            "article text was found above that depth; send the page with less nesting, or its text as text",
            code="html_too_deep",
        )
    if words < MIN_MAIN_TEXT_WORDS:
        raise InvalidInputError(
            f"no main article text found in the page: {words} word{'' if words == 1 else 's'} outside navigation, "
            f"ads, scripts and footers, and an article needs at least {MIN_MAIN_TEXT_WORDS}",
            code="no_main_text",
        )
    assert document is not None  # no document means no words: refused above
    title = " ".join((document.title or "").split()) or None
    return ExtractedArticle(text=text, title=title, date=document.date or None)


def _depth(tree: object) -> int:
    """How many levels deep the parsed tree goes (walked once; only on the error path)."""
    from lxml import etree  # type: ignore[import-untyped]  # no stubs; a dependency of trafilatura

    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def extract_with_settings(html: object, settings: Settings) -> ExtractedArticle:
    """``extract_article`` under the configured limits; a page title over the title limit is dropped.

    The title is metadata the page suggested, not something the client sent, so an over-long one is
    not an error; the article is summarized without it.
    """
    article = extract_article(html, max_bytes=settings.max_html_bytes, max_elements=settings.max_html_elements)
    if article.title is not None and len(article.title) > settings.max_title_chars:
        return ExtractedArticle(text=article.text, title=None, date=article.date)
    return article


@dataclass(frozen=True)
class HtmlArticle:
    """A page turned into what the summarizer takes: text, the title to rank with, and what the page said."""

    text: str
    title: str | None  # the caller's title when given, else the page's headline
    source: SourceInfo


def html_article(html: object, settings: Settings, *, title: str | None = None, url: str | None = None) -> HtmlArticle:
    """Extract a page (the one place HTML becomes text, title and source for the CLI, batch files and the service)."""
    extracted = extract_with_settings(html, settings)
    source = SourceInfo(url=url, title=extracted.title, date=extracted.date)
    # The page's headline steers ranking like a title the client sends; the client's own title wins.
    return HtmlArticle(text=extracted.text, title=title if title is not None else extracted.title, source=source)


def decode_html(data: bytes) -> str:
    """A page's bytes as text: UTF-8, else its declared or detected charset (saved pages often are not UTF-8)."""
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        require_trafilatura()
        from trafilatura.utils import decode_file

        return decode_file(data)


def _paragraphs(text: str | None) -> str:
    # trafilatura puts one paragraph (or list item, heading) per line; blank lines make each a block.
    if not text:
        return ""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())

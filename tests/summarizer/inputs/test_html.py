"""HTML input: the seed news page reduces to its plain text and summarizes the same; bad pages fail clearly."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from summarizer import Settings, Summarizer, Summary
from summarizer.cli.main import main
from summarizer.config import get_settings
from summarizer.errors import InputTooLargeError, InvalidInputError, MissingDependencyError
from summarizer.inputs.html import (
    MIN_MAIN_TEXT_WORDS,
    decode_html,
    extract_article,
    extract_with_settings,
    looks_like_html,
)

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "seeds" / "html" / "harbor_bridge_closure.html"
PLAIN = ROOT / "seeds" / "html" / "harbor_bridge_closure.txt"
HEADLINE = "Westport Harbor Bridge to close to cars for 14 months"
LIMIT = 2_000_000
PARAGRAPH = (
    "<p>The council approved the new transit budget on Tuesday after a long debate that lasted many hours. "
    "Officials said the plan would cut commuting times across the region by a large margin.</p>"
)


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plain() -> str:
    return PLAIN.read_text(encoding="utf-8").strip()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction only parses: any connection attempt fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("HTML extraction tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def comparable(summary: Summary) -> dict:
    data = summary.model_dump()
    del data["meta"]["elapsed_ms"], data["meta"]["timings_ms"]
    return data


# -- the news page --------------------------------------------------------------------------------


def test_page_reduces_to_its_plain_text(page: str, plain: str) -> None:
    article = extract_article(page, max_bytes=LIMIT)
    assert article.text == plain
    assert article.title == HEADLINE
    assert article.date == "2025-03-17"


@pytest.mark.parametrize(
    "boilerplate",
    ["Advertisement", "cookies", "Related stories", "Refinance", "gtag", "loadAd", "Comments", "All rights reserved",
     "Subscribe", "morning briefing", "Maren Holt", "Fourteen months?", "Home", "Privacy policy"],
)  # fmt: skip
def test_boilerplate_is_dropped(page: str, boilerplate: str) -> None:
    assert boilerplate not in extract_article(page, max_bytes=LIMIT).text


def test_page_summarizes_like_its_plain_text(fake_summarizer: Summarizer, page: str, plain: str) -> None:
    article = extract_article(page, max_bytes=LIMIT)
    from_page = fake_summarizer.summarize(article.text, article.title, bullets=2)
    from_text = fake_summarizer.summarize(plain, HEADLINE, bullets=2)
    assert comparable(from_page) == comparable(from_text)
    assert from_page.sentences and from_page.why_it_matters


@pytest.mark.model
def test_page_summarizes_like_its_plain_text_with_the_real_model(
    real_summarizer: Summarizer, page: str, plain: str
) -> None:
    article = extract_article(page, max_bytes=LIMIT)
    from_page = real_summarizer.summarize(article.text, article.title)
    from_text = real_summarizer.summarize(plain, HEADLINE)
    assert [s.text for s in from_page.sentences] == [s.text for s in from_text.sentences]
    assert [b.text for b in from_page.why_it_matters] == [b.text for b in from_text.why_it_matters]
    assert len(from_page.sentences) == 3
    for span in from_page.sentences:  # offsets index the extracted text
        assert " ".join(article.text[span.start : span.end].split()) == span.text


def test_fragment_and_non_utf8_page(plain: str) -> None:
    assert extract_article(PARAGRAPH * 2, max_bytes=LIMIT).text.startswith("The council approved")
    assert extract_article(f"<div>{PARAGRAPH}</div>", max_bytes=LIMIT).title is None
    latin1 = PAGE.read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="iso-8859-1"')
    latin1 = latin1.replace("Eastbank", "Eastbänk")
    decoded = decode_html(latin1.encode("latin-1"))
    assert "Eastbänk neighborhoods" in extract_article(decoded, max_bytes=LIMIT).text


def test_control_characters_do_not_break_parsing() -> None:
    text = extract_article(
        PARAGRAPH.replace("council", "coun\x00cil").replace("budget", "bud\ud800get"), max_bytes=LIMIT
    )
    assert "approved the new transit" in text.text


# -- bad pages ----------------------------------------------------------------------------------------

NAV_ONLY = """<!doctype html><html><head><title>Home</title></head><body>
<nav><a href="/a">News</a> <a href="/b">Sports</a> <a href="/c">Weather</a></nav>
<div class="ad">Buy now and save big.</div><footer>(c) 2025 Example Corp. All rights reserved.</footer>
<script>var story = "The council approved the new transit budget on Tuesday after a debate that lasted hours.";</script>
</body></html>"""


@pytest.mark.parametrize(
    ("html", "code"),
    [
        (42, "invalid_html"),
        (None, "invalid_html"),
        ("", "empty_html"),
        ("  \n ", "empty_html"),
        ("Just plain text, no markup at all. It has two sentences.", "invalid_html"),
        ("<<<>>>", "invalid_html"),
        ("<html><body></body></html>", "no_main_text"),
        (NAV_ONLY, "no_main_text"),
        ("<p>Too short to be an article.</p>", "no_main_text"),
    ],
)
def test_pages_without_an_article(html: object, code: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        extract_article(html, max_bytes=LIMIT)
    assert info.value.code == code
    assert not isinstance(info.value, InputTooLargeError)


def test_an_article_nested_past_what_the_parser_reads_gets_its_own_error() -> None:
    article = "<p>" + "The council approved the new budget on Tuesday after a long debate about taxes. " * 5 + "</p>"
    shallow = "<html><body>" + "<div>" * 200 + article + "</div>" * 200 + "</body></html>"
    assert "council approved" in extract_article(shallow, max_bytes=LIMIT).text
    deep = "<html><body>" + "<div>" * 300 + article + "</div>" * 300 + "</body></html>"
    with pytest.raises(InvalidInputError) as info:
        extract_article(deep, max_bytes=LIMIT)
    assert info.value.code == "html_too_deep" and "levels deep" in info.value.message


def test_no_main_text_message_is_clear() -> None:
    with pytest.raises(InvalidInputError) as info:
        extract_article(NAV_ONLY, max_bytes=LIMIT)
    assert "no main article text" in info.value.message
    assert str(MIN_MAIN_TEXT_WORDS) in info.value.message


def test_huge_pages(page: str) -> None:
    with pytest.raises(InputTooLargeError) as info:
        extract_article(page, max_bytes=len(page.encode()) - 1)
    assert info.value.code == "html_too_large"
    extract_article(page, max_bytes=len(page.encode()))  # exactly at the limit is fine
    wide = "<html><body>" + "<div><span>x</span></div>" * 600 + PARAGRAPH + "</body></html>"
    with pytest.raises(InputTooLargeError) as info:
        extract_article(wide, max_bytes=LIMIT, max_elements=1000)
    assert "elements" in info.value.message


def test_multibyte_size_is_counted_in_bytes() -> None:
    html = "<p>" + "é" * 600 + "</p>"  # 600 characters, 1200 bytes
    with pytest.raises(InputTooLargeError):
        extract_article(html, max_bytes=1100)


def test_settings_limits_and_long_page_titles(page: str) -> None:
    with pytest.raises(InputTooLargeError):
        extract_with_settings(page, Settings(max_html_bytes=1024))
    assert extract_with_settings(page, Settings()).title == HEADLINE
    assert extract_with_settings(page, Settings(max_title_chars=10)).title is None  # dropped, not cut


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!DOCTYPE html><html>", True),
        ("\ufeff  <html lang='en'>", True),
        ("<!-- saved page -->\n<!doctype HTML>", True),
        ('<?xml version="1.0"?><html>', True),
        ("<p>fragment</p>", False),
        ("The <html> tag starts a page.", False),
        ("", False),
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


# -- the CLI --------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SUMMARIZER_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_env")
def test_cli_summarizes_an_html_file_like_its_text(
    fake_summarizer: Summarizer, plain: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    factory = lambda settings: fake_summarizer  # noqa: E731
    assert main(["summarize", str(PAGE), "--format", "json", "--include-source"], summarizer_factory=factory) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source_text"] == plain
    assert data["source"] == {"format": "html", "url": None, "title": HEADLINE, "date": "2025-03-17"}
    expected = comparable(fake_summarizer.summarize(plain, HEADLINE))
    del data["meta"]["elapsed_ms"], data["meta"]["timings_ms"], data["source_text"], data["source"]
    assert data == expected

    sniffed = tmp_path / "saved_page"  # no extension: recognised by its doctype
    sniffed.write_bytes(PAGE.read_bytes())
    assert main(["summarize", str(sniffed)], summarizer_factory=factory) == 0
    assert capsys.readouterr().out.startswith(expected["summary"])

    fragment = tmp_path / "fragment.txt"
    fragment.write_text(PARAGRAPH * 2, encoding="utf-8")
    assert main(["summarize", str(fragment), "--html", "--format", "json"], summarizer_factory=factory) == 0
    assert "<p>" not in json.loads(capsys.readouterr().out)["summary"]


@pytest.mark.usefixtures("cli_env")
def test_cli_html_errors_are_one_line(
    fake_summarizer: Summarizer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    calls: list[Settings] = []

    def factory(settings: Settings) -> Summarizer:
        calls.append(settings)
        return fake_summarizer

    nav = tmp_path / "nav.html"
    nav.write_text(NAV_ONLY, encoding="utf-8")
    assert main(["summarize", str(nav)], summarizer_factory=factory) == 2
    err = capsys.readouterr().err
    assert err.startswith("summarizer: error: no main article text") and err.count("\n") == 1
    assert calls == []  # failed before loading the model


def test_html_without_the_html_extra_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if the html extra were not installed
    with pytest.raises(MissingDependencyError, match=r"summarizer\[html\]"):
        extract_article("<html><body><p>Some text here.</p></body></html>", max_bytes=10_000)

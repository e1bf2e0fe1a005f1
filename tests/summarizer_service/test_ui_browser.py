"""The web page in a real browser: Debian's Chromium driven by Playwright, against the real app on 127.0.0.1
with the embedded model.

Skipped with a reason when Chromium (``apt-get install chromium``) or Playwright (the dev extra) is missing;
``.ci/run`` installs both. ``test_screenshot`` writes docs/images/ui.png, the README's picture of the page.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from page_server import PAGE_HTML, page_server

from summarizer import Settings, Summarizer
from summarizer_service import create_app

pytestmark = pytest.mark.model

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium on PATH (apt-get install chromium; .ci/run installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra has it)")

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_05444940e5ccca5a.txt"
SCREENSHOT = ROOT / "docs" / "images" / "ui.png"
KEY = "browser-key-0123456789abcdef"
NARROW_SHOT = os.environ.get("UI_NARROW_SCREENSHOT")


# -- the real service on a free port, in a thread ---------------------------------------------------


@dataclass
class Served:
    base: str
    server: uvicorn.Server
    thread: threading.Thread

    def post(self, payload: dict[str, Any], key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.post(f"{self.base}/v1/summarize", json=payload, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def serve(real_summarizer: Summarizer) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(**settings: Any) -> Served:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        app = create_app(Settings(device="cpu", result_cache_entries=0, **settings), summarizer=real_summarizer)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        served = Served(f"http://127.0.0.1:{port}", server, thread)
        started.append(served)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{served.base}/readyz", timeout=2).status_code == 200:
                    return served
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the service did not become ready")

    yield start
    for served in started:
        served.server.should_exit = True
        served.thread.join(timeout=30)


@pytest.fixture(scope="module")
def service(serve: Callable[..., Served]) -> Served:
    return serve()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@dataclass
class Page:
    """A browser page, every request it made, and every console error or uncaught exception."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self, base: str) -> None:
        outside = [url for url in self.requests if not url.startswith(f"{base}/")]
        assert not outside, f"requests outside the page's origin: {outside}"
        # Chromium logs every 4xx answer to fetch(); the tests that expect one check the page shows it.
        errors = [e for e in self.errors if not e.startswith("Failed to load resource: the server responded")]
        assert not errors, f"console errors or exceptions: {errors}"


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Page]]:
    contexts: list[Any] = []

    def open_(base: str, width: int = 1280, height: int = 860, dark: bool = False, **options: Any) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme="dark" if dark else "light",
            reduced_motion="reduce",
            **options,
        )
        contexts.append(context)
        result = Page(context.new_page())
        context.on("request", lambda request: result.requests.append(request.url))
        result.page.on("console", lambda m: m.type == "error" and result.errors.append(m.text))
        result.page.on("pageerror", lambda exc: result.errors.append(str(exc)))
        result.page.goto(f"{base}/")
        result.page.wait_for_function(
            "() => document.getElementById('server-info').textContent.includes('backend') "
            "|| document.getElementById('server-info').textContent.includes('key')"
        )
        return result

    yield open_
    for context in contexts:
        context.close()


# -- helpers --------------------------------------------------------------------------------------


def summarize(page: Any, text: str | None = None) -> dict[str, Any]:
    """Paste ``text`` (unless None: the page's current input), submit, and return the API's answer."""
    if text is not None:
        page.fill("#article", text)
    with page.expect_response(lambda r: r.url.endswith("/v1/summarize")) as answer:
        page.click("#submit")
    page.wait_for_function("() => !document.getElementById('submit').disabled")
    return answer.value.json()


def marked_text(page: Any, ref: str) -> str:
    return page.eval_on_selector_all(
        f'#source mark[data-refs~="{ref}"]', "marks => marks.map(m => m.textContent).join('')"
    )


def assert_spans_highlighted(page: Any, source: str, body: dict[str, Any]) -> None:
    """The source pane holds exactly ``source``, and every span's marks hold exactly source[start:end]."""
    assert page.text_content("#source") == source
    refs = [(f"s{i}", s, "hl-summary") for i, s in enumerate(body["sentences"])]
    refs += [(f"b{i}", b, "hl-bullet") for i, b in enumerate(body["why_it_matters"])]
    assert refs, "nothing to check"
    for ref, span, css in refs:
        assert marked_text(page, ref) == source[span["start"] : span["end"]], ref
        classes = page.eval_on_selector_all(f'#source mark[data-refs~="{ref}"]', "ms => ms.map(m => m.className)")
        assert classes and all(css in c.split() for c in classes), (ref, classes)
        assert page.text_content(f'li[data-ref="{ref}"] .span-text') == (span.get("display") or span["text"])
    all_refs = page.eval_on_selector_all("#source mark", "ms => ms.flatMap(m => m.dataset.refs.split(' '))")
    assert set(all_refs) == {ref for ref, _, _ in refs}


def error_message(page: Any) -> str:
    page.wait_for_selector("#error:not([hidden])")
    return page.text_content("#error .error-message") or ""


# -- tests ----------------------------------------------------------------------------------------


def test_seed_spans_are_the_api_offsets(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base)
    seed = SEED.read_text(encoding="utf-8")
    body = summarize(tab.page, seed)
    assert body["sentences"] and body["why_it_matters"]
    assert_spans_highlighted(tab.page, seed, body)
    assert "extractive" in tab.page.text_content("#server-info")
    meta = tab.page.text_content("#meta")
    assert "extractive" in meta and "Round trip" in meta and "Server time" in meta
    tab.assert_clean(service.base)


def test_offsets_count_code_points_not_utf16_units(service: Served, open_page: Callable[..., Page]) -> None:
    """Emoji take two UTF-16 units in the browser but one code point in the API's offsets."""
    tab = open_page(service.base)
    text = "🚀🌍 Launch day. " + SEED.read_text(encoding="utf-8").replace("Xi ", "Xi 🇨🇳 ")
    body = summarize(tab.page, text)
    assert any(ord(ch) > 0xFFFF for s in body["sentences"] for ch in s["text"]), "no emoji inside a summary span"
    assert_spans_highlighted(tab.page, text, body)


def test_hover_and_focus_link_a_sentence_to_its_span(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base, width=1000, height=560)  # a short source pane: it has to scroll
    page = tab.page
    body = summarize(page, SEED.read_text(encoding="utf-8"))
    last = f"b{len(body['why_it_matters']) - 1}"
    active = "ms => ms.filter(m => m.classList.contains('active')).flatMap(m => m.dataset.refs.split(' '))"
    assert page.eval_on_selector_all("#source mark", active) == []
    page.hover(f'li[data-ref="{last}"]')
    page.wait_for_function("() => document.getElementById('source').scrollTop > 0")
    assert set(page.eval_on_selector_all("#source mark", active)) == {last}
    # The first mark of that span is inside the visible part of the source pane.
    visible = page.eval_on_selector(
        f'#source mark[data-refs~="{last}"]',
        "m => { const a = m.getBoundingClientRect(), p = m.parentElement.getBoundingClientRect();"
        " return a.top >= p.top && a.bottom <= p.bottom; }",
    )
    assert visible
    page.hover('li[data-ref="s0"]')
    assert set(page.eval_on_selector_all("#source mark", active)) == {"s0"}
    # Keyboard: after a result the focus is on its heading; Tab reaches the first sentence, then the next.
    page.focus("#result-heading")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.ref") == "s0"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.ref") == "s1"
    assert "s1" in page.eval_on_selector_all("#source mark", active)
    tab.assert_clean(service.base)


def test_empty_submission_shows_the_api_message(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base)
    expected = service.post({"text": ""})
    assert expected.status_code == 422
    tab.page.click("#submit")
    assert error_message(tab.page) == expected.json()["error"]["message"]
    assert f"Error 422 ({expected.json()['error']['code']})" in tab.page.text_content("#error")
    assert tab.page.is_hidden("#result")


def test_bad_knob_shows_the_api_message(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base)
    tab.page.fill("#article", SEED.read_text(encoding="utf-8"))
    tab.page.fill("#max_sentences", "99")
    tab.page.click("#submit")
    expected = service.post({"text": "x", "max_sentences": 99}).json()["error"]["message"]
    assert error_message(tab.page) == expected


def test_html_file_input(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base)
    page = tab.page
    page.set_input_files("#file", str(PAGE_HTML))
    # The page reads the file asynchronously: wait until it is in the editor before looking at the mode.
    page.wait_for_function("() => document.getElementById('article').value.includes('<html')")
    assert page.is_checked('input[name="mode"][value="html"]')
    body = summarize(page)
    assert body["source"]["format"] == "html"
    source = body["source_text"]
    assert "<" not in source
    assert_spans_highlighted(page, source, body)
    assert page.query_selector_all("#source *:not(mark)") == []  # nothing of the page's markup is rendered
    tab.assert_clean(service.base)


def test_html_dropped_on_the_page(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base)
    page = tab.page
    page.evaluate(
        """html => {
            const data = new DataTransfer();
            data.items.add(new File([html], "story.html", {type: "text/html"}));
            document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
        }""",
        PAGE_HTML.read_text(encoding="utf-8"),
    )
    page.wait_for_function("() => document.getElementById('article').value.includes('<html')")
    assert page.is_checked('input[name="mode"][value="html"]')
    body = summarize(page)
    assert_spans_highlighted(page, body["source_text"], body)


XSS = '<img src=/xss-img onerror="window.__xss=1"><script>window.__xss=2</script><b id="injected">bold</b> '


def test_markup_in_the_article_is_shown_as_text(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base)
    page = tab.page
    seed = SEED.read_text(encoding="utf-8")
    first = seed.index("The leaders")
    text = seed[:first] + XSS + seed[first:]
    page.fill("#title", XSS)
    body = summarize(page, text)
    assert XSS.strip() in body["sentences"][0]["text"], "the payload should be inside a summary sentence"
    assert_spans_highlighted(page, text, body)
    assert page.evaluate("window.__xss") is None
    assert page.query_selector("#injected") is None
    assert page.eval_on_selector_all("img, iframe, object, embed, b", "els => els.length") == 0
    assert page.eval_on_selector_all("script", "els => els.map(s => s.getAttribute('src'))") == ["/ui/app.js"]
    assert XSS.strip() in page.text_content('li[data-ref="s0"]')
    assert not any("xss-img" in url for url in tab.requests)
    tab.assert_clean(service.base)


def test_copy_as_markdown_and_json(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base, permissions=["clipboard-read", "clipboard-write"])
    page = tab.page
    body = summarize(page, SEED.read_text(encoding="utf-8"))
    page.click("#copy-json")
    page.wait_for_function("() => document.getElementById('copy-status').textContent.startsWith('Copied')")
    assert json.loads(page.evaluate("navigator.clipboard.readText()")) == body
    page.click("#copy-md")
    page.wait_for_function("() => document.getElementById('copy-status').textContent.includes('Markdown')")
    bullets = "\n".join(f"- {b['text']}" for b in body["why_it_matters"])
    assert page.evaluate("navigator.clipboard.readText()") == (
        f"**Summary:** {body['summary']}\n\n**Why it matters:**\n\n{bullets}"
    )


def test_generated_sentences_show_sources_and_unsupported_marks(
    service: Served, open_page: Callable[..., Page]
) -> None:
    """A generative backend's answer (served here by the test): sources highlighted, unsupported flagged."""
    tab = open_page(service.base)
    page = tab.page
    text = "Alpha rose. Beta fell sharply today. Gamma held steady. Delta is new."
    spans = {w: (text.index(w), text.index(".", text.index(w)) + 1) for w in ["Alpha", "Beta", "Gamma", "Delta"]}

    def source(w: str) -> dict[str, int]:
        return {"start": spans[w][0], "end": spans[w][1]}

    both = [source("Alpha"), source("Gamma")]
    answer = {
        "summary": "Markets moved. Something odd.",
        "sentences": [
            {"text": "Markets moved.", **source("Alpha"), "generated": True, "sources": both},
            {"text": "Something odd.", **source("Beta"), "generated": True, "supported": False},
        ],
        "why_it_matters": [
            {"text": "Delta matters.", **source("Delta"), "generated": True, "sources": [source("Delta")]}
        ],
        "meta": {
            "backend": "llm",
            "model": "test",
            "device": "cpu",
            "elapsed_ms": 1.0,
            "input": {"characters": len(text), "words": 11, "sentences": 4},
        },
        "warnings": ["one sentence is not supported by the article"],
    }
    page.route("**/v1/summarize", lambda route: route.fulfill(json=answer))
    summarize(page, text)
    assert marked_text(page, "s0") == spans_text(text, spans, "Alpha", "Gamma")
    assert marked_text(page, "s1") == spans_text(text, spans, "Beta")
    assert marked_text(page, "b0") == spans_text(text, spans, "Delta")
    assert "hl-evidence" in page.get_attribute('#source mark[data-refs~="s0"]', "class")
    assert page.is_visible("#legend-evidence")
    assert "unsupported" in page.get_attribute('li[data-ref="s1"]', "class")
    assert "not supported" in page.text_content('li[data-ref="s1"]')
    assert "unsupported" not in page.get_attribute('li[data-ref="s0"]', "class")
    assert "one sentence is not supported" in page.text_content("#warnings")


def spans_text(text: str, spans: dict[str, tuple[int, int]], *words: str) -> str:
    return "".join(text[spans[w][0] : spans[w][1]] for w in words)


def test_url_input_when_the_server_fetches(serve: Callable[..., Served], open_page: Callable[..., Page]) -> None:
    with page_server() as origin:
        service = serve(fetch_urls=True, fetch_allow_hosts=[origin.allow_entry])
        tab = open_page(service.base)
        page = tab.page
        page.check('input[name="mode"][value="url"]')
        assert page.is_visible("#url") and page.is_hidden("#article")
        page.fill("#url", f"http://{origin.allow_entry}/article")
        body = summarize(page)
        assert body["source"]["url"].endswith("/article")
        assert_spans_highlighted(page, body["source_text"], body)
        tab.assert_clean(service.base)  # the server fetched the page, not the browser


def test_url_field_hidden_when_fetching_is_off(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base)
    assert tab.page.is_hidden("#url-mode")


def test_api_keys(serve: Callable[..., Served], open_page: Callable[..., Page]) -> None:
    service = serve(api_keys=[KEY])
    tab = open_page(service.base)
    page = tab.page
    assert "API key" in page.text_content("#server-info")
    seed = SEED.read_text(encoding="utf-8")
    page.fill("#article", seed)
    page.click("#submit")
    expected = service.post({"text": seed})
    assert expected.status_code == 401
    assert error_message(page) == expected.json()["error"]["message"]
    assert "Error 401" in page.text_content("#error")
    page.fill("#key", KEY)
    page.press("#key", "Tab")  # change: the page asks /v1/info again, with the key
    page.wait_for_function("() => document.getElementById('server-info').textContent.includes('backend')")
    body = summarize(page)
    assert page.is_hidden("#error")
    assert_spans_highlighted(page, seed, body)
    stored = page.evaluate("[localStorage.length, sessionStorage.length, document.cookie, location.href]")
    assert stored == [0, 0, "", f"{service.base}/"]
    tab.assert_clean(service.base)


def test_narrow_and_dark(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base, width=320, height=640, dark=True)
    page = tab.page
    body = summarize(page, SEED.read_text(encoding="utf-8"))
    assert body["sentences"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the page scrolls sideways at 320 px"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3])
    assert red + green + blue < 150, f"not dark: {background}"
    page.hover('li[data-ref="s0"]')
    assert page.eval_on_selector_all("#source mark.active", "ms => ms.length") > 0
    if NARROW_SHOT:  # for a look by eye: UI_NARROW_SCREENSHOT=/tmp/narrow.png
        page.screenshot(path=NARROW_SHOT, full_page=True)


def test_screenshot(service: Served, open_page: Callable[..., Page]) -> None:
    """The README's picture of the page, from the current code (docs/images/ui.png)."""
    tab = open_page(service.base, width=1280, height=1000)
    page = tab.page
    summarize(page, SEED.read_text(encoding="utf-8"))
    page.hover('li[data-ref="s1"]')
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_answers_that_are_not_the_api_shape_are_still_shown(service: Served, open_page: Callable[..., Page]) -> None:
    """A proxy's plain-text 502 or a dropped connection: a message, never a blank page."""
    tab = open_page(service.base)
    page = tab.page
    page.route(
        "**/v1/summarize", lambda route: route.fulfill(status=502, body="upstream down", content_type="text/plain")
    )
    page.fill("#article", "Some text.")
    page.click("#submit")
    assert "upstream down" in error_message(page)
    assert "Error 502" in page.text_content("#error")
    page.unroute("**/v1/summarize")
    page.route("**/v1/summarize", lambda route: route.abort())
    page.click("#submit")
    page.wait_for_function(
        "() => (document.querySelector('#error .error-message')?.textContent ?? '').includes('reach')"
    )
    assert page.is_enabled("#submit")


def test_other_files_are_refused_with_a_message(service: Served, open_page: Callable[..., Page]) -> None:
    tab = open_page(service.base)
    tab.page.set_input_files("#file", {"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"})
    assert error_message(tab.page) == "report.pdf is not a .txt or .html file."
    assert tab.page.input_value("#article") == ""

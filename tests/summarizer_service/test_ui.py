"""The web page's routes without a browser: served at /, strict CSP, open with keys, 404 when SUMMARIZER_UI=false.

The browser itself is driven in test_ui_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_checks import assert_error

from summarizer import Settings
from summarizer.config import get_settings
from summarizer_service.auth import OPEN_PATHS
from summarizer_service.ui import ASSETS

STATIC = Path(__file__).resolve().parents[2] / "summarizer_service" / "static"
KEY = "ui-key-0123456789abcdef"


def _csp(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_page_is_served_with_a_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script src="/ui/app.js"' in response.text
    csp = _csp(response)
    assert csp["default-src"] == "default-src 'self'"
    assert csp["script-src"] == "script-src 'self'"
    assert csp["connect-src"] == "connect-src 'self'"
    assert csp["object-src"] == "object-src 'none'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert "require-trusted-types-for" in csp
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    head = client.head("/")  # uptime checks: the same headers, no body
    assert head.status_code == 200 and head.content == b"" and head.headers["content-security-policy"] == policy


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_assets_are_served_with_their_types(client: TestClient, name: str) -> None:
    response = client.get(f"/ui/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == ASSETS[name].split(";")[0]
    assert response.content == (STATIC / name).read_bytes()
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize("name", ["index.html", "../ui.py", "missing.js", "app.js.map"])
def test_only_the_listed_assets_are_served(client: TestClient, name: str) -> None:
    assert client.get(f"/ui/{name}").status_code == 404


def test_every_static_file_is_served_and_packaged() -> None:
    """Nothing lies in static/ unserved, and pyproject's package data takes all of it."""
    assert {p.name for p in STATIC.iterdir()} == set(ASSETS) | {"index.html"}
    pyproject = (STATIC.parents[1] / "pyproject.toml").read_text()
    assert 'summarizer_service = ["static/*"]' in pyproject


def test_page_needs_no_inline_code_and_no_other_origin() -> None:
    html = (STATIC / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script: the CSP would block it"
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), "inline style or handler: the CSP would block it"
    for name in ["index.html", *ASSETS]:
        text = (STATIC / name).read_text()
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text)) - {"http://www.w3.org/2000/svg"}
        assert not urls, f"{name} refers to another origin: {urls}"


def test_script_never_parses_html() -> None:
    script = (STATIC / "app.js").read_text()
    sinks = ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "DOMParser"]
    for sink in sinks:
        assert sink not in script, f"app.js uses {sink}"


def test_page_and_assets_are_open_when_keys_are_configured(make_client: Callable[..., TestClient]) -> None:
    secured = make_client(Settings(api_keys=[KEY]))
    for path in ["/", *(f"/ui/{name}" for name in ASSETS)]:
        assert secured.get(path).status_code == 200, path
    assert_error(secured.get("/v1/info"), 401, "unauthorized")
    assert secured.get("/v1/info", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_open_paths_name_every_asset() -> None:
    assert {f"/ui/{name}" for name in ASSETS} | {"/"} <= OPEN_PATHS


def test_ui_off_answers_404(make_client: Callable[..., TestClient]) -> None:
    client = make_client(Settings(ui=False))
    assert_error(client.get("/"), 404, "not_found")
    for name in ASSETS:
        assert_error(client.get(f"/ui/{name}"), 404, "not_found")
    assert client.get("/healthz").status_code == 200


def test_ui_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> None:
    assert get_settings().ui is True
    get_settings.cache_clear()
    monkeypatch.setenv("SUMMARIZER_UI", "false")
    assert get_settings().ui is False


def test_info_says_whether_url_input_is_accepted(make_client: Callable[..., TestClient]) -> None:
    assert make_client().get("/v1/info").json()["url_input"] is False
    assert make_client(Settings(fetch_urls=True)).get("/v1/info").json()["url_input"] is True


def test_page_is_left_out_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/ui/") for p in paths)

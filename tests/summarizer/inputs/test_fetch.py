"""URL fetching: off by default, allow-listed hosts only, no private addresses, same-host redirects, caps."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from page_server import PAGE_HTML, SLOW_S, _PageServer, page_server

from summarizer import Settings
from summarizer.errors import FetchError, FetchRefusedError, InputTooLargeError, InvalidInputError
from summarizer.inputs.fetch import check_host, fetch_html, parse_url


@pytest.fixture(scope="module")
def server() -> Iterator[_PageServer]:
    with page_server() as running:
        yield running


def base(server: _PageServer, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.server_address[1]}"


def allowing(*hosts: str, **overrides: object) -> Settings:
    return Settings(fetch_urls=True, fetch_allow_hosts=list(hosts), **overrides)


def test_disabled_by_default(server: _PageServer) -> None:
    assert Settings().fetch_urls is False
    with pytest.raises(FetchRefusedError) as info:
        fetch_html(base(server) + "/article", Settings(fetch_allow_hosts=["127.0.0.1"]))
    assert info.value.code == "url_fetch_disabled"


def test_allow_listed_loopback_page(server: _PageServer) -> None:
    page = fetch_html(base(server) + "/article", allowing(server.allow_entry))
    assert page.html == PAGE_HTML.read_text(encoding="utf-8")
    assert page.url == base(server) + "/article"


@pytest.mark.parametrize("path", ["/same-host-redirect", "/absolute-same-host-redirect"])
def test_same_host_redirect_is_followed(server: _PageServer, path: str) -> None:
    page = fetch_html(base(server) + path, allowing(server.allow_entry))
    assert page.url == base(server) + "/article"
    assert "Westport Harbor Bridge" in page.html


def test_host_not_on_the_list(server: _PageServer) -> None:
    with pytest.raises(FetchRefusedError) as info:
        fetch_html(base(server, "localhost") + "/article", allowing(server.allow_entry))
    assert info.value.code == "host_not_allowed"
    assert "localhost" in info.value.message


def test_empty_allow_list_refuses_everything(server: _PageServer) -> None:
    with pytest.raises(FetchRefusedError) as info:
        fetch_html(base(server) + "/article", allowing())
    assert info.value.code == "host_not_allowed"


def test_redirect_to_another_host_is_refused(server: _PageServer) -> None:
    # localhost (and its port) is on the list too: redirects leave the origin never, whatever the list says.
    settings = allowing(server.allow_entry, server.allow_entry.replace("127.0.0.1", "localhost"))
    with pytest.raises(FetchRefusedError) as info:
        fetch_html(base(server) + "/other-host-redirect", settings)
    assert info.value.code == "redirect_not_allowed"
    assert "another host" in info.value.message  # not the remote's host name: only our own words


def test_redirect_loop_stops(server: _PageServer) -> None:
    with pytest.raises(FetchError) as info:
        fetch_html(base(server) + "/loop", allowing(server.allow_entry, fetch_max_redirects=2))
    assert info.value.code == "too_many_redirects"


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_page_over_the_byte_cap(server: _PageServer, path: str) -> None:
    with pytest.raises(InputTooLargeError) as info:
        fetch_html(base(server) + path, allowing(server.allow_entry, fetch_max_bytes=100_000))
    assert info.value.code == "page_too_large"


def test_slow_page_times_out(server: _PageServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch_html(base(server) + "/slow", allowing(server.allow_entry, fetch_timeout_s=0.5))
    assert info.value.code == "fetch_timeout"
    assert time.monotonic() - started < SLOW_S


def test_not_html(server: _PageServer) -> None:
    with pytest.raises(InvalidInputError) as info:
        fetch_html(base(server) + "/json", allowing(server.allow_entry))
    assert info.value.code == "unsupported_content_type"


def test_upstream_error_status(server: _PageServer) -> None:
    with pytest.raises(FetchError) as info:
        fetch_html(base(server) + "/missing", allowing(server.allow_entry))
    assert info.value.code == "fetch_failed"
    assert "404" in info.value.message


def test_connection_refused() -> None:
    closed = _PageServer()  # bound, then closed: nothing listens on that port
    port = closed.server_address[1]
    closed.server_close()
    with pytest.raises(FetchError) as info:
        fetch_html(f"http://127.0.0.1:{port}/article", allowing(f"127.0.0.1:{port}"))
    assert info.value.code == "fetch_failed"


@pytest.mark.parametrize("path", ["/latin1-header", "/latin1-meta"])
def test_declared_charset_is_used(server: _PageServer, path: str) -> None:
    page = fetch_html(base(server) + path, allowing(server.allow_entry))
    assert "Légère" in page.html  # latin-1 bytes, declared in the header or the page: not mangled


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/article",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "http:///no-host",
        "http://user:pass@127.0.0.1/article",
        "http://127.0.0.1:99999/article",
        "not a url",
        "http://" + "a" * 3000 + ".com/",
        "http://127.0.0.1/a b",
        "http://127.0.0.1/a\r\nHost: evil",
    ],
)
def test_invalid_urls(url: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        fetch_html(url, allowing("127.0.0.1"))
    assert info.value.code == "invalid_url"


def test_parse_url_normalises_the_host_and_path() -> None:
    target = parse_url("HTTPS://News.Example.COM./a?b=1")
    assert (target.scheme, target.host, target.port, target.path) == ("https", "news.example.com", 443, "/a?b=1")
    assert parse_url("http://bücher.example/straße?q=ü&r=%20").path == "/stra%C3%9Fe?q=%C3%BC&r=%20"
    assert parse_url("http://bücher.example/").host == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.4", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1",
     "fe80::1", "fc00::1", "::ffff:127.0.0.1", "224.0.0.1"],
)  # fmt: skip
def test_wildcard_entries_never_reach_private_addresses(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: [address])
    with pytest.raises(FetchRefusedError) as info:
        check_host("news.example.com", 80, ["*.example.com"])
    assert info.value.code == "host_not_allowed"
    assert "non-public" in info.value.message


def test_one_private_answer_among_public_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: ["93.184.216.34", "10.0.0.1"])
    with pytest.raises(FetchRefusedError):
        check_host("news.example.com", 80, ["*.example.com"])


def test_public_and_exactly_listed_hosts_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: ["93.184.216.34"])
    assert check_host("news.example.com", 443, ["*.example.com"]) == "93.184.216.34"
    monkeypatch.setattr("summarizer.inputs.addresses._resolve", lambda host, port: ["10.0.0.8"])
    assert check_host("intranet.example.com", 443, ["intranet.example.com"]) == "10.0.0.8"  # listed exactly
    with pytest.raises(FetchRefusedError):
        check_host("example.com", 443, ["*.example.com"])  # the wildcard covers subdomains only


def test_connects_to_the_checked_address(server: _PageServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # "pinned.test" has no DNS record: the fetch only works because it connects to the address
    # the policy checked (no second lookup an attacker could rebind), while Host keeps the name.
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr("summarizer.inputs.addresses._resolve", resolve)
    port = server.server_address[1]
    page = fetch_html(f"http://pinned.test:{port}/same-host-redirect", allowing(f"pinned.test:{port}"))
    assert page.url == f"http://pinned.test:{port}/article"
    assert server.hosts[-2:] == [f"pinned.test:{port}"] * 2
    assert lookups == ["pinned.test", "pinned.test"]  # every hop is checked again

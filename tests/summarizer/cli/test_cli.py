"""The command line: output formats, clean one-line errors, `serve` wiring, and a real end-to-end run."""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import socket
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from summarizer import Settings, Summarizer
from summarizer.cli import main as cli_main
from summarizer.cli.main import main
from summarizer.components import prepare as prepare_module
from summarizer.config import get_settings
from summarizer.errors import ModelLoadError
from summarizer.text.segment import display_text

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "000_05444940e5ccca5a.txt"


# Settings are cached per process: every test here starts from a clean SUMMARIZER_* environment.
pytestmark = pytest.mark.usefixtures("fresh_settings")


class Factory:
    """Stands in for Summarizer.load: records the settings it got and returns the fake summarizer."""

    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer = summarizer
        self.calls: list[Settings] = []

    def __call__(self, settings: Settings) -> Summarizer:
        self.calls.append(settings)
        return self.summarizer


@pytest.fixture
def factory(fake_summarizer: Summarizer) -> Factory:
    return Factory(fake_summarizer)


def assert_one_error_line(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("summarizer: error: "), err
    assert "Traceback" not in err


def covers(source: str, span: dict) -> bool:
    """A span's display text is exactly its source slice, whitespace collapsed."""
    return display_text(source[span["start"] : span["end"]]) == span["text"]


# -- output formats -------------------------------------------------------------------------------


def test_the_article_is_segmented_once(
    factory: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI validates before loading the model, and the summary reuses that segmentation."""
    calls: list[str] = []
    real_segment = prepare_module.segment
    monkeypatch.setattr(prepare_module, "segment", lambda text: (calls.append(text), real_segment(text))[1])
    assert main(["summarize", str(SEED), "--format", "json"], summarizer_factory=factory) == 0
    assert len(calls) == 1 and json.loads(capsys.readouterr().out)["sentences"]


def test_text_format(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED)], summarizer_factory=factory) == 0
    out, err = capsys.readouterr()
    lines = out.rstrip("\n").split("\n")
    expected = factory.summarizer.summarize(SEED.read_text(encoding="utf-8"))
    assert lines[0] == expected.summary
    assert lines[1] == ""
    assert lines[2] == "Why it matters:"
    assert lines[3:] == [f"- {b.text}" for b in expected.why_it_matters]
    assert len(lines[3:]) == 2
    assert all(line.startswith("warning: ") for line in err.splitlines())


def test_markdown_format(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), "--format", "markdown", "--bullets", "3"], summarizer_factory=factory) == 0
    out = capsys.readouterr().out
    assert out.startswith("**Summary:** ")
    assert "\n**Why it matters:**\n" in out
    assert sum(line.startswith("- ") for line in out.splitlines()) == 3


def test_zero_bullets_omits_the_section(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), "--bullets", "0"], summarizer_factory=factory) == 0
    out = capsys.readouterr().out
    assert "Why it matters" not in out
    assert out.strip() and "\n" not in out.strip()


def test_json_format_and_offsets(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["summarize", str(SEED), "--format", "json", "--sentences", "2", "--max-words", "200", "--title", "Ties"]
    assert main(argv, summarizer_factory=factory) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert set(data) == {"summary", "sentences", "why_it_matters", "meta", "warnings"}
    assert 1 <= len(data["sentences"]) <= 2
    text = SEED.read_text(encoding="utf-8")
    for span in data["sentences"] + data["why_it_matters"]:
        assert covers(text, span), span
    assert data["meta"]["model"] == "fake-hashing-encoder"
    expected = factory.summarizer.summarize(text, "Ties", max_sentences=2, max_words=200).model_dump()
    for dump in (data, expected):  # timings differ run to run
        del dump["meta"]["elapsed_ms"], dump["meta"]["timings_ms"]
    assert data == expected
    assert err == ""  # JSON carries its own warnings


def test_json_keeps_non_ascii(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), "--format", "json"], summarizer_factory=factory) == 0
    out = capsys.readouterr().out
    assert "\\u" not in out
    assert out.startswith('{\n  "summary": ')


def test_stdin(factory: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.read_bytes()), encoding="utf-8"))
    assert main(["summarize", "-", "--format", "json"], summarizer_factory=factory) == 0
    data = json.loads(capsys.readouterr().out)
    text = SEED.read_text(encoding="utf-8")
    assert data["meta"]["input"]["characters"] == len(text)
    assert all(covers(text, span) for span in data["sentences"])


def test_options_reach_the_factory_settings(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), "--model", "/models/x", "--device", "cpu"], summarizer_factory=factory) == 0
    (settings,) = factory.calls
    assert (settings.model, settings.device) == ("/models/x", "cpu")


def test_warnings_go_to_stderr(factory: Factory, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    article = tmp_path / "one.txt"
    article.write_text("The council approved the new budget on Tuesday evening.\n", encoding="utf-8")
    assert main(["summarize", str(article)], summarizer_factory=factory) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "The council approved the new budget on Tuesday evening."
    assert err.splitlines() == ["warning: article has one sentence: no bullets"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == "summarizer 0.1.0"


# -- bad input: one clean line, non-zero exit, no model load ------------------------------------------


BAD_FILES: dict[str, bytes | None] = {
    "missing": None,
    "empty": b"",
    "whitespace": "  \n\t\n\u3000\u200b\n".encode(),  # incl. an ideographic space and a zero-width one
    "invalid-utf8": "Café owners said".encode() + b" \xff\xfe broke.",
    "asdf": b"asdf",
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_file(kind: str, factory: Factory, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.txt"
    if BAD_FILES[kind] is not None:
        path.write_bytes(BAD_FILES[kind])
    assert main(["summarize", str(path)], summarizer_factory=factory) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_error_line(err)
    assert factory.calls == []  # failed before loading the model
    if kind == "invalid-utf8":
        assert "byte offset 18" in err and "0xff" in err


def test_directory(factory: Factory, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["summarize", str(tmp_path)], summarizer_factory=factory) == 2
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "directory" in err


@pytest.mark.parametrize(
    "extra",
    [
        ["--sentences", "0"],
        ["--sentences", "11"],
        ["--sentences", "three"],
        ["--bullets", "9"],
        ["--bullets", "-1"],
        ["--max-words", "0"],
        ["--format", "yaml"],
        ["--unknown"],
    ],
)
def test_bad_options(extra: list[str], factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED), *extra], summarizer_factory=factory) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_error_line(err)
    assert factory.calls == []


def test_empty_stdin(factory: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    assert main(["summarize", "-"], summarizer_factory=factory) == 2
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "stdin is empty" in err


def test_too_long_text(factory: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_MAX_TEXT_CHARS", "100")
    assert main(["summarize", str(SEED)], summarizer_factory=factory) == 2
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "limit" in err
    assert factory.calls == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SUMMARIZER_API_KEYS", "not json"),  # JSON lists: pydantic-settings fails before validation
        ("SUMMARIZER_FETCH_ALLOW_HOSTS", "[unclosed"),
        ("SUMMARIZER_MAX_TEXT_CHARS", "abc"),  # a plain validation error, for comparison
    ],
)
def test_bad_environment_setting_is_usage(
    name: str, value: str, factory: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["summarize", str(SEED)], summarizer_factory=factory) == 2
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert err.startswith(f"summarizer: error: invalid environment setting: {name}: "), err
    assert "SettingsError" not in err and "unexpected" not in err
    assert factory.calls == []


@pytest.mark.parametrize("source", ["flag", "environment"])
@pytest.mark.parametrize("device", ["bogus", "cuda:x", "cpu:0:1", "gpu"])
def test_bad_device_is_usage(
    source: str,
    device: str,
    factory: Factory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["summarize", str(SEED)]
    if source == "flag":
        argv += ["--device", device]
    else:
        monkeypatch.setenv("SUMMARIZER_DEVICE", device)
    assert main(argv, summarizer_factory=factory) == 2
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "auto, cpu, cuda, cuda:N or mps" in err and repr(device) in err
    assert ("SUMMARIZER_DEVICE" in err) == (source == "environment")
    assert factory.calls == []


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:0", "cuda:12", "mps", "CUDA:1", " cpu "])
def test_valid_devices_pass_unchanged(
    device: str, factory: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["summarize", str(SEED), "--device", device], summarizer_factory=factory) == 0
    monkeypatch.setenv("SUMMARIZER_DEVICE", device)
    get_settings.cache_clear()  # settings are read once per process
    assert main(["summarize", str(SEED)], summarizer_factory=factory) == 0
    assert [settings.device for settings in factory.calls] == [device, device]  # resolve_device normalises it
    capsys.readouterr()


def test_model_load_failure_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    def failing(settings: Settings) -> Summarizer:
        raise ModelLoadError(f"model directory not found: {settings.model}")

    assert main(["summarize", str(SEED), "--model", "/nope"], summarizer_factory=failing) == 1
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "/nope" in err


def test_missing_model_dir_with_the_real_loader(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["summarize", str(SEED), "--model", str(tmp_path / "absent")]) == 1
    assert_one_error_line(capsys.readouterr().err)


def test_unexpected_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(settings: Settings) -> Summarizer:
        raise RuntimeError("CUDA out of memory\nsecond line")

    assert main(["summarize", str(SEED)], summarizer_factory=broken) == 1
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "RuntimeError" in err
    with pytest.raises(RuntimeError):  # --debug lets it through
        main(["--debug", "summarize", str(SEED)], summarizer_factory=broken)


def test_ctrl_c_exits_130_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(settings: Settings) -> Summarizer:
        raise KeyboardInterrupt

    assert main(["summarize", str(SEED)], summarizer_factory=interrupted) == 130
    assert capsys.readouterr() == ("", "")


# -- serve ----------------------------------------------------------------------------------------


def fake_service(monkeypatch: pytest.MonkeyPatch, serve: Callable[[Settings], None] | None = None) -> dict:
    """A stand-in `summarizer_service.server` module, so no model loads; ``serve`` replaces its serve."""
    seen: dict = {}

    def record(settings: Settings) -> None:
        seen["settings"] = settings
        seen["run"] = {"host": settings.host, "port": settings.port, "log_level": settings.log_level}

    module = types.ModuleType("summarizer_service.server")
    module.serve = serve or record  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "summarizer_service.server", module)
    return seen


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The stand-in service, and no trial bind either: nothing touches a port (0.0.0.0:9001 may be taken here)."""
    seen = fake_service(monkeypatch)
    monkeypatch.setattr(cli_main, "check_address", lambda host, port: seen.setdefault("checked", (host, port)))
    return seen


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another server listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_overrides(fake_server: dict, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["serve", "--host", "0.0.0.0", "--port", "9001", "--model", "/m", "--device", "cpu", "--log-level", "debug"]
    assert main(argv) == 0
    settings = fake_server["settings"]
    assert (settings.host, settings.port, settings.model, settings.device, settings.log_level) == (
        "0.0.0.0",
        9001,
        "/m",
        "cpu",
        "debug",
    )
    assert fake_server["run"] == {"host": "0.0.0.0", "port": 9001, "log_level": "debug"}
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "summarizer: serving on http://0.0.0.0:9001 (docs at /docs)\n"


def test_serve_defaults_come_from_the_environment(
    fake_server: dict, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_PORT", "8123")
    assert main(["serve"]) == 0
    assert fake_server["run"] == {"host": "127.0.0.1", "port": 8123, "log_level": "info"}
    assert fake_server["settings"].device == "auto"
    assert "http://127.0.0.1:8123" in capsys.readouterr().err


def test_serve_ipv6_url(fake_server: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "::1"]) == 0
    assert "http://[::1]:8000" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--port", "70000"], ["--port", "http"], ["--log-level", "loud"]])
def test_serve_bad_options(extra: list[str], fake_server: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", *extra]) == 2
    assert_one_error_line(capsys.readouterr().err)
    assert "run" not in fake_server


def test_serve_bad_environment(
    fake_server: dict, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_PORT", "not-a-port")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "SUMMARIZER_PORT" in err


def test_serve_checks_the_address_before_anything_loads(fake_server: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "::1", "--port", "8124"]) == 0
    assert fake_server["checked"] == ("::1", 8124)


def test_serve_port_in_use_fails_before_the_model_loads(
    busy_port: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_service(monkeypatch)  # with the real trial bind
    assert main(["serve", "--host", "127.0.0.1", "--port", str(busy_port)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_error_line(err)
    assert f"127.0.0.1:{busy_port} is already in use" in err
    assert "run" not in seen  # the service (and its model) never started


def test_serve_free_port_passes_the_check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen = fake_service(monkeypatch)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # a port nobody listens on any more
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 0
    assert seen["run"]["port"] == port
    assert f"serving on http://127.0.0.1:{port}" in capsys.readouterr().err


def test_serve_port_taken_after_the_check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The race the trial bind leaves: uvicorn logs the bind error and exits 3; the CLI says it in one line, exit 1."""

    def serve(settings: Settings) -> None:  # what uvicorn does when the bind fails
        error = OSError(errno.EADDRINUSE, "error while attempting to bind on address ('127.0.0.1', 8000)")
        logging.getLogger("uvicorn.error").error(error)
        sys.exit(3)

    fake_service(monkeypatch, serve)
    monkeypatch.setattr(cli_main, "check_address", lambda host, port: None)
    assert main(["serve", "--port", "8000"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("summarizer: serving on http://127.0.0.1:8000")
    assert_one_error_line(err.split("\n", 1)[1])
    assert "127.0.0.1:8000 is already in use" in err


def test_serve_other_startup_failure(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def serve(settings: Settings) -> None:
        logging.getLogger("uvicorn.error").error("Application startup failed. Exiting.")
        sys.exit(3)

    fake_service(monkeypatch, serve)
    monkeypatch.setattr(cli_main, "check_address", lambda host, port: None)
    assert main(["serve"]) == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == "summarizer: error: the service on 127.0.0.1:8000 stopped: Application startup failed. Exiting."


def test_serve_without_service_package(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import fail, even after other tests imported the real package.
    monkeypatch.setitem(sys.modules, "service", None)
    monkeypatch.setitem(sys.modules, "summarizer_service.server", None)
    assert main(["serve"]) == 1
    assert_one_error_line(capsys.readouterr().err)


# -- subprocesses: the real entry points ------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMARIZER_")}
    env["OMP_NUM_THREADS"] = "1"
    return env


@pytest.mark.model
def test_end_to_end_json() -> None:
    argv = [sys.executable, "-m", "summarizer", "summarize", "seeds/000_05444940e5ccca5a.txt", "--format", "json"]
    proc = subprocess.run(argv, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert 2 <= len(data["sentences"]) <= 4
    assert len(data["why_it_matters"]) >= 2
    text = SEED.read_text(encoding="utf-8")
    for span in data["sentences"] + data["why_it_matters"]:
        assert covers(text, span), span
    assert data["summary"] == " ".join(s["text"] for s in data["sentences"])
    assert data["meta"]["model"] == "all-MiniLM-L6-v2"


def test_console_script_bad_input(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("summarizer")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "summarizer"]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Valid start, then \xc3\x28 an invalid sequence.")
    proc = subprocess.run(
        [*argv, "summarize", str(bad)], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_one_error_line(proc.stderr)
    assert "byte offset 18" in proc.stderr

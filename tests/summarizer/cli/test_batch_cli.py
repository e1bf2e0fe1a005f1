"""`summarizer batch`: JSONL and folders in, one record per article out, bad records reported, resumable."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from summarizer import Settings, Summarizer, Summary
from summarizer.cli.main import main
from summarizer.components.prepare import PreparedArticle

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "seeds" / "html" / "harbor_bridge_closure.html"
PLAIN = ROOT / "seeds" / "html" / "harbor_bridge_closure.txt"
HEADLINE = "Westport Harbor Bridge to close to cars for 14 months"
CNNDM = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"


# Settings are cached per process: every test here starts from a clean SUMMARIZER_* environment.
pytestmark = pytest.mark.usefixtures("fresh_settings")


def article(i: int) -> str:
    return (
        f"The city council approved budget plan number {i} on Tuesday after a long debate.\n\n"
        f"The plan raises spending on buses by {i + 10} percent over two years.\n\n"
        "Critics warned that property taxes may rise next year to pay for it. "
        "Officials said the new routes could cut commuting times across the region."
    )


def write_jsonl(path: Path, records: Sequence[dict | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_output(path: Path) -> list[dict]:
    """Every line of a JSONL output, each of which must be whole, valid JSON."""
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "the last line is incomplete"
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]


class Counting:
    """The fake summarizer, with a hook run before the N-th model call (``summarize_prepared``, 1-based)."""

    def __init__(self, inner: Summarizer, at_call: int | None = None, action: str = "raise") -> None:
        self.inner = inner
        self.settings = inner.settings
        self.prepare = inner.prepare  # validation and segmentation: no model call
        self.at_call = at_call
        self.action = action
        self.calls = 0
        self.loads = 0

    def factory(self, settings: Settings) -> Counting:
        self.loads += 1
        return self

    def summarize_prepared(self, articles: Sequence[PreparedArticle]) -> list:
        self.calls += 1
        if self.calls == self.at_call:
            if self.action == "raise":  # a second Ctrl-C, or one Python delivers mid-computation
                raise KeyboardInterrupt
            # A first Ctrl-C: the CLI's handler only sets a flag. Called directly rather than through
            # os.kill, whose delivery point Python does not fix (a late delivery made this test flaky);
            # test_ctrl_c_in_a_real_process_leaves_a_valid_file sends real signals to a real process.
            handler = signal.getsignal(signal.SIGINT)
            assert callable(handler) and handler is not signal.default_int_handler
            handler(signal.SIGINT, None)
        return self.inner.summarize_prepared(articles)


@pytest.fixture
def fake(fake_summarizer: Summarizer) -> Counting:
    return Counting(fake_summarizer)


def run(fake: Counting, *argv: str) -> int:
    return main(["batch", *argv], summarizer_factory=fake.factory)  # type: ignore[arg-type]


# -- the happy path ---------------------------------------------------------------------------------


def test_jsonl_records_become_output_records(
    fake: Counting, fake_summarizer: Summarizer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        {"id": "a", "text": article(1), "title": "Budget plan one"},
        {"id": 2, "article": article(2)},
        {"id": "c", "content": article(3)},
        {"id": "page", "html": PAGE.read_text(encoding="utf-8")},
    ]
    out = tmp_path / "out.jsonl"
    assert run(fake, str(write_jsonl(tmp_path / "in.jsonl", records)), "-o", str(out), "--batch-size", "3") == 0
    results = read_output(out)
    assert [r["id"] for r in results] == ["a", 2, "c", "page"]
    expected: list[Summary] = [
        fake_summarizer.summarize(article(1), "Budget plan one"),
        fake_summarizer.summarize(article(2)),
        fake_summarizer.summarize(article(3)),
        fake_summarizer.summarize(PLAIN.read_text(encoding="utf-8").strip(), HEADLINE),
    ]
    for result, summary in zip(results, expected, strict=True):
        assert result["summary"] == summary.summary
        assert result["why_it_matters"] == [b.model_dump() for b in summary.why_it_matters]
    assert results[3]["source"]["date"] == "2025-03-17"
    assert "source_text" not in results[0]
    assert fake.calls == 2  # two chunks of up to three articles: shared summarize_many passes
    err = capsys.readouterr().err
    assert err.strip().startswith("summarizer: 4 summarized, 0 failed, 0 already done")
    assert "%|" not in err  # no progress bar when stderr is not a terminal


def test_field_option_and_include_source(fake: Counting, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "body": article(1)}, {"id": 2, "text": article(2)}])
    out = tmp_path / "out.jsonl"
    assert run(fake, str(source), "-o", str(out), "--field", "body", "--include-source") == 0
    first, second = read_output(out)
    assert first["source_text"] == article(1)
    assert second["error"]["code"] == "missing_text"


def test_bad_records_are_reported_and_do_not_stop_the_run(
    fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        {"id": "ok1", "text": article(1)},
        "{not json",
        {"id": "short", "text": "asdf"},
        {"id": "notext", "title": "no body"},
        {"id": "both", "text": article(2), "html": "<p>x</p>"},
        {"id": "number", "text": 42},
        {"id": ["a"], "text": article(3)},
        {"id": "nav", "html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"},
        {"id": "ok1", "text": article(4)},
        "[1, 2]",
        {"text": article(5)},
        "",
        {"id": "ok2", "text": article(6), "title": 7},
        {"id": "ok3", "text": article(7)},
    ]
    out = tmp_path / "out.jsonl"
    assert run(fake, str(write_jsonl(tmp_path / "in.jsonl", records)), "-o", str(out), "--batch-size", "4") == 0
    results = read_output(out)
    codes = {json.dumps(r["id"]): r.get("error", {}).get("code") for r in results[:-1]}
    assert [r["id"] for r in results] == [
        "ok1", "line-2", "short", "notext", "both", "number", "line-7", "nav", "ok1", "line-10", "line-11", "ok2",
        "ok3",
    ]  # fmt: skip
    assert codes == {
        '"ok1"': "duplicate_id",  # the later record with the id; the first one succeeded
        '"line-2"': "invalid_json",
        '"short"': "no_sentences",
        '"notext"': "missing_text",
        '"both"': "ambiguous_input",
        '"number"': "invalid_text",
        '"line-7"': "invalid_id",
        '"nav"': "no_main_text",
        '"line-10"': "invalid_record",
        '"line-11"': None,  # no id: named after its line
        '"ok2"': "invalid_title",
    }
    assert "summary" in results[0] and "summary" in results[-1]
    assert all(set(r["error"]) == {"code", "message"} for r in results if "error" in r)
    assert "summarizer: 3 summarized, 10 failed" in capsys.readouterr().err


def test_jsonl_errors_name_the_real_problem(fake: Counting, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'\xef\xbb\xbf{"id": "bom", "text": "asdf"}\r\n'  # a UTF-8 byte-order mark is fine
        b'{"id": 2, "text": "an unterminated string\n'
        b'\xff\xfe{"id": 3}\n'  # json.loads on these bytes would guess UTF-16
        b'{"id": 4, "text": "a\tb"}\n'
    )
    out = tmp_path / "out.jsonl"
    assert run(fake, str(source), "-o", str(out), "-q") == 0
    results = read_output(out)
    assert results[0]["id"] == "bom" and results[0]["error"]["code"] == "no_sentences"  # parsed
    assert [r["error"]["message"] for r in results[1:]] == [
        "line 2 is not valid JSON: Unterminated string starting at column 19",
        "line 3 is not UTF-8: invalid start byte at byte 1",
        "line 4 is not valid JSON: Invalid control character at column 21",
    ]
    assert [r["error"]["code"] for r in results[1:]] == ["invalid_json", "invalid_encoding", "invalid_json"]


def test_folder_of_text_and_html_files(fake: Counting, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "b.txt").write_text(article(1), encoding="utf-8")
    (folder / "a.html").write_bytes(PAGE.read_bytes())
    (folder / "c.md").write_text(article(2), encoding="utf-8")  # not an article file: ignored
    (folder / "bad.txt").write_bytes(b"caf\xe9 au lait")
    (folder / "sub").mkdir()
    (folder / "sub" / "d.txt").write_text(article(3), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(fake, str(folder), "-o", str(out)) == 0
    results = read_output(out)
    assert [r["id"] for r in results] == ["a.html", "b.txt", "bad.txt"]
    assert results[0]["source"]["title"] == HEADLINE
    assert results[2]["error"]["code"] == "invalid_encoding"


def test_markdown_and_text_formats(fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [{"id": "x", "text": article(1), "title": "Budget plan"}, {"id": "y", "text": "asdf"}],
    )
    assert run(fake, str(source), "--format", "markdown", "--bullets", "1", "-q") == 0
    out, err = capsys.readouterr()
    assert out.startswith("### Budget plan\n\n**Summary:** The city council approved")
    assert "\n**Why it matters:**\n\n- " in out
    assert "### y\n\n**Error:** text contains no sentence" in out
    assert err == ""
    assert run(fake, str(source), "--format", "text", "-q") == 0
    out = capsys.readouterr().out
    assert out.startswith("== Budget plan ==\nThe city council approved")
    assert "\nWhy it matters:\n- " in out
    assert "== y ==\nerror: " in out


def test_json_to_stdout(fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": i, "text": article(i)} for i in range(3)])
    assert run(fake, str(source)) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [0, 1, 2]


# -- usage errors -------------------------------------------------------------------------------------


def test_usage_errors_are_one_line(fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": article(1)}])
    existing = tmp_path / "existing.jsonl"
    existing.write_text('{"id": 0}\n', encoding="utf-8")
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    cases = [
        [str(tmp_path / "missing.jsonl")],
        [str(empty_folder)],
        [str(source), "-o", str(existing)],  # would clobber earlier results
        [str(source), "--resume"],  # stdout cannot be resumed
        [str(source), "-o", str(tmp_path / "o.md"), "--format", "markdown", "--resume"],
        [str(source), "--batch-size", "0"],
        [str(source), "-o", str(tmp_path / "no-such-folder" / "out.jsonl")],
    ]
    for argv in cases:
        assert run(fake, *argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("summarizer: error: ") and err.count("\n") == 1, err
    assert existing.read_text(encoding="utf-8") == '{"id": 0}\n'
    assert fake.loads == 0
    assert run(fake, str(source), "-o", str(existing), "--overwrite", "-q") == 0
    assert [r["id"] for r in read_output(existing)] == [1]


@pytest.mark.parametrize("flags", [[], ["--overwrite"], ["--resume"]])
def test_output_that_is_the_input_is_refused(
    flags: list[str], fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "same.jsonl", [{"id": i, "text": article(i)} for i in range(3)])
    (tmp_path / "link.jsonl").symlink_to(source)
    before = source.read_bytes()
    for output in (source, tmp_path / "." / "same.jsonl", tmp_path / "link.jsonl"):
        assert run(fake, str(source), "-o", str(output), *flags) == 2, output
        err = capsys.readouterr().err
        assert err.startswith("summarizer: error: ") and err.count("\n") == 1, err
        assert "is the input file" in err
    assert source.read_bytes() == before  # not truncated, not appended to
    assert fake.loads == 0


def test_output_inside_the_input_folder_is_never_read_as_an_article(
    fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(article(1), encoding="utf-8")
    (folder / "b.txt").write_text(article(2), encoding="utf-8")
    out = folder / "out.txt"
    for flags in ([], ["--overwrite"], ["--overwrite", "--format", "text"]):
        assert run(fake, str(folder), "-o", str(out), "-q", *flags) == 0
        if "text" not in flags:
            assert [r["id"] for r in read_output(out)] == ["a.txt", "b.txt"]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("== a.txt ==\n") and "== b.txt ==\n" in text and "out.txt" not in text
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".htm", ".TXT"])
def test_a_single_article_file_is_refused(
    suffix: str, fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / f"story{suffix}"
    source.write_text(article(1), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(fake, str(source), "-o", str(out)) == 2
    err = capsys.readouterr().err
    assert err.startswith("summarizer: error: ") and err.count("\n") == 1, err
    assert "JSONL file or a folder" in err and f"summarizer summarize {source}" in err
    assert not out.exists()
    assert fake.loads == 0


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_jsonl_from_stdin(
    fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [json.dumps({"id": i, "text": article(i)}) for i in range(3)] + ["{not json"]
    _stdin(monkeypatch, "\n".join(lines).encode() + b"\n")
    out = tmp_path / "out.jsonl"
    assert run(fake, "-", "-o", str(out), "--batch-size", "2") == 0
    results = read_output(out)
    assert [r["id"] for r in results] == [0, 1, 2, "line-4"]
    assert results[3]["error"]["code"] == "invalid_json"
    assert "summarizer: 3 summarized, 1 failed, 0 already done" in capsys.readouterr().err

    _stdin(monkeypatch, lines[0].encode() + b"\n")  # stdin in, stdout out
    assert run(fake, "-", "-q") == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [0]


def test_resume_from_stdin_is_refused(
    fake: Counting, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, json.dumps({"id": 1, "text": article(1)}).encode() + b"\n")
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": 0}\n', encoding="utf-8")
    assert run(fake, "-", "-o", str(out), "--resume") == 2
    err = capsys.readouterr().err
    assert err.startswith("summarizer: error: ") and "stdin" in err and err.count("\n") == 1, err
    assert out.read_text(encoding="utf-8") == '{"id": 0}\n'
    assert fake.loads == 0


# -- interruption and resuming ------------------------------------------------------------------------


def _ids(n: int) -> list[str]:
    return [f"r{i:02d}" for i in range(n)]


@pytest.fixture
def twelve(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "in.jsonl", [{"id": rid, "text": article(i)} for i, rid in enumerate(_ids(12))])


@pytest.mark.parametrize("action", ["raise", "signal"])
def test_interrupted_run_resumes_without_duplicates(
    fake_summarizer: Summarizer, twelve: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    out = tmp_path / "out.jsonl"
    interrupted = Counting(fake_summarizer, at_call=3, action=action)
    before = signal.getsignal(signal.SIGINT)  # default_int_handler; SIG_IGN when started in the background
    assert run(interrupted, str(twelve), "-o", str(out), "--batch-size", "2") == 130
    err = capsys.readouterr().err
    assert "interrupted after" in err and "--resume" in err
    done = read_output(out)
    # KeyboardInterrupt inside the 3rd pass loses that chunk; a first Ctrl-C lets it finish and be written.
    assert [r["id"] for r in done] == _ids(4 if action == "raise" else 6)
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back

    resumed = Counting(fake_summarizer)
    assert run(resumed, str(twelve), "-o", str(out), "--batch-size", "2", "--resume") == 0
    results = read_output(out)
    assert [r["id"] for r in results] == _ids(12)  # all present, none twice, in input order
    assert all("summary" in r for r in results)
    assert resumed.calls == (4 if action == "raise" else 3)  # only the missing records were summarized
    assert f"already done -> {out}" in capsys.readouterr().err


def test_resume_repairs_a_torn_last_line(fake: Counting, twelve: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run(fake, str(twelve), "-o", str(out), "-q") == 0
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:5]) + lines[5][:40])  # a hard kill in the middle of line 6
    assert run(fake, str(twelve), "-o", str(out), "--resume", "-q") == 0
    assert [r["id"] for r in read_output(out)] == _ids(12)


def test_resume_refuses_a_damaged_file(fake: Counting, twelve: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "r00"}\nnot json\n{"id": "r01"}\n', encoding="utf-8")
    assert run(fake, str(twelve), "-o", str(out), "--resume") == 2
    assert out.read_text(encoding="utf-8").count("\n") == 3  # untouched


def test_resume_with_nothing_left_does_not_load_the_model(
    fake: Counting, twelve: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    assert run(fake, str(twelve), "-o", str(out)) == 0
    fake.loads = 0
    assert run(fake, str(twelve), "-o", str(out), "--resume") == 0
    assert fake.loads == 0
    assert "0 summarized, 0 failed, 12 already done" in capsys.readouterr().err


def test_ctrl_c_in_a_real_process_leaves_a_valid_file(fake: Counting, twelve: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    driver = tmp_path / "driver.py"
    driver.write_text(
        textwrap.dedent(
            f"""
            import sys, time
            sys.path[:0] = [{str(ROOT / "tests")!r}, {str(ROOT)!r}]
            from fakes import HashingEncoder, make_summarizer
            from summarizer import Settings
            from summarizer.cli.main import main

            class Slow(HashingEncoder):
                def encode(self, texts):
                    time.sleep(0.3)
                    return super().encode(texts)

            summarizer = make_summarizer(Slow(), Settings())
            sys.exit(main(sys.argv[1:], summarizer_factory=lambda settings: summarizer))
            """
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMARIZER_")} | {"OMP_NUM_THREADS": "1"}
    argv = [sys.executable, str(driver), "batch", str(twelve), "-o", str(out), "--batch-size", "2"]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 2):
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    partial = [r["id"] for r in read_output(out)]
    assert 2 <= len(partial) < 12 and partial == _ids(len(partial))
    assert run(fake, str(twelve), "-o", str(out), "--resume", "-q") == 0
    assert [r["id"] for r in read_output(out)] == _ids(12)


def test_progress_bar_on_a_terminal(
    fake: Counting, twelve: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("summarizer.cli.batch.isatty", lambda stream: stream is sys.stderr)
    assert run(fake, str(twelve), "-o", str(tmp_path / "out.jsonl"), "--batch-size", "4") == 0
    err = capsys.readouterr().err
    assert "12/12" in err and "article/s" in err  # count and rate (the ETA sits between them)


@pytest.mark.skipif(not CNNDM.exists(), reason="the shared CNN/DailyMail file is not here")
def test_cnndm_export(fake: Counting, tmp_path: Path) -> None:
    head = CNNDM.read_text(encoding="utf-8").splitlines(keepends=True)[:20]
    source = tmp_path / "head.jsonl"
    source.write_text("".join(head), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run(fake, str(source), "-o", str(out), "-q") == 0
    results = read_output(out)
    assert [r["id"] for r in results] == [json.loads(line)["id"] for line in head]  # the "article" field is found
    assert all("summary" in r for r in results)

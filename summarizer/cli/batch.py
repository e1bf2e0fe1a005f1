"""``summarizer batch INPUT``: a JSONL file or a folder of .txt/.html files, one output record per article.

Output records are written and flushed one by one, so the file is valid JSONL at every moment:
``--resume`` skips the ids already in it (cutting off a half-written last line left by a hard
kill). The first Ctrl-C finishes the chunk in progress, writes it and exits 130; a second one stops
at once, still leaving only whole lines. A progress bar (rate, ETA) shows on a terminal only.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from summarizer.cli.common import (
    EXIT_INTERRUPTED,
    FORMATS,
    PROG,
    CliError,
    SummarizerFactory,
    add_model_args,
    add_summary_args,
    int_in,
    isatty,
    render,
    settings_with,
)
from summarizer.cli.runner import BatchRunner
from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.inputs.records import (
    Outcome,
    Record,
    completed_ids,
    count_jsonl,
    error_record,
    folder_files,
    id_key,
    max_record_bytes,
    read_folder,
    read_jsonl,
)
from summarizer.options import SummaryOptions
from summarizer.schemas import Summary


def add_batch_parser(sub: argparse._SubParsersAction) -> None:
    batch = sub.add_parser(
        "batch",
        help="summarize a JSONL file or a folder of articles",
        description="Summarize every record of a JSONL file ({id, text|article|content|html, title?} per line) or "
        "every .txt/.html file of a folder. Output: one record per article, {id, ...summary} or {id, error}.",
    )
    batch.add_argument(
        "input", metavar="INPUT", help="a .jsonl file, a folder of .txt and .html files, or - for JSONL on stdin"
    )
    batch.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    batch.add_argument("--format", choices=FORMATS, default="json", help="json (JSONL, default), markdown or text")
    batch.add_argument("--field", metavar="NAME", help="the record field that holds the article")
    batch.add_argument("--html", action="store_true", help="the article fields (or all files) are HTML")
    batch.add_argument("--resume", action="store_true", help="skip the ids already in OUTPUT and append the rest")
    batch.add_argument("--overwrite", action="store_true", help="replace an existing OUTPUT")
    batch.add_argument(
        "--batch-size", type=int_in((1, 1024)), default=16, metavar="N", help="articles per model pass (default: 16)"
    )
    batch.add_argument("-q", "--quiet", action="store_true", help="no closing summary line on stderr")
    add_summary_args(batch)
    add_model_args(batch)


@dataclass
class _Counts:
    summarized: int = 0
    failed: int = 0
    skipped: int = 0


class _Output:
    """Writes whole records; on any failure mid-write the file is cut back to its last whole record."""

    def __init__(self, path: Path | None, *, append: bool) -> None:
        self.path = path
        self._file = path.open("ab" if append else "wb", buffering=0) if path is not None else None
        self._good = self._file.tell() if self._file is not None else 0

    def write(self, chunk: str) -> None:
        if self._file is None:
            sys.stdout.write(chunk)
            sys.stdout.flush()
            return
        data = chunk.encode("utf-8")
        try:
            view = memoryview(data)
            while view:  # an unbuffered write may be partial
                view = view[self._file.write(view) :]
        except BaseException:
            self._file.truncate(self._good)
            raise
        self._good += len(data)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class _Interrupts:
    """First SIGINT: ask the loop to stop after its chunk. Second: KeyboardInterrupt at once."""

    def __init__(self) -> None:
        self.requested = False

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print(f"\n{PROG}: stopping after the current chunk (Ctrl-C again to stop now)", file=sys.stderr)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # signals go to the main thread only
            yield
            return
        previous = signal.signal(signal.SIGINT, self._handle)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def format_outcome(record: Record, outcome: Outcome, fmt: str) -> str:
    if fmt == "json":
        data = error_record(record.id, outcome) if isinstance(outcome, SummarizerError) else _ok_record(record, outcome)
        return json.dumps(data, ensure_ascii=False) + "\n"
    if isinstance(outcome, SummarizerError):
        body = f"**Error:** {outcome.message} (`{outcome.code}`)" if fmt == "markdown" else f"error: {outcome.message}"
        heading = record.id
    else:
        body = render(outcome, fmt)
        page_title = outcome.source.title if outcome.source is not None else None
        heading = record.title if isinstance(record.title, str) and record.title.strip() else page_title or record.id
    if fmt == "markdown":
        return f"### {heading}\n\n{body}\n\n"
    return f"== {heading} ==\n{body}\n\n"


def _ok_record(record: Record, summary: Summary) -> dict[str, object]:
    return {"id": record.id, **summary.model_dump()}


# One article per file: `summarize` reads those; as batch INPUT each line would become an invalid_json record.
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".xhtml")


def run_batch_command(args: argparse.Namespace, factory: SummarizerFactory) -> int:
    settings = settings_with(backend=args.backend, model=args.model, device=args.device)
    output = None if args.output in (None, "-") else Path(args.output)
    if args.resume and (output is None or args.format != "json"):
        raise CliError("--resume needs a JSONL output file (-o FILE, --format json)")
    if args.input == "-":
        if args.resume:
            raise CliError("--resume needs INPUT to be a file, not stdin")
        # The JSONL is read twice (counted for the progress bar, then summarized): keep a copy on disk.
        with tempfile.TemporaryDirectory(prefix="summarizer-batch-", ignore_cleanup_errors=True) as folder:
            spooled = Path(folder) / "stdin.jsonl"
            _copy_stdin(spooled)
            return _run(args, factory, settings, spooled, output)

    source = Path(args.input)
    if not source.exists():
        raise CliError(f"{args.input}: no such file or folder")
    if source.is_file() and source.suffix.lower() in ARTICLE_SUFFIXES:
        raise CliError(
            f"{args.input} looks like one article: batch takes a JSONL file or a folder of articles "
            f"(for one article: summarizer summarize {args.input})"
        )
    if output is not None and _same_file(source, output):  # -o INPUT would truncate or append to what is read
        raise CliError(f"{args.output} is the input file; write the output to another file")
    return _run(args, factory, settings, source, output)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # through symlinks, hard links and spellings of the path
    except OSError:  # one does not exist (yet): not the same file
        return False


def _copy_stdin(path: Path) -> None:
    if isatty(sys.stdin):
        print(f"{PROG}: reading JSONL records from stdin (end with Ctrl-D)", file=sys.stderr)
    stream = getattr(sys.stdin, "buffer", None)
    with path.open("wb") as spool:
        if stream is not None:
            shutil.copyfileobj(stream, spool)
        else:  # an already-decoded text stream (embedding, tests)
            while chunk := sys.stdin.read(1 << 20):
                spool.write(chunk.encode("utf-8", errors="surrogateescape"))


def _run(
    args: argparse.Namespace, factory: SummarizerFactory, settings: Settings, source: Path, output: Path | None
) -> int:
    if source.is_dir():
        # The output may sit in the folder (and be a .txt): never read it back as an article.
        files = [f for f in folder_files(source) if output is None or not _same_file(f, output)]
        if not files:
            raise CliError(f"{args.input} has no .txt or .html files")
        total, records = len(files), read_folder(files, settings, html=args.html)
    else:
        limit = max_record_bytes(settings)
        try:
            total = count_jsonl(source, limit)
        except OSError as exc:
            raise CliError(f"cannot read {args.input}: {exc.strerror or exc}") from None
        records = read_jsonl(source, limit=limit, field=args.field, html=args.html)

    done: set[str] = set()
    if output is not None and output.is_dir():
        raise CliError(f"{args.output} is a folder; name an output file")
    if output is not None and output.exists() and output.stat().st_size > 0:
        if not (args.resume or args.overwrite):
            raise CliError(f"{args.output} already exists (--resume continues it, --overwrite replaces it)")
        if args.resume:
            try:
                done, torn = completed_ids(output)
            except OSError as exc:
                raise CliError(f"cannot resume {args.output}: {exc.strerror or exc}") from None
            if torn:
                print(f"{PROG}: removed a half-written last line ({torn} bytes) from {args.output}", file=sys.stderr)

    counts = _Counts()
    todo = _skip_done(records, done, counts)
    first = list(itertools.islice(todo, 1))
    if not first:  # nothing left: don't load the model
        _report(args, counts, 0.0)
        return 0

    try:  # before the model load, so an unwritable output fails at once
        out = _Output(output, append=args.resume)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    try:
        summarizer = factory(settings)  # only now: loading the model takes seconds
    except BaseException:
        out.close()
        raise
    options = SummaryOptions(args.sentences, args.max_words, args.bullets)
    runner = BatchRunner(summarizer, options, include_source=args.include_source)
    started = time.perf_counter()
    interrupts = _Interrupts()
    try:
        with interrupts.installed(), _progress(total, min(len(done), total)) as advance:
            for chunk in _chunks(itertools.chain(first, todo), args.batch_size):
                for record, outcome in zip(chunk, runner.run(chunk), strict=True):
                    out.write(format_outcome(record, outcome, args.format))
                    if isinstance(outcome, SummarizerError):
                        counts.failed += 1
                    else:
                        counts.summarized += 1
                advance(len(chunk))
                if interrupts.requested:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        written = counts.summarized + counts.failed
        where = f"{args.output} holds every finished record; add --resume to finish" if output else "stopped"
        raise CliError(f"interrupted after {written} new records; {where}", EXIT_INTERRUPTED) from None
    finally:
        out.close()
    _report(args, counts, time.perf_counter() - started)
    return 0


def _skip_done(records: Iterator[Record], done: set[str], counts: _Counts) -> Iterator[Record]:
    for record in records:
        if id_key(record.id) in done:
            counts.skipped += 1
        else:
            yield record


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while chunk := list(itertools.islice(records, size)):
        yield chunk


@contextlib.contextmanager
def _progress(total: int, initial: int) -> Iterator[Callable[[int], None]]:
    """A tqdm bar (count, rate, ETA) on stderr when it is a terminal; nothing when piped."""
    try:
        from tqdm import tqdm  # the cli extra
    except ImportError:
        tqdm = None
    if tqdm is None or not isatty(sys.stderr):
        yield lambda n: None
        return

    try:
        sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
    except (OSError, ValueError, AttributeError):
        sized = False
    # tqdm hides its bar in a terminal that reports a 0x0 size (some pseudo-terminals): assume 80x24.
    width: dict[str, object] = {"dynamic_ncols": True} if sized else {"ncols": 80, "nrows": 24}
    with tqdm(total=total, initial=initial, unit="article", file=sys.stderr, smoothing=0.1, **width) as bar:
        yield bar.update


def _report(args: argparse.Namespace, counts: _Counts, seconds: float) -> None:
    if args.quiet:
        return
    where = f" -> {args.output}" if args.output not in (None, "-") else ""
    print(
        f"{PROG}: {counts.summarized} summarized, {counts.failed} failed, {counts.skipped} already done"
        f"{where} ({seconds:.1f} s)",
        file=sys.stderr,
    )

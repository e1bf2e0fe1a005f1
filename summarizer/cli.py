"""Command line: ``summarizer summarize FILE|-``, ``summarizer serve`` and ``summarizer version``.

Every failure ends as one line ``summarizer: error: <message>`` on stderr and a non-zero exit
code (2: bad input or usage, 1: model or service failure, 130: interrupted), never a traceback.
Input is read and validated before the model is loaded, so bad input fails in milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, get_args

from pydantic import ValidationError

from summarizer import __version__
from summarizer.config import Settings, get_settings
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.schemas import Summary
from summarizer.text import visible_text
from summarizer.validation import BULLETS_RANGE, MAX_SENTENCES_RANGE, MAX_WORDS_RANGE, validate_article

if TYPE_CHECKING:
    from summarizer.pipeline import Summarizer

PROG = "summarizer"
EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
FORMATS = ("text", "markdown", "json")
LOG_LEVELS: tuple[str, ...] = get_args(Settings.model_fields["log_level"].annotation)

SummarizerFactory = Callable[[Settings], "Summarizer"]


class CliError(Exception):
    """A problem the user can fix; ``main`` prints it as one line."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class _Parser(argparse.ArgumentParser):
    # argparse prints usage plus an error and exits; we want the same single error line as
    # every other failure, and main() to return rather than raise SystemExit.
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see '{self.prog} --help')")


def _int_in(bounds: tuple[int, int]) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not bounds[0] <= number <= bounds[1]:
            raise argparse.ArgumentTypeError(f"must be an integer from {bounds[0]} to {bounds[1]}, got {value!r}")
        return number

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Extractive article summaries with 'Why it matters' bullets.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback for unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    summ = sub.add_parser(
        "summarize",
        help="summarize one article",
        description="Summarize an article. JSON offsets index the file's text exactly as stored (UTF-8 decoded).",
    )
    summ.add_argument("file", metavar="FILE", help="UTF-8 text file, or - for stdin")
    summ.add_argument("--title", help="article title (helps ranking)")
    summ.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    summ.add_argument(
        "--sentences", type=_int_in(MAX_SENTENCES_RANGE), default=3, metavar="N", help="summary sentences (default: 3)"
    )
    summ.add_argument(
        "--bullets", type=_int_in(BULLETS_RANGE), default=2, metavar="N", help="'Why it matters' bullets (default: 2)"
    )
    summ.add_argument("--max-words", type=_int_in(MAX_WORDS_RANGE), metavar="N", help="word budget for the summary")
    _add_model_args(summ)

    serve = sub.add_parser("serve", help="run the HTTP service", description="Run the HTTP service with uvicorn.")
    serve.add_argument("--host", help="bind address (default: $SUMMARIZER_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=_int_in((0, 65535)), help="port (default: $SUMMARIZER_PORT or 8000)")
    serve.add_argument("--log-level", choices=LOG_LEVELS, help="uvicorn log level (default: info)")
    _add_model_args(serve)

    sub.add_parser("version", help="print the version")
    return parser


def _add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="DIR", help="local encoder directory (default: embedded all-MiniLM-L6-v2)")
    parser.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default: $SUMMARIZER_DEVICE or auto)")


def _settings(**overrides: Any) -> Settings:
    """Environment settings (SUMMARIZER_*) with the command-line values that were given on top."""
    try:
        base = get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"SUMMARIZER_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise CliError(f"invalid environment setting: {problems}") from None
    # Values are validated by argparse already, so model_copy (which does not validate) is safe.
    return base.model_copy(update={k: v for k, v in overrides.items() if v is not None})


# -- summarize ----------------------------------------------------------------------------------


def read_input(source: str, max_chars: int) -> str:
    """Read FILE or stdin as strict UTF-8 and reject empty input, without loading anything."""
    byte_limit = max_chars * 4  # a UTF-8 character is at most 4 bytes: don't slurp huge files
    if source == "-":
        name = "stdin"
        if _isatty(sys.stdin):
            print(f"{PROG}: reading the article from stdin (end with Ctrl-D)", file=sys.stderr)
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # an already-decoded text stream (embedding, tests)
            data = sys.stdin.read(max_chars + 1).encode("utf-8", errors="surrogateescape")
        else:
            data = stream.read(byte_limit + 1)
    else:
        name = source
        path = Path(source)
        if path.is_dir():
            raise CliError(f"{source} is a directory, not a file")
        try:
            with path.open("rb") as handle:
                data = handle.read(byte_limit + 1)
        except FileNotFoundError:
            raise CliError(f"{source}: no such file") from None
        except PermissionError:
            raise CliError(f"{source}: permission denied") from None
        except OSError as exc:
            raise CliError(f"cannot read {source}: {exc.strerror or exc}") from None
    if len(data) > byte_limit:
        raise CliError(
            f"{name} is larger than {byte_limit} bytes; the limit is {max_chars} characters "
            "(split the article or raise SUMMARIZER_MAX_TEXT_CHARS)"
        )
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise CliError(
            f"{name} is not valid UTF-8: {exc.reason} (byte 0x{data[exc.start]:02x} at byte offset {exc.start})"
        ) from None
    if not text:
        raise CliError(f"{name} is empty" + (" (pipe an article in or pass a FILE)" if source == "-" else ""))
    if not visible_text(text).strip():
        raise CliError(f"{name} contains only whitespace")
    return text


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def render(result: Summary, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.model_dump(), indent=2, ensure_ascii=False)
    bullets = [f"- {span.text}" for span in result.why_it_matters]
    if fmt == "markdown":
        parts = [f"**Summary:** {result.summary}"]
        if bullets:
            parts += ["", "**Why it matters:**", "", *bullets]
    else:
        parts = [result.summary]
        if bullets:
            parts += ["", "Why it matters:", *bullets]
    return "\n".join(parts)


def _summarize(args: argparse.Namespace, factory: SummarizerFactory) -> int:
    settings = _settings(model=args.model, device=args.device)
    text = read_input(args.file, settings.max_text_chars)
    validate_article(text, args.title, settings)  # fail fast, before the slow model load
    summarizer = factory(settings)  # only now: loading the model takes seconds
    result = summarizer.summarize(
        text, args.title, max_sentences=args.sentences, max_words=args.max_words, bullets=args.bullets
    )
    print(render(result, args.format))
    sys.stdout.flush()
    if args.format != "json":  # JSON carries its warnings; keep stdout pure for the other formats
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return 0


def _load_summarizer(settings: Settings) -> Summarizer:
    from summarizer.pipeline import Summarizer  # torch and transformers: only when needed

    return Summarizer.load(settings=settings)


# -- serve --------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    settings = _settings(host=args.host, port=args.port, model=args.model, device=args.device, log_level=args.log_level)
    try:  # lazily: the service stack is not needed to summarize a file
        from service.server import serve
    except ImportError as exc:
        # e.g. an editable install made before service/ existed maps it as an empty namespace
        raise CliError(
            f"the HTTP service is not available: {exc} (reinstall the project: pip install -e .)", EXIT_FAILURE
        ) from None
    host = f"[{settings.host}]" if ":" in settings.host else settings.host  # IPv6 literal in a URL
    print(f"{PROG}: serving on http://{host}:{settings.port} (docs at /docs)", file=sys.stderr)
    try:
        serve(settings)
    except SystemExit as exc:  # uvicorn exits on e.g. "address already in use" after logging it
        return _exit_code(exc)
    return 0


# -- entry point --------------------------------------------------------------------------------


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else EXIT_FAILURE


def _error(message: str) -> None:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)  # always one line


def main(argv: Sequence[str] | None = None, summarizer_factory: SummarizerFactory | None = None) -> int:
    """Run the CLI; ``summarizer_factory(settings)`` replaces ``Summarizer.load`` (tests inject fakes)."""
    parser = build_parser()
    debug = False
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help / --version
            return _exit_code(exc)
        debug = args.debug
        if args.command == "summarize":
            return _summarize(args, summarizer_factory or _load_summarizer)
        if args.command == "serve":
            return _serve(args)
        if args.command == "version":
            print(f"{PROG} {__version__}")
            return 0
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    except CliError as exc:
        _error(exc.message)
        return exc.exit_code
    except InvalidInputError as exc:
        _error(exc.message)
        return EXIT_USAGE
    except SummarizerError as exc:  # ModelLoadError and anything else the library raises
        _error(exc.message)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # stdout closed early (`| head`): stop quietly, and keep Python from complaining at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except Exception as exc:
        if debug:
            raise
        _error(f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for a traceback)")
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``summarizer summarize FILE|-``, ``summarizer batch INPUT``, ``summarizer serve``, ``version``.

Every failure ends as one line ``summarizer: error: <message>`` on stderr and a non-zero exit
code (2: bad input or usage, 1: model or service failure, 130: interrupted), never a traceback.
Input is read and validated before the model is loaded, so bad input fails in milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from summarizer.cli.batch import add_batch_parser, run_batch_command
from summarizer.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    FORMATS,
    PROG,
    CliError,
    Parser,
    SummarizerFactory,
    add_model_args,
    add_summary_args,
    int_in,
    isatty,
    load_summarizer,
    render,
    settings_with,
)
from summarizer.components.prepare import prepare_article
from summarizer.config import Settings
from summarizer.errors import InvalidInputError, SummarizerError
from summarizer.inputs.html import decode_html, html_article, looks_like_html
from summarizer.options import SummaryOptions
from summarizer.text import visible_text
from summarizer.version import __version__

LOG_LEVELS: tuple[str, ...] = get_args(Settings.model_fields["log_level"].annotation)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Extractive article summaries with 'Why it matters' bullets.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback for unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    summ = sub.add_parser(
        "summarize",
        help="summarize one article",
        description="Summarize an article (text or HTML). JSON offsets index the file's text exactly as stored "
        "(UTF-8 decoded), or for HTML the extracted main text (--include-source returns it).",
    )
    summ.add_argument("file", metavar="FILE", help="UTF-8 text or HTML file, or - for stdin")
    summ.add_argument("--title", help="article title (helps ranking)")
    summ.add_argument(
        "--html", action="store_true", help="the input is HTML (default: .html/.htm files and pages that start as HTML)"
    )
    summ.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add_summary_args(summ)
    add_model_args(summ)

    add_batch_parser(sub)

    serve = sub.add_parser("serve", help="run the HTTP service", description="Run the HTTP service with uvicorn.")
    serve.add_argument("--host", help="bind address (default: $SUMMARIZER_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int_in((0, 65535)), help="port (default: $SUMMARIZER_PORT or 8000)")
    serve.add_argument("--log-level", choices=LOG_LEVELS, help="uvicorn log level (default: info)")
    add_model_args(serve)

    sub.add_parser("version", help="print the version")
    return parser


# -- summarize ----------------------------------------------------------------------------------


def read_source(source: str, byte_limit: int, limit_hint: str) -> tuple[str, bytes]:
    """FILE's or stdin's bytes (at most ``byte_limit``: never slurp a huge file) and a name for messages."""
    if source == "-":
        name = "stdin"
        if isatty(sys.stdin):
            print(f"{PROG}: reading the article from stdin (end with Ctrl-D)", file=sys.stderr)
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # an already-decoded text stream (embedding, tests)
            data = sys.stdin.read(byte_limit + 1).encode("utf-8", errors="surrogateescape")
        else:
            data = stream.read(byte_limit + 1)
    else:
        name = source
        path = Path(source)
        if path.is_dir():
            raise CliError(f"{source} is a directory, not a file (summarizer batch reads folders)")
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
        raise CliError(f"{name} is larger than {byte_limit} bytes; {limit_hint}")
    return name, data


def decode_text(name: str, data: bytes, *, stdin: bool = False) -> str:
    """Strict UTF-8, and not empty or blank."""
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise CliError(
            f"{name} is not valid UTF-8: {exc.reason} (byte 0x{data[exc.start]:02x} at byte offset {exc.start})"
        ) from None
    if not text:
        raise CliError(f"{name} is empty" + (" (pipe an article in or pass a FILE)" if stdin else ""))
    if not visible_text(text).strip():
        raise CliError(f"{name} contains only whitespace")
    return text


def text_limit_hint(max_chars: int) -> str:
    return f"the limit is {max_chars} characters (split the article or raise SUMMARIZER_MAX_TEXT_CHARS)"


def read_input(source: str, max_chars: int) -> str:
    """Read FILE or stdin as strict UTF-8 text and reject empty input, without loading anything."""
    name, data = read_source(source, max_chars * 4, text_limit_hint(max_chars))  # a character is at most 4 bytes
    return decode_text(name, data, stdin=source == "-")


def is_html_input(source: str, data: bytes, forced: bool) -> bool:
    return (
        forced or Path(source).suffix.lower() in HTML_SUFFIXES or looks_like_html(data[:4096].decode("utf-8", "ignore"))
    )


def _summarize(args: argparse.Namespace, factory: SummarizerFactory) -> int:
    settings = settings_with(backend=args.backend, model=args.model, device=args.device)
    text_bytes = settings.max_text_chars * 4
    name, data = read_source(
        args.file,
        max(text_bytes, settings.max_html_bytes),
        f"the limits are {settings.max_text_chars} characters of text (SUMMARIZER_MAX_TEXT_CHARS) and "
        f"{settings.max_html_bytes} bytes of HTML (SUMMARIZER_MAX_HTML_BYTES)",
    )
    title, source = args.title, None
    if is_html_input(args.file, data, args.html):
        page = html_article(decode_html(data), settings, title=title)
        text, title, source = page.text, page.title, page.source
    else:
        if len(data) > text_bytes:
            raise CliError(f"{name} is larger than {text_bytes} bytes; {text_limit_hint(settings.max_text_chars)}")
        text = decode_text(name, data, stdin=args.file == "-")
    options = SummaryOptions(args.sentences, args.max_words, args.bullets)
    prepared = prepare_article(text, title, settings, options)  # fail fast, before the slow model load
    summarizer = factory(settings)  # only now: loading the model takes seconds
    # A person watching text or markdown: show the model's text as it is written (JSON stays one document).
    if settings.backend == "llm" and isatty(sys.stdout) and args.format != "json":
        result = summarizer.summarize_streaming(prepared, _echo)
        print("\n", flush=True)
    else:
        result = summarizer.summarize_prepared([prepared])[0]
    result = result.model_copy(update={"source": source, "source_text": text if args.include_source else None})
    print(render(result, args.format))
    sys.stdout.flush()
    if args.format != "json":  # JSON carries its warnings; keep stdout pure for the other formats
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return 0


def _echo(piece: str) -> None:
    sys.stdout.write(piece)
    sys.stdout.flush()


# -- serve --------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    settings = settings_with(
        host=args.host,
        port=args.port,
        backend=args.backend,
        model=args.model,
        device=args.device,
        log_level=args.log_level,
    )
    try:  # lazily: the service stack is not needed to summarize a file
        from summarizer_service.auth import load_api_keys
        from summarizer_service.errors import ConfigurationError
        from summarizer_service.server import serve
    except ImportError as exc:
        raise CliError(
            f"the HTTP service is not installed: {exc} (pip install 'summarizer[service]')", EXIT_FAILURE
        ) from None
    try:
        load_api_keys(settings)  # a bad key configuration is reported before "serving on"
    except ConfigurationError as exc:
        raise CliError(exc.message, EXIT_FAILURE) from None
    address = _address(settings.host, settings.port)
    check_address(settings.host, settings.port)  # a port in use fails now, not after the model has loaded
    print(f"{PROG}: serving on http://{address} (docs at /docs)", file=sys.stderr)
    last_error = _LastError()
    uvicorn_log = logging.getLogger("uvicorn.error")
    uvicorn_log.addHandler(last_error)
    try:
        serve(settings)
    except SystemExit as exc:  # uvicorn logs why it could not start, then exits 3 (0 after SIGTERM)
        code = _exit_code(exc)
        if code == 0:  # SIGTERM after a clean shutdown
            return 0
        if isinstance(last_error.cause, OSError) and last_error.cause.errno == errno.EADDRINUSE:
            raise CliError(_in_use(address), EXIT_FAILURE) from None  # taken since check_address let go
        reason = last_error.message or f"uvicorn exited with status {code}"
        raise CliError(f"the service on {address} stopped: {reason}", EXIT_FAILURE) from None
    finally:
        uvicorn_log.removeHandler(last_error)
    return 0


def check_address(host: str, port: int) -> None:
    """Bind HOST:PORT the way uvicorn will (asyncio's create_server), then let go at once.

    Another process can still take the port in between; uvicorn's own failure is then reported.
    """
    shown = _address(host, port)
    sockets: list[socket.socket] = []
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, sockaddr in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            if os.name == "posix":  # as asyncio: a recently closed server (TIME_WAIT) is no conflict
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):  # as asyncio: no dual stack
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(sockaddr)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CliError(_in_use(shown), EXIT_FAILURE) from None
        raise CliError(f"cannot serve on {shown}: {exc.strerror or exc}", EXIT_FAILURE) from None
    finally:
        for sock in sockets:
            sock.close()


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # an IPv6 literal as in a URL


def _in_use(address: str) -> str:
    return f"{address} is already in use (another server is listening there; choose another --port)"


class _LastError(logging.Handler):
    """Keeps uvicorn's last error log record: why it stopped, for the one-line error."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.cause: object = None
        self.message = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.cause = record.msg  # uvicorn logs a failed bind as the OSError itself
        self.message = (record.getMessage().strip().splitlines() or [""])[0]


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
            return _summarize(args, summarizer_factory or load_summarizer)
        if args.command == "batch":
            return run_batch_command(args, summarizer_factory or load_summarizer)
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

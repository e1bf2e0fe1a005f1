"""What the CLI's commands share: the error type, argument helpers, settings and output rendering."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from pydantic import ValidationError
from pydantic_settings import SettingsError

from summarizer.config import DEVICE_CHOICES, Settings, get_settings, is_device_name
from summarizer.options import BULLETS_RANGE, MAX_SENTENCES_RANGE, MAX_WORDS_RANGE
from summarizer.schemas import Span, Summary

if TYPE_CHECKING:
    from summarizer.api import Summarizer

PROG = "summarizer"
EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
FORMATS = ("text", "markdown", "json")

SummarizerFactory = Callable[[Settings], "Summarizer"]


class CliError(Exception):
    """A problem the user can fix; ``main`` prints it as one line."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class Parser(argparse.ArgumentParser):
    # argparse prints usage plus an error and exits; we want the same single error line as
    # every other failure, and main() to return rather than raise SystemExit.
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see '{self.prog} --help')")


def int_in(bounds: tuple[int, int]) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not bounds[0] <= number <= bounds[1]:
            raise argparse.ArgumentTypeError(f"must be an integer from {bounds[0]} to {bounds[1]}, got {value!r}")
        return number

    return parse


def device_name(value: str) -> str:
    """``--device``: checked before the model loads, so a typo is bad usage (exit 2), not a failed load."""
    if not is_device_name(value):
        raise argparse.ArgumentTypeError(f"must be {DEVICE_CHOICES}, got {value!r}")
    return value  # as given: resolve_device normalises case and spaces


def add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=["extractive", "abstractive", "llm"],
        help="extractive (embedded encoder), abstractive (a seq2seq --model) or llm (an instruction-tuned model: "
        "docs/llm.md) (default: $SUMMARIZER_BACKEND)",
    )
    parser.add_argument(
        "--model",
        metavar="DIR",
        help="extractive: local encoder directory (default: embedded all-MiniLM-L6-v2); "
        "abstractive: seq2seq checkpoint directory or hub id; llm: checkpoint directory, .gguf file or server model",
    )
    parser.add_argument("--device", type=device_name, help=f"{DEVICE_CHOICES} (default: $SUMMARIZER_DEVICE or auto)")


def add_summary_args(parser: argparse.ArgumentParser) -> None:
    """The knobs of a summary, shared by ``summarize`` and ``batch``."""
    parser.add_argument(
        "--sentences", type=int_in(MAX_SENTENCES_RANGE), default=3, metavar="N", help="summary sentences (default: 3)"
    )
    parser.add_argument(
        "--bullets", type=int_in(BULLETS_RANGE), default=2, metavar="N", help="'Why it matters' bullets (default: 2)"
    )
    parser.add_argument("--max-words", type=int_in(MAX_WORDS_RANGE), metavar="N", help="word budget for the summary")
    parser.add_argument(
        "--include-source",
        action="store_true",
        help="JSON: add source_text, the text the offsets index (the extracted text for HTML)",
    )


def settings_with(**overrides: Any) -> Settings:
    """Environment settings (SUMMARIZER_*) with the command-line values that were given on top."""
    try:
        base = get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"SUMMARIZER_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise CliError(f"invalid environment setting: {problems}") from None
    except SettingsError as exc:  # a JSON value (a list of keys or hosts) that does not parse
        raise CliError(f"invalid environment setting: {_settings_error(exc)}") from None
    if not is_device_name(base.device):  # a free-form string in Settings; resolve_device only sees it at load
        raise CliError(f"invalid environment setting: SUMMARIZER_DEVICE: must be {DEVICE_CHOICES}, got {base.device!r}")
    # Values are validated by argparse already, so model_copy (which does not validate) is safe.
    settings = base.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    if settings.backend == "llm" and overrides.get("model"):  # --model names the language model there
        settings = settings.model_copy(update={"llm_model": overrides["model"], "model": base.model})
    return settings


def _settings_error(exc: SettingsError) -> str:
    # pydantic-settings names the field only in its message: 'error parsing value for field "api_keys" from source ...'
    field = re.search(r'field "(\w+)" from source "(\w+)"', str(exc))
    if field is None:
        return str(exc)
    cause = exc.__cause__
    reason = f"not valid JSON ({cause})" if isinstance(cause, json.JSONDecodeError) else str(cause or exc)
    where = " (in .env)" if field[2] == "DotEnvSettingsSource" else ""
    return f"SUMMARIZER_{field[1].upper()}{where}: {reason}"


def isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


UNSUPPORTED_MARK = "[not supported by the article]"


def _shown(span: Span) -> str:
    """What a reader sees of a span; a sentence the grounding guard flagged says so (JSON has ``supported``)."""
    text = span.display or span.text
    return f"{text} {UNSUPPORTED_MARK}" if span.supported is False else text


def render(result: Summary, fmt: str) -> str:
    """The summary as ``text`` (terminals), ``markdown`` (newsletters) or ``json`` (the API's shape)."""
    if fmt == "json":
        return json.dumps(result.model_dump(), indent=2, ensure_ascii=False)
    bullets = [f"- {_shown(span)}" for span in result.why_it_matters]
    summary = result.summary
    if any(span.supported is False for span in result.sentences):  # llm backend, SUMMARIZER_LLM_UNSUPPORTED=flag
        summary = " ".join(_shown(span) for span in result.sentences)
    if fmt == "markdown":
        parts = [f"**Summary:** {summary}"]
        if bullets:
            parts += ["", "**Why it matters:**", "", *bullets]
    else:
        parts = [summary]
        if bullets:
            parts += ["", "Why it matters:", *bullets]
    return "\n".join(parts)


def load_summarizer(settings: Settings) -> Summarizer:
    from summarizer.api import Summarizer  # torch and transformers: only when needed

    return Summarizer.load(settings=settings)

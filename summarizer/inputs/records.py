"""Many articles at once: records from a JSONL file or a folder, and the JSONL output that ``--resume`` reads.

Input records are JSON objects ``{"id", "text" | "article" | "content" | "html", "title"?}`` (or any
text field named by the caller). A record without an id is named ``line-N`` after its line. A record
that cannot be summarized becomes an error outcome of its own and never stops the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from summarizer.config import Settings
from summarizer.errors import InputTooLargeError, InvalidInputError, SummarizerError
from summarizer.inputs.html import decode_html
from summarizer.schemas import Summary

TEXT_FIELDS = ("text", "article", "content")
HTML_FIELD = "html"
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")

RecordId = str | int
Outcome = Summary | SummarizerError


@dataclass
class Record:
    id: RecordId
    text: object = None  # validated when summarized: a non-string is that record's error
    html: object = None
    title: object = None
    error: SummarizerError | None = None  # the record could not even be read


def id_key(record_id: object) -> str:
    """Identity of an id across runs: 7 and "7" differ, as they do in the JSON."""
    return json.dumps(record_id, ensure_ascii=False)


def error_record(record_id: RecordId, error: SummarizerError) -> dict[str, object]:
    return {"id": record_id, "error": {"code": error.code, "message": error.message}}


# -- reading ------------------------------------------------------------------------------------


def max_record_bytes(settings: Settings) -> int:
    # JSON escapes can take six bytes per character (\uXXXX); the real limits apply after parsing.
    return 6 * max(settings.max_text_chars, settings.max_html_bytes) + 65_536


def _lines(handle: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each line; ``None`` for a line over ``limit`` bytes, which is skipped unread."""
    number = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def count_jsonl(path: Path, limit: int) -> int:
    with path.open("rb") as handle:
        return sum(1 for _, line in _lines(handle, limit) if line is None or line.strip())


def read_jsonl(path: Path, *, limit: int, field: str | None = None, html: bool = False) -> Iterator[Record]:
    """The records of a JSONL file, in order; unreadable ones carry their error. Blank lines are skipped."""
    seen: set[str] = set()
    with path.open("rb") as handle:
        for number, line in _lines(handle, limit):
            if line is None:
                error = InputTooLargeError(f"line {number} is over {limit} bytes", code="record_too_large")
                yield Record(id=f"line-{number}", error=error)
            elif line.strip():
                record = _parse_record(line, number, field, html)
                key = id_key(record.id)
                if key in seen and record.error is None:
                    record.error = InvalidInputError(
                        f"line {number}: id {record.id!r} was used by an earlier record", code="duplicate_id"
                    )
                seen.add(key)
                yield record


def _parse_record(line: bytes, number: int, field: str | None, html: bool) -> Record:
    fallback_id = f"line-{number}"
    try:
        # Strict UTF-8 first: json.loads on bytes guesses UTF-16 or UTF-32 from the first bytes (b"\xff\xfe...").
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"line {number} is not UTF-8: {exc.reason} at byte {exc.start + 1}"
        return Record(fallback_id, error=InvalidInputError(message, code="invalid_encoding"))  # as over HTTP
    if number == 1:
        text = text.removeprefix("\ufeff")  # a UTF-8 byte-order mark, as json.loads on bytes allowed
    try:
        # Without its line ending: an unterminated string must not read as a "control character" \n.
        data = json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        reason = exc.msg.removesuffix(" at")  # "Invalid control character at": the column follows anyway
        message = f"line {number} is not valid JSON: {reason} at column {exc.colno}"
        return Record(fallback_id, error=InvalidInputError(message, code="invalid_json"))
    if not isinstance(data, dict):
        error = InvalidInputError(f"line {number} is not a JSON object", code="invalid_record")
        return Record(fallback_id, error=error)
    record_id = data.get("id")
    if record_id is None:
        record_id = fallback_id
    elif isinstance(record_id, bool) or not isinstance(record_id, (str, int)):
        error = InvalidInputError(f"line {number}: id must be a string or an integer", code="invalid_id")
        return Record(fallback_id, error=error)
    record = Record(record_id, title=data.get("title"))
    if field is not None:
        if field not in data:
            record.error = InvalidInputError(f"line {number} has no {field!r} field", code="missing_text")
        elif html or field == HTML_FIELD:
            record.html = data[field]
        else:
            record.text = data[field]
        return record
    found = [name for name in TEXT_FIELDS if data.get(name) is not None]
    if data.get(HTML_FIELD) is not None and found:
        message = f"line {number} has both {found[0]!r} and 'html'; keep one (or choose with --field)"
        record.error = InvalidInputError(message, code="ambiguous_input")
    elif data.get(HTML_FIELD) is not None:
        record.html = data[HTML_FIELD]
    elif found:
        if html:
            record.html = data[found[0]]
        else:
            record.text = data[found[0]]
    else:
        names = ", ".join(TEXT_FIELDS)
        record.error = InvalidInputError(
            f"line {number} has none of the fields {names} or html (name another with --field)", code="missing_text"
        )
    return record


def folder_files(folder: Path) -> list[Path]:
    """The folder's .txt and .html files (not its subfolders), sorted by name."""
    suffixes = TEXT_SUFFIXES + HTML_SUFFIXES
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes)


def read_folder(files: Sequence[Path], settings: Settings, *, html: bool = False) -> Iterator[Record]:
    """One record per file, its name as the id; .html files (or all, with ``html``) are pages."""
    for path in files:
        is_html = html or path.suffix.lower() in HTML_SUFFIXES
        limit = settings.max_html_bytes if is_html else settings.max_text_chars * 4
        try:
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            yield Record(
                path.name, error=InvalidInputError(f"cannot read it: {exc.strerror or exc}", code="unreadable")
            )
            continue
        if len(data) > limit:
            error = InputTooLargeError(
                f"the file is over {limit} bytes", code="html_too_large" if is_html else "text_too_long"
            )
            yield Record(path.name, error=error)
        elif is_html:
            yield Record(path.name, html=decode_html(data))
        else:
            try:
                yield Record(path.name, text=data.decode("utf-8"))
            except UnicodeDecodeError as exc:
                message = f"not valid UTF-8 at byte offset {exc.start}"
                yield Record(path.name, error=InvalidInputError(message, code="invalid_encoding"))


# -- resuming -----------------------------------------------------------------------------------


def completed_ids(path: Path) -> tuple[set[str], int]:
    """Keys of the ids already in a JSONL output, and how many bytes of a torn last line were cut off.

    A hard kill can leave the last line half written: it is truncated away so the file stays valid
    JSONL. Any other line that is not a JSON object with an id means the file is not ours to append
    to, and raises ``InvalidInputError``.
    """
    keys: set[str] = set()
    good = 0
    with path.open("r+b") as handle:
        for number, line in enumerate(iter(handle.readline, b""), start=1):
            if not line.endswith(b"\n"):
                handle.truncate(good)
                return keys, len(line)
            try:
                data = json.loads(line)
            except ValueError:
                data = None
            if not isinstance(data, dict) or "id" not in data:
                raise InvalidInputError(
                    f"{path} line {number} is not an output record; not resuming into it", code="invalid_output"
                )
            keys.add(id_key(data["id"]))
            good += len(line)
    return keys, 0

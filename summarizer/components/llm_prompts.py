"""Prompts for the llm backend, from template files, and parsing of what a (small) model answers.

Templates are ``string.Template`` files packaged in ``summarizer/prompts/`` (``system.txt``,
``summary.txt``, ``chunk.txt``); a file of the same name in ``SUMMARIZER_LLM_TEMPLATES_DIR``
replaces the packaged one. The summary prompt asks for one JSON object, ``{"summary": [...],
"why_it_matters": [...]}``; ``parse_answer`` accepts that, JSON wrapped in prose or code fences,
and plain text (a "Why it matters" heading or bullet markers separate the parts), so a model that
ignores the format still yields sentences for the grounding guard to check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from summarizer.errors import ModelLoadError
from summarizer.models.llm import Message
from summarizer.options import SummaryOptions
from summarizer.text import segment

TEMPLATE_NAMES = ("system.txt", "summary.txt", "chunk.txt")
# The placeholders each template may use: a custom template is tried with them at load time, so a typo
# stops loading with the file's name instead of failing the first article that needs the template.
PLACEHOLDERS = {
    "system.txt": (),
    "summary.txt": ("article", "title_line", "max_sentences", "length_clause", "bullets", "bullets_clause"),
    "chunk.txt": ("text", "part", "parts", "sentences"),
}
_SUMMARY_KEYS = ("summary", "sentences", "summary_sentences")
_BULLET_KEYS = ("why_it_matters", "why it matters", "whyitmatters", "bullets", "why")
_BULLET_MARK = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*[#*]*\s*(why it matters|summary)\s*[:#*]*\s*", re.IGNORECASE)
_FENCE = re.compile(r"```(?:json)?", re.IGNORECASE)


@dataclass(frozen=True)
class Templates:
    system: Template
    summary: Template
    chunk: Template

    @classmethod
    def load(cls, override: Path | None = None) -> Templates:
        if override is not None and not override.is_dir():
            raise ModelLoadError(f"SUMMARIZER_LLM_TEMPLATES_DIR {override} is not a folder")
        texts: dict[str, str] = {}
        packaged = resources.files("summarizer") / "prompts"
        for name in TEMPLATE_NAMES:
            custom = override / name if override is not None else None
            try:
                if custom is not None and custom.is_file():
                    texts[name] = custom.read_text(encoding="utf-8")
                else:
                    texts[name] = (packaged / name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ModelLoadError(f"cannot read prompt template {name}: {exc}") from None
            try:
                Template(texts[name]).substitute(dict.fromkeys(PLACEHOLDERS[name], ""))
            except (KeyError, ValueError) as exc:
                where = str(custom) if custom is not None and custom.is_file() else name
                raise ModelLoadError(
                    f"prompt template {where} has an unknown or broken placeholder: {exc} (it may use "
                    f"{', '.join('$' + p for p in PLACEHOLDERS[name]) or 'none'})"
                ) from None
        return cls(*(Template(texts[n]) for n in TEMPLATE_NAMES))

    def _render(self, template: Template, **values: object) -> str:
        try:
            return template.substitute(**values).strip()
        except (KeyError, ValueError) as exc:
            raise ModelLoadError(f"prompt template has an unknown or broken placeholder: {exc}") from None

    def summary_messages(self, article: str, title: str | None, options: SummaryOptions) -> list[Message]:
        n = options.bullets
        bullets_clause = (
            "an empty list." if n == 0 else f"{n} short sentence{'s' if n > 1 else ''} on why the news matters."
        )
        user = self._render(
            self.summary,
            article=article,
            title_line=f"Title: {title}\n" if title else "",
            max_sentences=options.max_sentences,
            length_clause=f" ({options.max_words} words in all at most)" if options.max_words else "",
            bullets=n,
            bullets_clause=bullets_clause,
        )
        return [{"role": "system", "content": self._render(self.system)}, {"role": "user", "content": user}]

    def chunk_messages(self, text: str, part: int, parts: int, sentences: int) -> list[Message]:
        user = self._render(self.chunk, text=text, part=part, parts=parts, sentences=sentences)
        return [{"role": "system", "content": self._render(self.system)}, {"role": "user", "content": user}]


def answer_schema(options: SummaryOptions) -> dict[str, Any]:
    """JSON schema of the summary answer (for servers that take ``response_format``)."""
    strings = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "properties": {
            "summary": {**strings, "maxItems": options.max_sentences},
            "why_it_matters": {**strings, "maxItems": options.bullets},
        },
        "required": ["summary", "why_it_matters"],
        "additionalProperties": False,
    }


@dataclass
class Answer:
    summary: list[str] = field(default_factory=list)
    why_it_matters: list[str] = field(default_factory=list)
    structured: bool = False  # the model answered in the JSON asked for


def _sentences(value: object) -> list[str]:
    """Strings from a JSON value (a string is split into sentences; lists may nest)."""
    if isinstance(value, str):
        return [s.text for s in segment(value)] if value.strip() else []
    if isinstance(value, list):
        return [s for item in value for s in _sentences(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _sentences(item)]
    return []


def _json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in ``text`` that parses (code fences and prose around it ignored)."""
    cleaned = _FENCE.sub("", text)
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", cleaned):
        try:
            value, _ = decoder.raw_decode(cleaned[match.start() :])
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _pick(obj: dict[str, Any], keys: tuple[str, ...]) -> object:
    lowered = {str(k).strip().lower().replace("-", "_"): v for k, v in obj.items()}
    return next((lowered[k] for k in keys if k in lowered), None)


def parse_answer(text: str) -> Answer:
    """Summary sentences and bullets from a model's answer, whatever shape it took."""
    obj = _json_object(text)
    if obj is not None:
        summary, bullets = _sentences(_pick(obj, _SUMMARY_KEYS)), _sentences(_pick(obj, _BULLET_KEYS))
        if summary or bullets:
            return Answer(summary, bullets, structured=True)
    return _plain(text)


def _plain(text: str) -> Answer:
    """Plain text: lines after a "Why it matters" heading are bullets, everything else is summary."""
    answer = Answer()
    target = answer.summary
    for raw in _FENCE.sub("", text).splitlines():
        line = raw.strip().strip('{}[]",')
        heading = _HEADING.match(line)
        if heading:
            target = answer.why_it_matters if heading.group(1).lower().startswith("why") else answer.summary
            line = line[heading.end() :]
        line = re.sub(r'^"?\w+"?\s*:\s*', "", line) if re.match(r'^"\w+"\s*:', line) else line  # a stray JSON key
        line = _BULLET_MARK.sub("", line).strip().strip('",')
        if line:
            target.extend(s.text for s in segment(line))
    return answer


def note_sentences(text: str) -> list[str]:
    """The sentences of a chunk's notes (bullet markers and headings removed)."""
    parsed = _plain(text)
    return parsed.summary + parsed.why_it_matters

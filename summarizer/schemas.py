"""The result types. ``Summary.model_dump()`` is the JSON the service and the CLI emit."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


def _absent(value: object) -> bool:
    return value is None or value == []


def _is_none_value(value: object) -> bool:
    return value is None


class SourceSpan(BaseModel):
    """A sentence of the input that a generated sentence draws on: ``input[start:end]``."""

    start: int = Field(ge=0, description="Offset of the first character in the submitted text.")
    end: int = Field(ge=0, description="Offset one past the last character in the submitted text.")
    similarity: float | None = Field(
        default=None,
        exclude_if=_absent,
        description="Encoder cosine similarity between the generated sentence and this source (summary sentences).",
    )


class Span(BaseModel):
    """A summary sentence or bullet with its provenance; show ``display`` where present, else ``text``.

    Taken from the input (extractive): ``input[start:end]`` is its source text. Written by a model
    (abstractive or llm, ``generated`` true): it has no span of its own, so ``input[start:end]`` is the
    source sentence that supports it best, and ``sources`` lists every source, strongest first. The llm
    backend's grounding guard also sets ``supported`` (and ``issues`` when it is false).
    """

    text: str = Field(
        description="Taken from the input: exactly input[start:end] with whitespace collapsed and zero-width "
        "spaces, word joiners, byte-order marks and soft hyphens dropped (a leading label "
        "or dateline is outside the span; a trimmed sentence is its kept part). Generated: the sentence the model "
        "wrote."
    )
    start: int = Field(ge=0, description="Offset of the first character in the submitted text.")
    end: int = Field(ge=0, description="Offset one past the last character in the submitted text.")
    sentence_end: int | None = Field(
        default=None,
        ge=0,
        exclude_if=_absent,
        description="Set when the text is a trimmed sentence (its low-value tail, such as an attribution, cut by the "
        "learned trim head): the offset where the whole sentence ends, so input[start:sentence_end] is all of it.",
    )
    display: str | None = Field(
        default=None,
        exclude_if=_absent,
        description="How to show the text when it should not be shown as is: a bullet whose leading connective was "
        'cut ("However, the deal..." -> "The deal...", first letter capitalised) or a trimmed sentence '
        "closed with a period. Absent when text reads as it is.",
    )
    generated: bool | None = Field(
        default=None,
        exclude_if=_absent,
        description="Abstractive and llm backends only: true when a model wrote the text, false when it was taken "
        "from the input as a fallback. Absent for the extractive backend.",
    )
    sources: list[SourceSpan] = Field(
        default_factory=list,
        exclude_if=_absent,
        description="For generated text: the input sentences it draws on (summary sentences: most similar by the "
        "encoder; bullets: the sentences they condense). Absent for text taken from the input.",
    )
    supported: bool | None = Field(
        default=None,
        exclude_if=_is_none_value,
        description="llm backend: whether the grounding guard found the sentence supported by the article "
        "(false only with SUMMARIZER_LLM_UNSUPPORTED=flag; dropped sentences are not returned).",
    )
    issues: list[str] = Field(
        default_factory=list,
        exclude_if=_absent,
        description="llm backend, unsupported sentences: why (numbers, names or quotes absent from the article; "
        "no similar article sentence).",
    )


class RejectedSentence(BaseModel):
    """A generated sentence the grounding guard dropped, and why."""

    text: str
    part: Literal["summary", "why_it_matters"]
    issues: list[str]


class Grounding(BaseModel):
    """What the llm backend's grounding guard did with the generated sentences of one summary."""

    checked: int = Field(description="Generated summary sentences and bullets checked against the article.")
    supported: int = Field(description="Of those, supported by the article.")
    dropped: int = Field(description="Unsupported and left out (SUMMARIZER_LLM_UNSUPPORTED=drop).")
    flagged: int = Field(description="Unsupported and kept with supported=false (SUMMARIZER_LLM_UNSUPPORTED=flag).")
    threshold: float = Field(description="Least encoder similarity to an article sentence that counts as support.")
    rejected: list[RejectedSentence] = Field(
        default_factory=list, exclude_if=_absent, description="The dropped sentences, with the reasons."
    )


class TokenCounts(BaseModel):
    prompt: int = Field(description="Tokens sent to the model, every chunk and reduce step included.")
    completion: int = Field(description="Tokens the model generated.")


class InputStats(BaseModel):
    characters: int
    words: int
    sentences: int


class Meta(BaseModel):
    backend: str
    bullet_selector: str = Field(default="heuristic", description="learned or heuristic 'Why it matters' selector.")
    summary_trimming: str = Field(
        default="off", description="learned (summary sentences may be trimmed: see Span.sentence_end) or off."
    )
    model: str
    device: str
    engine: str = Field(
        default="torch", description="What runs the model: torch or onnxruntime (the encoder; abstractive: torch)."
    )
    precision: str = Field(
        default="float32",
        description="Precision of the model that writes the summary (the encoder, or the abstractive seq2seq model): "
        "float32, bfloat16, float16 or int8.",
    )
    elapsed_ms: float
    input: InputStats
    timings_ms: dict[str, float] = Field(
        default_factory=dict, description="Where the time went: segment, encode, rank (and generate, abstractive)."
    )
    encoder: str | None = Field(
        default=None,
        exclude_if=_absent,
        description="Abstractive backend: the sentence encoder that picks bullets and finds provenance.",
    )
    chunks: int | None = Field(
        default=None,
        exclude_if=_absent,
        description="Generative backends: model inputs the article was split into (1 when it fits one window).",
    )
    cached: bool | None = Field(
        default=None,
        exclude_if=_absent,
        description="true when the service answered from its result cache (an identical article and options seen "
        "before); timings are those of the original computation.",
    )
    grounding: Grounding | None = Field(
        default=None, exclude_if=_absent, description="llm backend: what the grounding guard checked and removed."
    )
    tokens: TokenCounts | None = Field(default=None, exclude_if=_absent, description="llm backend: token counts.")
    fallback_from: str | None = Field(
        default=None,
        exclude_if=_absent,
        description="Set when another backend failed and this result is the fallback (backend: extractive, "
        "fallback_from: llm); a warning says why.",
    )
    truncated: bool | None = Field(
        default=None,
        exclude_if=_absent,
        description="Abstractive backend: whether any text was cut to fit the model's window (chunking is built "
        "so that none is).",
    )


class EngineChoiceInfo(BaseModel):
    """How precision=auto chose the encoder's path on this CPU: each candidate timed on the same sentences."""

    chosen: str = Field(description="engine/precision, e.g. onnx/float32 or torch/bfloat16.")
    timings_ms: dict[str, float] = Field(description="Best time per candidate to encode the calibration sentences.")
    source: str = Field(description="measured at this start, or cached from an earlier start on this machine.")


class BackendInfo(BaseModel):
    """What a loaded backend runs on (``Summarizer.describe()``, the service's /v1/info and /readyz)."""

    backend: str = Field(description="extractive, abstractive or llm.")
    model: str = Field(description="The model that writes the summary (extractive: the sentence encoder).")
    device: str
    engine: str = Field(description="torch or onnxruntime.")
    precision: str = Field(description="float32, bfloat16, float16 or int8.")
    encoder: str | None = Field(
        default=None, exclude_if=_absent, description="Generative backends: the encoder that selects and attributes."
    )
    engine_choice: EngineChoiceInfo | None = Field(
        default=None, exclude_if=_absent, description="Set when precision=auto timed the encoder's paths (CPU)."
    )
    provider: str | None = Field(
        default=None, exclude_if=_absent, description="llm backend: local (transformers here) or openai (a server)."
    )


def _is_none(value: object) -> bool:
    return value is None


class SourceInfo(BaseModel):
    """What was extracted from an HTML page (only for ``html`` or ``url`` input)."""

    format: Literal["html"] = "html"
    url: str | None = Field(default=None, description="The fetched URL after same-host redirects (url input).")
    title: str | None = Field(default=None, description="The page's headline as extracted.")
    date: str | None = Field(default=None, description="The page's publication date (YYYY-MM-DD) as extracted.")


class Summary(BaseModel):
    summary: str = Field(
        description="The summary sentences joined by spaces, in article order (as generated, abstractive backend)."
    )
    sentences: list[Span]
    why_it_matters: list[Span]
    meta: Meta
    warnings: list[str] = Field(default_factory=list)
    # Optional parts are left out of the JSON when absent, so plain-text answers keep their shape.
    source_text: str | None = Field(
        default=None,
        exclude_if=_is_none,
        description="The text that was summarized (the main text extracted from HTML); offsets index it. "
        "Only when include_source is asked.",
    )
    source: SourceInfo | None = Field(
        default=None, exclude_if=_is_none, description="For html or url input: the page's title, date and URL."
    )

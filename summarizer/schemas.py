"""The result types. ``Summary.model_dump()`` is the JSON the service and the CLI emit."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Span(BaseModel):
    """A sentence taken from the input: ``input[start:end]`` is its source text."""

    text: str = Field(description="Display text: the source span, leading labels removed, whitespace collapsed.")
    start: int = Field(ge=0, description="Offset of the first character in the submitted text.")
    end: int = Field(ge=0, description="Offset one past the last character in the submitted text.")


class InputStats(BaseModel):
    characters: int
    words: int
    sentences: int


class Meta(BaseModel):
    backend: str
    bullet_selector: str = Field(default="heuristic", description="learned or heuristic 'Why it matters' selector.")
    model: str
    device: str
    engine: str = Field(default="torch", description="What runs the encoder: torch or onnxruntime.")
    precision: str = Field(default="float32", description="Encoder precision: float32, bfloat16, float16 or int8.")
    elapsed_ms: float
    input: InputStats
    timings_ms: dict[str, float] = Field(
        default_factory=dict, description="Where the time went: segment, encode, rank."
    )


class Summary(BaseModel):
    summary: str = Field(description="The summary sentences joined by spaces, in article order.")
    sentences: list[Span]
    why_it_matters: list[Span]
    meta: Meta
    warnings: list[str] = Field(default_factory=list)

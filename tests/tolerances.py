"""How far two computations of the same embedding may drift, by the precision that served them.

Measured here on the embedded encoder (max absolute difference of unit-length embeddings between
one big batch and small padded batches): float32 2e-7 (summation order only), bfloat16 1.7e-3
(8 mantissa bits through six layers). The ONNX int8 runner runs every window alone, so its
batching is exact. Tests compare with the tolerance of the precision actually served, so the
suite passes on CPUs where ``precision=auto`` picks bfloat16 (AVX-512 BF16, AMX) and where it does not.
"""

from __future__ import annotations

BATCHING_ATOL = {"float32": 1e-5, "bfloat16": 5e-3, "float16": 5e-3, "int8": 1e-6}


def batching_atol(precision: str) -> float:
    return BATCHING_ATOL[precision]

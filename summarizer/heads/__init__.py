"""Learned heads on top of the frozen encoder (small JSON weight files shipped in the package)."""

from __future__ import annotations

import logging
from pathlib import Path

from summarizer.config import Settings
from summarizer.heads.linear import LinearHead

log = logging.getLogger(__name__)

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
BULLET_HEAD_FILE = WEIGHTS_DIR / "bullet_head.json"
# The packaged head reads the embedded encoder's embedding as features, which mean nothing for another
# encoder; this one, trained on the same labels without them, serves any other encoder.
DENSE_BULLET_HEAD_FILE = WEIGHTS_DIR / "bullet_head_dense.json"
TRIM_HEAD_FILE = WEIGHTS_DIR / "trim_head.json"


def _load(path: Path, what: str, fallback: str) -> LinearHead | None:
    if not path.is_file():
        log.warning("%s %s not found: %s", what, path, fallback)
        return None
    return LinearHead.load(path)


def load_bullet_head(
    settings: Settings, encoder_name: str | None = None, dimension: int | None = None
) -> LinearHead | None:
    """The learned "Why it matters" head, or None for the heuristic selector (by setting, or missing file).

    The packaged head is for the encoder it was trained with (``encoder_name``, ``dimension``: the
    served encoder's; None skips the check); any other encoder gets the packaged head without
    embedding features. A head named in the settings is used as given.
    """
    if settings.bullet_selector != "learned":
        return None
    if settings.bullet_head:
        return _load(settings.bullet_head, "bullet head", "using the heuristic selector")
    head = _load(BULLET_HEAD_FILE, "bullet head", "using the heuristic selector")
    if head is not None and not head.fits_encoder(encoder_name, dimension):
        log.info(
            "bullet head: encoder %s is not the one the packaged head was trained with; using %s",
            encoder_name,
            DENSE_BULLET_HEAD_FILE.name,
        )
        head = _load(DENSE_BULLET_HEAD_FILE, "bullet head", "using the heuristic selector")
    return head


def load_trim_head(settings: Settings) -> LinearHead | None:
    """The learned summary-sentence trimmer, or None for whole sentences (by setting, or missing file)."""
    if settings.summary_trimming != "learned":
        return None
    return _load(settings.trim_head or TRIM_HEAD_FILE, "trim head", "summary sentences are not trimmed")


__all__ = [
    "BULLET_HEAD_FILE",
    "DENSE_BULLET_HEAD_FILE",
    "TRIM_HEAD_FILE",
    "LinearHead",
    "load_bullet_head",
    "load_trim_head",
]

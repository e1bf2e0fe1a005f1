"""Learned heads on top of the frozen encoder (small JSON weight files shipped in the package)."""

from __future__ import annotations

import logging
from pathlib import Path

from summarizer.config import Settings
from summarizer.heads.linear import LinearHead

log = logging.getLogger(__name__)

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
BULLET_HEAD_FILE = WEIGHTS_DIR / "bullet_head.json"
TRIM_HEAD_FILE = WEIGHTS_DIR / "trim_head.json"


def _load(path: Path, what: str, fallback: str) -> LinearHead | None:
    if not path.is_file():
        log.warning("%s %s not found: %s", what, path, fallback)
        return None
    return LinearHead.load(path)


def load_bullet_head(settings: Settings) -> LinearHead | None:
    """The learned "Why it matters" head, or None for the heuristic selector (by setting, or missing file)."""
    if settings.bullet_selector != "learned":
        return None
    return _load(settings.bullet_head or BULLET_HEAD_FILE, "bullet head", "using the heuristic selector")


def load_trim_head(settings: Settings) -> LinearHead | None:
    """The learned summary-sentence trimmer, or None for whole sentences (by setting, or missing file)."""
    if settings.summary_trimming != "learned":
        return None
    return _load(settings.trim_head or TRIM_HEAD_FILE, "trim head", "summary sentences are not trimmed")


__all__ = ["BULLET_HEAD_FILE", "TRIM_HEAD_FILE", "LinearHead", "load_bullet_head", "load_trim_head"]

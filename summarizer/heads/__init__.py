"""Learned heads on top of the frozen encoder (small JSON weight files shipped in the package)."""

from __future__ import annotations

import logging
from pathlib import Path

from summarizer.config import Settings
from summarizer.heads.linear import LinearHead

log = logging.getLogger(__name__)

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
BULLET_HEAD_FILE = WEIGHTS_DIR / "bullet_head.json"


def load_bullet_head(settings: Settings) -> LinearHead | None:
    """The learned "Why it matters" head, or None for the heuristic selector (by setting, or missing file)."""
    if settings.bullet_selector != "learned":
        return None
    path = settings.bullet_head or BULLET_HEAD_FILE
    if not path.is_file():
        log.warning("bullet head %s not found: using the heuristic selector", path)
        return None
    return LinearHead.load(path)


__all__ = ["BULLET_HEAD_FILE", "LinearHead", "load_bullet_head"]

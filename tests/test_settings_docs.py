"""docs/settings.md documents every setting: each Settings field appears as its SUMMARIZER_* variable."""

from __future__ import annotations

from pathlib import Path

from summarizer.config import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`SUMMARIZER_{name.upper()}`" not in text]
    assert not missing, f"add to docs/settings.md: {missing}"

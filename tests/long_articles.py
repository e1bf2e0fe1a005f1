"""Long articles for chunking tests: the seed articles' paragraphs, numbered and repeated."""

from __future__ import annotations

from pathlib import Path

from summarizer.text import count_words

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def long_article(words: int) -> str:
    """Seed paragraphs, numbered and repeated until the article has ``words`` words."""
    paragraphs = [
        p.strip()
        for path in sorted(SEEDS.glob("00*.txt"))
        for p in path.read_text(encoding="utf-8").split("\n\n")
        if count_words(p) >= 8
    ]
    out: list[str] = []
    total = 0
    while total < words:
        paragraph = f"In part {len(out) + 1}, {paragraphs[len(out) % len(paragraphs)]}"
        out.append(paragraph)
        total += count_words(paragraph)
    return "\n\n".join(out)

"""The labelled significance set as training examples for the bullet head.

``benchmarks/data/significance/labels.jsonl`` stores each labelled sentence by its offsets; the
articles are segmented again here and labels are joined by span, so a changed segmenter loses
only the sentences whose spans moved (they count as unlabelled, and are reported).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from summarizer.models.encoder import Encoder
from summarizer.selection.features import bullet_features
from summarizer.selection.ranking import bullet_candidates, select_summary
from summarizer.text import Sentence, segment

SIGNIFICANCE = "SIGNIFICANCE"


@dataclass
class LabelledArticle:
    id: str
    text: str
    sentences: list[Sentence]
    labels: list[str | None]  # per sentence; None where the stored spans no longer match


@dataclass
class BulletExample:
    article: LabelledArticle
    candidates: list[int]  # sentence indices outside the summary
    summary: list[int]
    embeddings: np.ndarray  # every sentence of the article
    features: np.ndarray
    names: list[str]
    target: np.ndarray  # 1 where the candidate is labelled SIGNIFICANCE


def load_labelled(labels_path: Path, *text_paths: Path | None) -> list[LabelledArticle]:
    """Join stored labels with the article texts: a row's own ``text``, else the article of that id in
    one of ``text_paths`` (the dev file, ``bbc_news.jsonl``; JSON lines with "id" and "article")."""
    texts: dict[str, str] = {}
    for path in text_paths:
        if path is not None and path.exists():
            with path.open(encoding="utf-8") as fh:
                texts.update({r["id"]: r["article"] for r in map(json.loads, fh)})
    articles = []
    with labels_path.open(encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            text = row.get("text") or texts.get(row["id"])
            if text is None:
                continue  # the source file is not available: skip its articles
            by_span = {(s["start"], s["end"]): s["label"] for s in row["sentences"]}
            sentences = segment(text)
            labels = [by_span.get((s.start, s.end)) for s in sentences]
            articles.append(LabelledArticle(row["id"], text, sentences, labels))
    return articles


def build_examples(
    articles: list[LabelledArticle], encoder: Encoder, prototype_embeddings: np.ndarray
) -> list[BulletExample]:
    """Features of every bullet candidate, with the default summary chosen first (as at serving time)."""
    examples = []
    for article in articles:
        emb = encoder.encode([s.text for s in article.sentences])
        summary, _ = select_summary(article.sentences, emb, max_sentences=3, max_words=None)
        candidates = bullet_candidates(article.sentences, summary)
        if not candidates:
            continue
        features, names = bullet_features(article.sentences, emb, candidates, summary, prototype_embeddings)
        target = np.array([article.labels[i] == SIGNIFICANCE for i in candidates], dtype=np.float64)
        examples.append(BulletExample(article, candidates, summary, emb, features, names, target))
    return examples

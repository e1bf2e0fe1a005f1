"""Data for the context scorer experiment (benchmarks/context_scorer.py): articles, labels, embeddings.

Three sources, each article segmented as served and encoded once by the frozen fp32 encoder (cached
as .npz under ``cache``, so later runs skip the encoder):

- the CNN/DailyMail dev file: summary-worthiness = the greedy ROUGE-1+2 oracle against the reference
  (as benchmarks/quality.py labels its learned selection head), computed over the summary candidates;
- the labelled significance set (90 dev articles and 20 written ones that carry their own text):
  SIGNIFICANCE labels joined by span; with ``more_labels`` (benchmarks/data/dev_labels) the other 250
  labelled dev articles' too;
- the 400 BBC articles of benchmarks/data/bbc_labels: significance labels and summary picks (a
  sentence picked by at least half of its annotators is positive).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from summarizer.models.encoder import Encoder
from summarizer.selection.ranking import select_summary, summary_candidates
from summarizer.text import Sentence, segment
from training.bullet_head import oracle_labels

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"
BBC_ARTICLES = ROOT.parent / "shared" / "eval" / "bbc_news.jsonl"
SIGNIFICANCE_LABELS = ROOT / "benchmarks" / "data" / "significance" / "labels.jsonl"
BBC_LABELS = ROOT / "benchmarks" / "data" / "bbc_labels" / "labels.jsonl"
DEV_LABELS = ROOT / "benchmarks" / "data" / "dev_labels" / "labels.jsonl"
N = 3  # summary sentences


@dataclass
class Article:
    id: str
    source: str  # "cnn" or "bbc"
    sentences: list[Sentence]
    embeddings: np.ndarray
    default_summary: list[int]  # the served unsupervised selection
    reference: str | None = None  # CNN only
    cased: bool = True
    summary_target: dict[int, float] = field(default_factory=dict)  # sentence index -> 0/1; absent: unlabelled
    significance: dict[int, float] = field(default_factory=dict)  # sentence index -> 0/1; absent: unlabelled


def _embeddings(cache: Path, key: str, sentences: list[Sentence], encoder: Encoder) -> np.ndarray:
    path = cache / f"{key}.npz"
    if path.exists():
        return np.load(path)["emb"]
    emb = encoder.encode([s.text for s in sentences]).astype(np.float32)
    np.savez(path, emb=emb)
    return emb


def _oracle(cache: Path, articles: list[Article]) -> None:
    """Oracle labels over the summary candidates (slow: rouge-score), cached as JSON."""
    path = cache / "oracle.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    for a in articles:
        cands = summary_candidates(a.sentences, N)
        if a.id not in stored:
            picked = oracle_labels([a.sentences[i].text for i in cands], a.reference or "", k=N)
            stored[a.id] = [cands[p] for p in picked]
        a.summary_target = {i: float(i in stored[a.id]) for i in cands}
    path.write_text(json.dumps(stored))


def load_all(
    encoder: Encoder, cache: Path, more_labels: Path | None = None
) -> tuple[list[Article], list[Article], list[Article]]:
    """(CNN dev articles in file order, the significance set's own written articles, BBC labelled articles)."""
    cache.mkdir(parents=True, exist_ok=True)
    records = [json.loads(line) for line in DEV.open(encoding="utf-8") if line.strip()]
    cnn = []
    for k, r in enumerate(records):
        sents = segment(r["article"])
        emb = _embeddings(cache, f"cnn_{k}", sents, encoder)
        default = select_summary(sents, emb, max_sentences=N, max_words=None)[0]
        cnn.append(Article(r["id"], "cnn", sents, emb, default, r["reference"], bool(r.get("cased", True))))
    _oracle(cache, cnn)
    by_id = {a.id: a for a in cnn}
    written = []
    rows = list(map(json.loads, SIGNIFICANCE_LABELS.open(encoding="utf-8")))
    if more_labels is not None:  # dev articles only (joined by id), after the written ones' indices
        rows += map(json.loads, more_labels.open(encoding="utf-8"))
    for k, row in enumerate(rows):
        a = by_id.get(row["id"])
        if a is None and row.get("text"):  # labelled articles that carry their own text (not from the dev file)
            sents = segment(row["text"])
            emb = _embeddings(cache, f"written_{k}", sents, encoder)
            default = select_summary(sents, emb, max_sentences=N, max_words=None)[0]
            a = Article(row["id"], "written", sents, emb, default)
            written.append(a)
        if a is None:
            continue
        spans = {(s["start"], s["end"]): s["label"] for s in row["sentences"]}
        a.significance = {
            s.index: float(spans[(s.start, s.end)] == "SIGNIFICANCE") for s in a.sentences if (s.start, s.end) in spans
        }
    texts = {r["id"]: r["article"] for r in map(json.loads, BBC_ARTICLES.open(encoding="utf-8"))}
    bbc = []
    for k, row in enumerate(map(json.loads, BBC_LABELS.open(encoding="utf-8"))):
        sents = segment(texts[row["id"]])
        emb = _embeddings(cache, f"bbc_{k}", sents, encoder)
        default = select_summary(sents, emb, max_sentences=N, max_words=None)[0]
        spans = {(s["start"], s["end"]): s for s in row["sentences"]}
        a = Article(row["id"], "bbc", sents, emb, default)
        for s in sents:
            lab = spans.get((s.start, s.end))
            if lab is not None:
                a.significance[s.index] = float(lab["label"] == "SIGNIFICANCE")
                a.summary_target[s.index] = float(lab["summary"] >= 0.5)
        bbc.append(a)
    return cnn, written, bbc

"""Do the BBC summary picks transfer to CNN/DailyMail? A learned selection head, cross-validated.

    python benchmarks/summary_transfer.py

The learned selection head of benchmarks/quality.py (logistic regression on position, length,
centrality, lead/title similarity and quote signals) scored on the CNN/DailyMail dev references
with 5-fold CV, trained on: (A) the CNN training folds with oracle labels (the sentences that
maximise ROUGE against the reference), (B) those plus the 400 BBC articles with their annotators'
three-sentence picks (benchmarks/data/bbc_labels: a sentence picked by at least half of its
annotators is positive), (C) the BBC picks alone. Lead-3 and the default (unsupervised) selection
are scored on the same segmentation. Encoder: float32 torch, the same on every CPU.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from quality import DEFAULT_DATA, FOLDS, SUMMARY_HEAD_L2, SUMMARY_HEAD_REDUNDANCY, folds_for, print_summary_table

from summarizer import Settings, Summarizer
from summarizer.selection.features import summary_features
from summarizer.selection.ranking import mmr_select, select_summary, summary_candidates
from summarizer.text import Sentence, segment
from training.bullet_head import fit_logistic, oracle_labels

BBC_LABELS = ROOT / "benchmarks" / "data" / "bbc_labels" / "labels.jsonl"
BBC_ARTICLES = ROOT.parent / "shared" / "eval" / "bbc_news.jsonl"
N = 3

Row = tuple[list[int], np.ndarray, np.ndarray]  # candidates, features, targets


def rows_for(sentences: list[Sentence], embeddings: np.ndarray, positive: set[int]) -> Row:
    candidates = summary_candidates(sentences, N)
    x, names = summary_features(sentences, embeddings, candidates, None)
    cols = [i for i, name in enumerate(names) if not name.startswith("emb_")]
    return candidates, x[:, cols], np.array([float(i in positive) for i in candidates])


def fit(rows: list[Row]) -> object:
    return fit_logistic(
        np.vstack([r[1] for r in rows]),
        np.concatenate([r[2] for r in rows]),
        [str(i) for i in range(rows[0][1].shape[1])],
        kind="summary",
        l2=SUMMARY_HEAD_L2,
        positive_weight=1.0,
    )


def main() -> int:
    torch.set_num_threads(2)
    encoder = Summarizer.load(settings=Settings(device="cpu", precision="float32", engine="torch"))
    encode = encoder.backend.models.encoder.encode  # type: ignore[attr-defined]
    records = [json.loads(line) for line in DEFAULT_DATA.open(encoding="utf-8")]
    cnn_sentences = [segment(r["article"]) for r in records]
    cnn_embeddings = [encode([s.text for s in sents]) for sents in cnn_sentences]
    cnn_rows = []
    for sents, emb, record in zip(cnn_sentences, cnn_embeddings, records, strict=True):
        candidates = summary_candidates(sents, N)
        oracle = oracle_labels([sents[i].text for i in candidates], record["reference"], k=N)
        cnn_rows.append(rows_for(sents, emb, {candidates[i] for i in oracle}))

    texts = {r["id"]: r["article"] for r in map(json.loads, BBC_ARTICLES.open(encoding="utf-8"))}
    bbc_rows = []
    for row in map(json.loads, BBC_LABELS.open(encoding="utf-8")):
        sents = segment(texts[row["id"]])
        picked = {(s["start"], s["end"]) for s in row["sentences"] if s["summary"] >= 0.5}
        positive = {s.index for s in sents if (s.start, s.end) in picked}
        bbc_rows.append(rows_for(sents, encode([s.text for s in sents]), positive))

    folds = folds_for(len(records))
    systems: dict[str, list[list[str]]] = {
        f"Lead-{N}": [[s.text for s in sents[:N]] for sents in cnn_sentences],
        "default: unsupervised, whole sentences": [
            [sents[i].text for i in select_summary(sents, emb, max_sentences=N, max_words=None)[0]]
            for sents, emb in zip(cnn_sentences, cnn_embeddings, strict=True)
        ],
    }
    variants = {
        "A: learned head, CNN oracle labels": lambda train: train,
        "B: learned head, CNN oracle labels + BBC picks": lambda train: train + bbc_rows,
        "C: learned head, BBC picks only": lambda train: bbc_rows,
    }
    for name, training_rows in variants.items():
        chosen: list[list[str]] = [[] for _ in records]
        for f in range(FOLDS):
            head = fit(training_rows([r for r, ff in zip(cnn_rows, folds, strict=True) if ff != f]))
            for k in np.flatnonzero(folds == f):
                candidates, x, _ = cnn_rows[k]
                picked = mmr_select(head.probability(x), cnn_embeddings[k][candidates], N, SUMMARY_HEAD_REDUNDANCY)
                chosen[k] = [cnn_sentences[k][candidates[p]].text for p in sorted(picked)]
        systems[name] = chosen
    print(f"{len(records)} CNN/DailyMail dev articles ({FOLDS}-fold CV), {len(bbc_rows)} BBC articles with picks")
    print_summary_table(systems, [r["reference"] for r in records], np.random.default_rng(0))
    return 0


if __name__ == "__main__":
    sys.exit(main())

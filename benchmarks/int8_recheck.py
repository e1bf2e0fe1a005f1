"""Could int8 serve if the articles near a decision were rechecked in fp32? Measured, not served.

    python benchmarks/int8_recheck.py [--data ../shared/eval/cnndm_dev.jsonl]

int8 ONNX Runtime runs the encoder about twice as fast as fp32 on an AVX-512 VNNI CPU but fails the
quality guard (the same bullets as fp32 on at least 97% of articles). The cheapest way around it
would be a cascade: encode every article in int8, and encode again in fp32 only the articles whose
decision could flip, those with a bullet candidate whose int8 probability lies within a margin of
the head's threshold, or two eligible candidates within the margin of each other. This prints, for
several margins, the share of articles such a cascade sends to fp32, how often its output would
match fp32's, and its encoder time against fp32 alone (int8 time plus the rechecked share of the
fp32 time), on the same articles in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.components.encoding import EncodedArticle, encode_articles
from summarizer.components.prepare import PreparedArticle, prepare_article
from summarizer.components.shared import SharedModels, load_shared_models
from summarizer.config import Settings
from summarizer.selection.features import bullet_features
from summarizer.selection.ranking import bullet_candidates, hard_negatives, select_bullets, select_summary

MARGINS = (0.01, 0.02, 0.03, 0.05)
CHUNK = 16  # articles per encoder call, as summarize_many


def decide(models: SharedModels, article: PreparedArticle, encoded: EncodedArticle) -> tuple:
    """The summary and bullets the served code would pick, and the head's probability per candidate."""
    sentences, embeddings = article.sentences, encoded.embeddings
    summary, _ = select_summary(
        sentences, embeddings, max_sentences=3, max_words=None, title_embedding=encoded.title_embedding
    )
    bullets, _ = select_bullets(sentences, embeddings, summary, models.prototypes, count=2, head=models.bullet_head)
    candidates = bullet_candidates(sentences, summary)
    probability = np.zeros(0)
    if candidates and models.bullet_head is not None:
        features, names = bullet_features(sentences, embeddings, candidates, summary, models.prototypes)
        probability = models.bullet_head.probability(features[:, models.bullet_head.columns(names)])
        probability = probability[~hard_negatives(sentences, candidates)]
    return summary, bullets, probability


def encode_all(models: SharedModels, articles: list[PreparedArticle]) -> tuple[list[EncodedArticle], float]:
    started = time.perf_counter()
    encoded: list[EncodedArticle] = []
    for i in range(0, len(articles), CHUNK):
        encoded += encode_articles(models.encoder, articles[i : i + CHUNK])
    return encoded, time.perf_counter() - started


def near_decision(probability: np.ndarray, threshold: float, margin: float) -> bool:
    """A candidate within ``margin`` of the threshold, or the second and third eligible within it of each other."""
    if len(probability) and np.min(np.abs(probability - threshold)) < margin:
        return True
    eligible = np.sort(probability[probability >= threshold])[::-1]
    return len(eligible) >= 3 and eligible[1] - eligible[2] < margin


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    records = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    settings = Settings()
    articles = [prepare_article(r["article"], None, settings) for r in records]
    by_precision = {
        p: load_shared_models(Settings(device="cpu", engine="onnx", precision=p)) for p in ("float32", "int8")
    }
    encode_all(by_precision["int8"], articles[:CHUNK])  # warm both runtimes before timing
    encode_all(by_precision["float32"], articles[:CHUNK])
    encoded, seconds = {}, {}
    for precision, models in by_precision.items():
        encoded[precision], seconds[precision] = encode_all(models, articles)

    head = by_precision["int8"].bullet_head
    threshold = head.threshold if head is not None else 0.5
    same_bullets, same_summary, probabilities = [], [], []
    for k, article in enumerate(articles):
        summary8, bullets8, probability8 = decide(by_precision["int8"], article, encoded["int8"][k])
        summary32, bullets32, _ = decide(by_precision["float32"], article, encoded["float32"][k])
        same_bullets.append(bullets8 == bullets32)
        same_summary.append(summary8 == summary32)
        probabilities.append(probability8)

    ratio = seconds["int8"] / seconds["float32"]
    print(
        f"{len(articles)} articles, {args.threads} threads; ONNX Runtime encoder: fp32 {seconds['float32']:.1f} s, "
        f"int8 {seconds['int8']:.1f} s ({ratio:.2f} of fp32)"
    )
    print(
        f"int8 alone: the same bullets as fp32 on {np.mean(same_bullets):.1%}, "
        f"the same summary on {np.mean(same_summary):.1%}"
    )
    print("\n| margin | rechecked in fp32 | same bullets | same bullets and summary | encoder time vs fp32 |")
    print("|---|---|---|---|---|")
    for margin in MARGINS:
        flagged = np.array([near_decision(p, threshold, margin) for p in probabilities])
        bullets = np.mean(flagged | np.array(same_bullets))
        both = np.mean(flagged | (np.array(same_bullets) & np.array(same_summary)))
        cost = ratio + flagged.mean()
        print(f"| {margin} | {flagged.mean():.0%} | {bullets:.1%} | {both:.1%} | {cost:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

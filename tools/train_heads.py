"""Train the shipped heads and write their weights: the "Why it matters" head on the labelled
significance sets, and the summary trim head on the CNN/DailyMail dev file's reference highlights.

    python tools/train_heads.py [--labels benchmarks/data/{significance,dev_labels,bbc_labels}/labels.jsonl] \
        [--dev ../shared/eval/cnndm_dev.jsonl] [--bbc ../shared/eval/bbc_news.jsonl] \
        [--out summarizer/weights/bullet_head.json] [--dense-out summarizer/weights/bullet_head_dense.json] \
        [--trim-out summarizer/weights/trim_head.json]

Feature set, L2 penalty and thresholds are chosen by cross-validation inside the data
(``fit_bullet_head``, ``fit_trim_head``); benchmarks/quality.py runs the same procedures inside
each outer fold to report held-out quality.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Summarizer
from summarizer.heads import BULLET_HEAD_FILE, DENSE_BULLET_HEAD_FILE, TRIM_HEAD_FILE
from summarizer.selection.ranking import select_summary
from summarizer.text import segment
from training.bullet_data import build_examples, load_labelled
from training.bullet_head import BULLET_FEATURE_SETS, fit_bullet_head
from training.trim_head import fit_trim_head, trim_example


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    labels = ROOT / "benchmarks" / "data"
    parser.add_argument(
        "--labels",
        type=Path,
        nargs="+",
        default=[labels / name / "labels.jsonl" for name in ("significance", "dev_labels", "bbc_labels")],
    )
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared/eval/cnndm_dev.jsonl")
    parser.add_argument("--bbc", type=Path, default=ROOT.parent / "shared/eval/bbc_news.jsonl", help="BBC texts")
    parser.add_argument("--out", type=Path, default=BULLET_HEAD_FILE)
    parser.add_argument("--dense-out", type=Path, default=DENSE_BULLET_HEAD_FILE, help="the head for other encoders")
    parser.add_argument("--trim-out", type=Path, default=TRIM_HEAD_FILE)
    parser.add_argument("--heads", nargs="+", choices=("bullets", "trim"), default=["bullets", "trim"])
    args = parser.parse_args()
    torch.manual_seed(0)

    summarizer = Summarizer.load()
    if "bullets" in args.heads:
        heads = {args.out: BULLET_FEATURE_SETS, args.dense_out: ("dense",)}
        train_bullets(summarizer, args.labels, [args.dev, args.bbc], heads)
    if "trim" in args.heads:
        train_trim(summarizer, args.dev, args.trim_out)
    return 0


def train_bullets(
    summarizer: Summarizer, labels: list[Path], texts: list[Path], heads: dict[Path, tuple[str, ...]]
) -> None:
    """One head per output file, each choosing among its feature sets, all on the same examples."""
    articles = [a for path in labels for a in load_labelled(path, *texts)]
    started = time.perf_counter()
    examples = build_examples(articles, summarizer.backend.models.encoder, summarizer.backend.models.prototypes)
    positives = int(sum(e.target.sum() for e in examples))
    for out, feature_sets in heads.items():
        head = fit_bullet_head(
            examples,
            feature_sets=feature_sets,
            metadata={
                "trained_on": f"{', '.join(p.parent.name for p in labels)}: "
                f"{len(examples)} articles, {positives} significance sentences",
                "encoder": summarizer.backend.models.encoder.name,
            },
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        head.save(out)
        print(
            f"{len(examples)} articles, {sum(len(e.target) for e in examples)} candidates, {positives} positive; "
            f"chose {head.metadata['feature_set']}, l2={head.metadata['l2']}, threshold={head.threshold} "
            f"(inner-CV precision@2 {head.metadata['inner_cv_precision_at_2']:.3f}) "
            f"in {time.perf_counter() - started:.0f}s -> {out}"
        )


def train_trim(summarizer: Summarizer, dev: Path, out: Path) -> None:
    """Trim head: candidate cuts of the default summary of every dev article, scored against its highlights."""
    started = time.perf_counter()
    with dev.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    examples = []
    for record in records:
        sentences = segment(record["article"])
        embeddings = summarizer.backend.models.encoder.encode([s.text for s in sentences])
        summary, _ = select_summary(sentences, embeddings, max_sentences=3, max_words=None)
        examples.append(trim_example(record["article"], sentences, summary, record["reference"]))
    head = fit_trim_head(
        examples,
        metadata={
            "trained_on": f"{dev.name}: {len(examples)} articles, {sum(len(e.cuts) for e in examples)} candidate cuts",
            "target": "ROUGE-1 F1 x 100 gain of the 3-sentence summary against the reference highlights",
            "encoder": f"{summarizer.backend.models.encoder.name} ({summarizer.backend.models.encoder.precision})",
        },
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    head.save(out)
    print(
        f"trim head: {len(examples)} articles; chose l2={head.metadata['l2']}, threshold={head.threshold} "
        f"(inner-CV gain {head.metadata['inner_cv_gain_per_article']:+.2f} R1 per article) "
        f"in {time.perf_counter() - started:.0f}s -> {out}"
    )


if __name__ == "__main__":
    sys.exit(main())

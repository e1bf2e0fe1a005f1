"""Train the "Why it matters" head on the labelled significance set and write the shipped weights.

    python tools/train_heads.py --labels benchmarks/data/significance/labels.jsonl \
        --dev ../shared/eval/cnndm_dev.jsonl [--out summarizer/weights/bullet_head.json]

Feature set, L2 penalty and abstention threshold are chosen by cross-validation inside the data
(``summarizer.heads.train.fit_bullet_head``); benchmarks/quality.py runs the same procedure inside
each outer fold to report held-out precision.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Summarizer
from summarizer.heads import BULLET_HEAD_FILE
from summarizer.heads.bullet_data import build_examples, load_labelled
from summarizer.heads.train import fit_bullet_head


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=ROOT / "benchmarks/data/significance/labels.jsonl")
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared/eval/cnndm_dev.jsonl")
    parser.add_argument("--out", type=Path, default=BULLET_HEAD_FILE)
    args = parser.parse_args()
    torch.manual_seed(0)

    summarizer = Summarizer.load()
    articles = load_labelled(args.labels, args.dev)
    started = time.perf_counter()
    examples = build_examples(articles, summarizer.encoder, summarizer.prototypes)
    positives = int(sum(e.target.sum() for e in examples))
    head = fit_bullet_head(
        examples,
        metadata={
            "trained_on": f"{args.labels.name}: {len(examples)} articles, {positives} significance sentences",
            "encoder": summarizer.encoder.name,
        },
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    head.save(args.out)
    print(
        f"{len(examples)} articles, {sum(len(e.target) for e in examples)} candidates, {positives} positive; "
        f"chose {head.metadata['feature_set']}, l2={head.metadata['l2']}, threshold={head.threshold} "
        f"(inner-CV precision@2 {head.metadata['inner_cv_precision_at_2']:.3f}) "
        f"in {time.perf_counter() - started:.0f}s "
        f"-> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

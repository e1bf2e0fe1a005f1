"""Write annotation task files: articles split into numbered sentences by the project's segmenter.

    python tools/annotation_tasks.py --dev ../shared/eval/cnndm_dev.jsonl --count 90 \
        --written benchmarks/data/significance/written -o /tmp/tasks.jsonl

Each output line: {"id", "source", "text", "sentences": [{"i", "start", "end", "text"}]}.
Annotators return {"id", "labels": ["EVENT"|"SIGNIFICANCE"|"OTHER", ...]} (one per sentence);
``tools/annotation_merge.py`` joins those labels with the offsets into the labelled set.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.text import segment


def task(article_id: str, source: str, text: str) -> dict:
    sentences = [{"i": s.index, "start": s.start, "end": s.end, "text": s.text} for s in segment(text)]
    return {"id": article_id, "source": source, "text": text, "sentences": sentences}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", type=Path, help="cnndm_dev.jsonl")
    parser.add_argument("--count", type=int, default=90, help="dev articles to sample")
    parser.add_argument("--min-sentences", type=int, default=8)
    parser.add_argument("--max-sentences", type=int, default=35)
    parser.add_argument("--written", type=Path, help="folder of .txt articles written for the project")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()

    tasks = []
    if args.dev:
        records = [json.loads(line) for line in args.dev.open(encoding="utf-8")]
        eligible = [r for r in records if args.min_sentences <= len(segment(r["article"])) <= args.max_sentences]
        random.Random(args.seed).shuffle(eligible)
        tasks += [task(r["id"], "cnndm_dev", r["article"]) for r in eligible[: args.count]]
    if args.written:
        for path in sorted(args.written.glob("*.txt")):
            tasks.append(task(path.stem, "written", path.read_text(encoding="utf-8")))
    with args.output.open("w", encoding="utf-8") as fh:
        for t in tasks:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")
    print(f"{len(tasks)} articles, {sum(len(t['sentences']) for t in tasks)} sentences -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

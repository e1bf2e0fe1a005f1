"""Sample trimmed summary sentences for a by-eye review: is the kept part a complete sentence, and
does the cut tail hold a fact a reader of the summary needs?

    python tools/trim_review_tasks.py --data ../shared/eval/cnndm_dev.jsonl --count 80 -o /tmp/trims.jsonl

Runs the shipped summarizer (float32, torch: the same cuts on every machine) over the dev file,
collects every summary sentence the trim head cut, and samples ``--count`` of them (seed 13).
Each line: {"n", "id", "sentence", "kept", "tail"}. Reviewers return {"n", "verdict": "OK" |
"FRAGMENT" | "FACT_LOSING", "note"}; tools/trim_review_score.py counts the verdicts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer import Settings, Summarizer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/eval/cnndm_dev.jsonl"
    )
    parser.add_argument("--count", type=int, default=80)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()

    summarizer = Summarizer.load(settings=Settings(device="cpu", precision="float32", engine="torch"))
    records = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    trims = []
    for record, summary in zip(records, summarizer.summarize_many([r["article"] for r in records]), strict=True):
        text = record["article"]
        for span in summary.sentences:
            if span.sentence_end is not None:
                sentence = " ".join(text[span.start : span.sentence_end].split())
                kept = " ".join(text[span.start : span.end].split())
                tail = " ".join(text[span.end : span.sentence_end].split())
                trims.append({"id": record["id"], "sentence": sentence, "kept": kept, "tail": tail})
    random.Random(args.seed).shuffle(trims)
    with args.output.open("w", encoding="utf-8") as fh:
        for n, trim in enumerate(trims[: args.count]):
            fh.write(json.dumps({"n": n, **trim}, ensure_ascii=False) + "\n")
    print(f"{len(trims)} trimmed sentences in {len(records)} articles; {min(args.count, len(trims))} -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

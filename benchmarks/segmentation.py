"""What segmentation makes of news pages: sentences, blocks, flagged captions, and Lead-3 on top of it.

    python benchmarks/segmentation.py [--data ../shared/eval/cnndm_dev.jsonl] [--git-ref REF]

A block is a span over 350 characters or with three or more sentence ends inside (what the quality
issue counts). "Flagged" are the sentences segmentation marks as boilerplate (bylines, captions,
credits, "Click here" lines): never chosen. Lead-3 R1 takes the first three content sentences of
each article (no model), so the row moves only with segmentation. With ``--git-ref`` the same
figures are printed for that commit's ``summarizer/text`` too (checked out into a temporary folder),
so a change is measured before and after in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"

# Run as a child with the package root on sys.path, so that a past commit's code can be measured too.
_MEASURE = """
import json, sys
import numpy as np
from rouge_score import rouge_scorer
from summarizer.selection.ranking import is_block, is_content
from summarizer.text import segment
records = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
sentences = blocks = flagged = 0
r1 = []
for r in records:
    spans = segment(r["article"])
    sentences += len(spans)
    blocks += sum(is_block(s) for s in spans)
    flagged += sum(s.boilerplate for s in spans)
    if "reference" in r:
        lead = "\\n".join(s.text for s in spans if is_content(s))
        lead = "\\n".join(lead.split("\\n")[:3])
        r1.append(scorer.score(r["reference"], lead)["rouge1"].fmeasure * 100)
lead3 = f"{np.mean(r1):.2f}" if r1 else "-"
print(json.dumps([len(records), sentences, blocks, flagged, lead3]))
"""


def measure(root: Path, data: Path) -> list:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(data)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--git-ref", help="also measure this commit's segmentation (e.g. HEAD~1)")
    args = parser.parse_args(argv)
    rows = []
    if args.git_ref:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(
                ["git", "archive", args.git_ref, "summarizer"], cwd=ROOT, capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            rows.append((args.git_ref, measure(Path(tmp), args.data.resolve())))
    rows.append(("this tree", measure(ROOT, args.data.resolve())))
    print(f"{rows[0][1][0]} articles from {args.data.name}")
    print("| code | sentences | blocks | share | captions and boilerplate flagged | Lead-3 R1 |")
    print("|---|---|---|---|---|---|")
    for name, (_, sentences, blocks, flagged, lead3) in rows:
        print(f"| {name} | {sentences:,} | {blocks} | {blocks / sentences:.2%} | {flagged} | {lead3} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

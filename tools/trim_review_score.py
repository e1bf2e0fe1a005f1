"""Count the by-eye verdicts on sampled trims (tools/trim_review_tasks.py) and the reviewers' agreement.

python tools/trim_review_score.py benchmarks/data/trim_review/review_1.jsonl benchmarks/data/trim_review/review_2.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

VERDICTS = ("OK", "FRAGMENT", "FACT_LOSING")


def main(paths: list[str]) -> int:
    reviews = [
        [json.loads(line)["verdict"] for line in Path(p).read_text(encoding="utf-8").splitlines()] for p in paths
    ]
    print("| reviewer | OK | FRAGMENT | FACT_LOSING | fragment or fact-losing |")
    print("|---|---|---|---|---|")
    for path, verdicts in zip(paths, reviews, strict=True):
        counts = Counter(verdicts)
        bad = counts["FRAGMENT"] + counts["FACT_LOSING"]
        cells = " | ".join(str(counts[v]) for v in VERDICTS)
        print(f"| {Path(path).stem} | {cells} | {bad}/{len(verdicts)} = {bad / len(verdicts):.0%} |")
    if len(reviews) == 2:
        pairs = [(a != "OK", b != "OK") for a, b in zip(*reviews, strict=True)]
        observed = sum(a == b for a, b in pairs) / len(pairs)
        left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
        expected = sum(left[k] * right[k] for k in (True, False)) / len(pairs) ** 2
        print(
            f"agreement on OK vs not OK: {observed:.2f} raw, Cohen's kappa {(observed - expected) / (1 - expected):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Score the grounding guard against two annotators' labels (tools/grounding_tasks.py writes the tasks).

    python tools/grounding_score.py benchmarks/data/grounding/labels_annotator_1.jsonl \
        benchmarks/data/grounding/labels_annotator_2.jsonl [--generated benchmarks/data/grounding/generated.jsonl]

Label lines: {"n", "label": "supported" | "not_supported", "note"}. Prints:
- agreement between the annotators: raw and Cohen's kappa;
- the guard's precision and recall for *unsupported* sentences (the positive class), against the items
  both annotators agree on, and against each annotator alone;
- the share of generated sentences the guard drops (meta.grounding: dropped / checked, all articles).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LABELS = ("supported", "not_supported")


def read_labels(path: Path) -> dict[int, bool]:
    """n -> True when the annotator says *not supported*."""
    labels: dict[int, bool] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        label = str(row["label"]).strip().lower().replace(" ", "_")
        if label not in LABELS:
            raise SystemExit(f"{path}: item {row['n']}: label must be one of {LABELS}, got {row['label']!r}")
        labels[int(row["n"])] = label == "not_supported"
    return labels


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    left, right = Counter(a), Counter(b)
    expected = sum(left[k] * right[k] for k in (True, False)) / n**2
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def precision_recall(guard: dict[int, bool], gold: dict[int, bool]) -> tuple[float, float, int]:
    keys = [k for k in gold if k in guard]
    tp = sum(guard[k] and gold[k] for k in keys)
    flagged = sum(guard[k] for k in keys)
    unsupported = sum(gold[k] for k in keys)
    return (tp / flagged if flagged else float("nan"), tp / unsupported if unsupported else float("nan"), len(keys))


def guard_verdicts(generated: Path, articles: dict[str, str] | None = None) -> tuple[dict[int, bool], int, int]:
    """n -> True when the guard found the item unsupported (numbered as the tasks are), and dropped/checked.

    With ``articles`` (id -> text) the fact checks (numbers, names, quotes) are run again with this code on
    the stored sentences; the similarity verdict stays as generated (it needs the encoder's vectors).
    """
    from summarizer.components.grounding import ArticleFacts, missing_facts

    verdicts: dict[int, bool] = {}
    dropped = checked = 0
    n = 0
    for line in generated.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        facts = ArticleFacts.of(articles[row["id"]]) if articles is not None else None
        for item in row["items"]:
            if facts is None:
                verdicts[n] = item["guard"] == "unsupported"
            else:
                similar = [i for i in item["issues"] if i.startswith("no article sentence")]
                verdicts[n] = bool(similar or missing_facts(item["text"], facts))
            n += 1
        if row.get("grounding"):
            dropped += row["grounding"]["dropped"]
            checked += row["grounding"]["checked"]
    return verdicts, dropped, checked


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("labels", type=Path, nargs=2)
    parser.add_argument("--generated", type=Path, default=ROOT / "benchmarks/data/grounding/generated.jsonl")
    parser.add_argument(
        "--recheck",
        type=Path,
        metavar="ARTICLES.jsonl",
        help="run the fact checks again with this code, reading the articles from this file (the dev file)",
    )
    args = parser.parse_args()
    first, second = (read_labels(p) for p in args.labels)
    articles = None
    if args.recheck is not None:
        rows = (json.loads(line) for line in args.recheck.read_text(encoding="utf-8").splitlines() if line.strip())
        articles = {r["id"]: r["article"] for r in rows}
    guard, dropped, checked = guard_verdicts(args.generated, articles)
    both = sorted(set(first) & set(second))
    kappa = cohen_kappa([first[k] for k in both], [second[k] for k in both])
    agreed = {k: first[k] for k in both if first[k] == second[k]}
    print(f"items: {len(guard)} generated; labelled by both: {len(both)}")
    print(f"annotator agreement: {len(agreed) / len(both):.2f} raw, Cohen's kappa {kappa:.2f}")
    print(f"not supported: annotator 1 {sum(first.values())}, annotator 2 {sum(second.values())}")
    print("| gold | items | guard precision (unsupported) | guard recall (unsupported) |")
    print("|---|---|---|---|")
    for name, gold in (("both agree", agreed), ("annotator 1", first), ("annotator 2", second)):
        p, r, n = precision_recall(guard, gold)
        print(f"| {name} | {n} | {p:.2f} | {r:.2f} |")
    if articles is None:  # the counts of the generation run; a recheck changes verdicts, not these
        print(f"guard drops {dropped} of {checked} generated sentences checked ({dropped / max(checked, 1):.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

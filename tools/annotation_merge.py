"""Join annotators' labels with the task files into the labelled set, and measure agreement.

    python tools/annotation_merge.py --tasks /tmp/tasks_dev.jsonl /tmp/tasks_written.jsonl \
        --annotations benchmarks/data/significance/annotations/*.jsonl \
        --out benchmarks/data/significance

Doubly annotated articles are adjudicated conservatively (the guidelines' "when torn, OTHER"):
a sentence keeps a label both annotators gave it, and becomes OTHER where they disagree.
Agreement is Cohen's kappa over all doubly annotated sentences, for the three labels and for
SIGNIFICANCE against the rest (what the bullet selector learns).

Annotations that also pick a three-sentence summary and an outcome sentence (``summary``,
``outcome``; benchmarks/data/bbc_labels/GUIDELINES_SUMMARY.md) keep them per sentence: ``summary``
is the share of annotators who picked it (0, 0.5 or 1), ``outcome`` is true where every annotator
named it. Their agreement is kappa on "in the summary" over the same sentences.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

LABELS = ("EVENT", "SIGNIFICANCE", "OTHER")


def cohen_kappa(pairs: list[tuple[object, object]]) -> float:
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[k] * right[k] for k in set(left) | set(right)) / (n * n)
    return (observed - expected) / (1 - expected)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=Path, nargs="+", required=True)
    parser.add_argument("--annotations", type=Path, nargs="+", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    tasks = {}
    for path in args.tasks:
        for line in path.open(encoding="utf-8"):
            t = json.loads(line)
            tasks[t["id"]] = t
    by_article: dict[str, dict[str, list[str]]] = {}
    picks: dict[str, dict[str, tuple[list[int], int | None]]] = {}  # summary picks and outcome, if asked
    for path in args.annotations:
        annotator = path.stem
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            if len(row["labels"]) != len(tasks[row["id"]]["sentences"]):
                raise SystemExit(f"{annotator}: {row['id']} has the wrong number of labels")
            by_article.setdefault(row["id"], {})[annotator] = row["labels"]
            if "summary" in row:
                picks.setdefault(row["id"], {})[annotator] = (row["summary"], row.get("outcome"))

    summary_pairs: list[tuple[bool, bool]] = []
    pairs: list[tuple[str, str]] = []
    doubly = []
    merged_rows = []
    for article_id, task in tasks.items():
        votes = by_article.get(article_id)
        if not votes:
            continue
        annotators = sorted(votes)
        if len(annotators) >= 2:
            a, b = votes[annotators[0]], votes[annotators[1]]
            pairs.extend(zip(a, b, strict=True))
            doubly.append({"id": article_id, "annotators": annotators[:2], "labels": [a, b]})
            final = [x if x == y else "OTHER" for x, y in zip(a, b, strict=True)]
            chosen = picks.get(article_id, {})
            if len(chosen) >= 2:
                first, second = (set(chosen[name][0]) for name in annotators[:2])
                summary_pairs.extend((i in first, i in second) for i in range(len(a)))
        else:
            final = votes[annotators[0]]
        row = {"id": article_id, "source": task["source"]}
        if task["source"] not in ("cnndm_dev", "bbc_news"):  # those are joined back from ../shared/eval by id
            row["text"] = task["text"]
        row["annotators"] = annotators
        row["sentences"] = [
            {"start": s["start"], "end": s["end"], "text": s["text"], "label": label}
            for s, label in zip(task["sentences"], final, strict=True)
        ]
        chosen = picks.get(article_id, {})
        for i, sentence in enumerate(row["sentences"]):
            if chosen:
                sentence["summary"] = sum(i in summary for summary, _ in chosen.values()) / len(chosen)
                sentence["outcome"] = all(outcome == i for _, outcome in chosen.values())
        merged_rows.append(row)

    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "labels.jsonl").open("w", encoding="utf-8") as fh:
        for row in merged_rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    agreement = {
        "articles": len(doubly),
        "sentences": len(pairs),
        "raw_agreement": sum(a == b for a, b in pairs) / len(pairs),
        "kappa_three_labels": cohen_kappa(pairs),
        "kappa_significance_vs_rest": cohen_kappa([(a == "SIGNIFICANCE", b == "SIGNIFICANCE") for a, b in pairs]),
        "doubly_annotated": doubly,
    }
    if summary_pairs:
        agreement["kappa_in_summary"] = cohen_kappa(summary_pairs)
        agreement["doubly_annotated_summaries"] = {
            d["id"]: {name: picks[d["id"]][name] for name in d["annotators"]} for d in doubly if d["id"] in picks
        }
    (args.out / "agreement.json").write_text(json.dumps(agreement, indent=1) + "\n", encoding="utf-8")
    counts = Counter(s["label"] for r in merged_rows for s in r["sentences"])
    print(f"{len(merged_rows)} articles, {sum(counts.values())} sentences: {dict(counts)}")
    print(
        f"agreement on {len(doubly)} articles / {len(pairs)} sentences: raw {agreement['raw_agreement']:.3f}, "
        f"kappa {agreement['kappa_three_labels']:.3f} (3 labels), "
        f"{agreement['kappa_significance_vs_rest']:.3f} (SIGNIFICANCE vs rest)"
        + (f", {agreement['kappa_in_summary']:.3f} (in the 3-sentence summary)" if summary_pairs else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

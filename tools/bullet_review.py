"""Blind by-eye review of "Why it matters" bullets from several heads, on BBC articles no head saw.

    python tools/bullet_review.py tasks --head before=/tmp/head_before.json \
        --head dense=summarizer/weights/bullet_head_dense.json --head shipped=summarizer/weights/bullet_head.json \
        -o /tmp/bullet_review          # writes tasks.jsonl (for reviewers) and systems.json (the key)
    python tools/bullet_review.py score /tmp/bullet_review/systems.json judge_1.jsonl judge_2.jsonl

``tasks`` draws 100 BBC articles outside benchmarks/data/bbc_labels (seed 7), summarizes each with
every head (fp32 torch encoder) and writes each distinct bullet once, shuffled, with no sign of
which head chose it. Reviewers return one line per article: {"id", "verdicts": [{"k", "verdict":
"GOOD"|"PLAIN"|"JUNK"}]}. ``score`` prints each head's verdict shares and the reviewers' agreement.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BBC = ROOT.parent / "shared" / "eval" / "bbc_news.jsonl"
LABELLED = ROOT / "benchmarks" / "data" / "bbc_labels" / "labels.jsonl"
VERDICTS = ("GOOD", "PLAIN", "JUNK")


def tasks(heads: dict[str, Path], out: Path, count: int, seed: int) -> None:
    from summarizer import Settings, Summarizer

    labelled = {json.loads(line)["id"] for line in LABELLED.open(encoding="utf-8")}
    pool = [r for r in map(json.loads, BBC.open(encoding="utf-8")) if r["id"] not in labelled]
    rng = random.Random(seed)
    rng.shuffle(pool)
    picked = pool[:count]
    systems: dict[str, dict] = {r["id"]: {"bullets": {}} for r in picked}
    for name, path in heads.items():
        settings = Settings(device="cpu", precision="float32", engine="torch", bullet_head=path)
        summarizer = Summarizer.load(settings=settings)
        for r in picked:
            result = summarizer.summarize(r["article"], title=r.get("title"))
            systems[r["id"]]["summary"] = [s.text for s in result.sentences]
            systems[r["id"]]["bullets"][name] = [b.display or b.text for b in result.why_it_matters]
    out.mkdir(parents=True, exist_ok=True)
    with (out / "tasks.jsonl").open("w", encoding="utf-8") as fh:
        for r in picked:
            shown = sorted({b for bullets in systems[r["id"]]["bullets"].values() for b in bullets})
            rng.shuffle(shown)
            systems[r["id"]]["shown"] = shown
            bullets = [{"k": k, "text": b} for k, b in enumerate(shown)]
            row = {"id": r["id"], "title": r.get("title"), "text": r["article"], "summary": systems[r["id"]]["summary"]}
            fh.write(json.dumps({**row, "bullets": bullets}, ensure_ascii=False) + "\n")
    (out / "systems.json").write_text(json.dumps(systems, ensure_ascii=False, indent=1), encoding="utf-8")


def score(systems_path: Path, judges: list[Path]) -> None:
    systems = json.loads(systems_path.read_text(encoding="utf-8"))
    heads = list(next(iter(systems.values()))["bullets"])
    verdicts = []
    for path in judges:
        rows = map(json.loads, path.open(encoding="utf-8"))
        verdicts.append({r["id"]: {v["k"]: v["verdict"] for v in r["verdicts"]} for r in rows})
    print("| head | reviewer | bullets | GOOD | PLAIN | JUNK | articles without a bullet |")
    print("|---|---|---|---|---|---|---|")
    for name in heads:
        for j, judged in enumerate(verdicts, 1):
            counts: Counter[str] = Counter()
            for article_id, s in systems.items():
                for bullet in s["bullets"][name]:
                    counts[judged[article_id][s["shown"].index(bullet)]] += 1
            n = max(sum(counts.values()), 1)
            none = sum(not s["bullets"][name] for s in systems.values()) / len(systems)
            shares = " | ".join(f"{counts[v] / n:.0%}" for v in VERDICTS)
            print(f"| {name} | {j} | {sum(counts.values())} | {shares} | {none:.0%} |")
    if len(verdicts) == 2:
        pairs = [(verdicts[0][a][k], verdicts[1][a][k]) for a, s in systems.items() for k in range(len(s["shown"]))]
        observed = sum(x == y for x, y in pairs) / len(pairs)
        expected = sum(
            (sum(x == v for x, _ in pairs) / len(pairs)) * (sum(y == v for _, y in pairs) / len(pairs))
            for v in VERDICTS
        )
        kappa = (observed - expected) / (1 - expected)
        print(f"\nreviewers agree on {observed:.0%} of {len(pairs)} bullets (Cohen's kappa {kappa:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("tasks")
    make.add_argument("--head", action="append", required=True, help="NAME=PATH of a bullet head JSON")
    make.add_argument("-o", "--out", type=Path, required=True)
    make.add_argument("--count", type=int, default=100)
    make.add_argument("--seed", type=int, default=7)
    judge = sub.add_parser("score")
    judge.add_argument("systems", type=Path)
    judge.add_argument("judges", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "tasks":
        tasks({n: Path(p) for n, p in (h.split("=", 1) for h in args.head)}, args.out, args.count, args.seed)
    else:
        score(args.systems, args.judges)
    return 0


if __name__ == "__main__":
    sys.exit(main())

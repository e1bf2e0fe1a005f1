"""Write annotation task files: articles split into numbered sentences by the project's segmenter.

    python tools/annotation_tasks.py --dev ../shared/eval/cnndm_dev.jsonl --count 90 \
        --written benchmarks/data/significance/written -o /tmp/tasks.jsonl
    python tools/annotation_tasks.py --bbc ../shared/eval/bbc_news.jsonl --per-topic 80 --shards 4 \
        -o /tmp/bbc_tasks.jsonl      # writes bbc_tasks_0..3.jsonl and bbc_tasks_double.jsonl
    python tools/annotation_tasks.py --dev ../shared/eval/cnndm_dev.jsonl \
        --exclude benchmarks/data/significance/labels.jsonl -o /tmp/dev_tasks.jsonl   # the rest of the dev file

BBC articles are sampled per topic (seed 13, 8-35 sentences) and dealt round-robin into shards, one
annotator each; every fourth article of every shard also goes to the ``double`` file, for a second
annotator (a quarter of the articles doubly annotated).

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


def task(article_id: str, source: str, text: str, **extra: str) -> dict:
    sentences = [{"i": s.index, "start": s.start, "end": s.end, "text": s.text} for s in segment(text)]
    return {"id": article_id, "source": source, **extra, "text": text, "sentences": sentences}


def write(path: Path, tasks: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for t in tasks:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")
    print(f"{len(tasks)} articles, {sum(len(t['sentences']) for t in tasks)} sentences -> {path}")


def bbc_shards(path: Path, per_topic: int, shards: int, sizes: tuple[int, int], seed: int, out: Path) -> None:
    by_topic: dict[str, list[dict]] = {}
    for line in path.open(encoding="utf-8"):
        r = json.loads(line)
        if sizes[0] <= len(segment(r["article"])) <= sizes[1]:
            by_topic.setdefault(r["topic"], []).append(r)
    rng = random.Random(seed)
    dealt: list[list[dict]] = [[] for _ in range(shards)]
    for topic in sorted(by_topic):
        items = by_topic[topic]
        rng.shuffle(items)
        for k, r in enumerate(items[:per_topic]):
            dealt[k % shards].append(r)
    as_tasks = [
        [task(r["id"], "bbc_news", r["article"], topic=r["topic"], title=r["title"]) for r in shard] for shard in dealt
    ]
    write_shards(as_tasks, out)


def dev_shards(path: Path, exclude: Path, shards: int, sizes: tuple[int, int], seed: int, out: Path) -> None:
    """The dev articles not yet in ``exclude`` (a labels.jsonl), dealt round-robin into shards."""
    done = {json.loads(line)["id"] for line in exclude.open(encoding="utf-8")}
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    eligible = [r for r in records if r["id"] not in done and sizes[0] <= len(segment(r["article"])) <= sizes[1]]
    random.Random(seed).shuffle(eligible)
    write_shards([[task(r["id"], "cnndm_dev", r["article"]) for r in eligible[k::shards]] for k in range(shards)], out)


def write_shards(as_tasks: list[list[dict]], out: Path) -> None:
    """One file per annotator, and every fourth article of every shard again for a second annotator."""
    for k, shard in enumerate(as_tasks):
        write(out.with_name(f"{out.stem}_{k}{out.suffix}"), shard)
    write(out.with_name(f"{out.stem}_double{out.suffix}"), [t for shard in as_tasks for t in shard[::4]])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", type=Path, help="cnndm_dev.jsonl")
    parser.add_argument("--count", type=int, default=90, help="dev articles to sample")
    parser.add_argument("--min-sentences", type=int, default=8)
    parser.add_argument("--max-sentences", type=int, default=35)
    parser.add_argument("--written", type=Path, help="folder of .txt articles written for the project")
    parser.add_argument("--bbc", type=Path, help="bbc_news.jsonl: write per-annotator shards instead")
    parser.add_argument("--per-topic", type=int, default=80, help="BBC articles per topic")
    parser.add_argument("--shards", type=int, default=4, help="BBC shards (one annotator each)")
    parser.add_argument(
        "--exclude", type=Path, help="with --dev: leave out the articles of this labels.jsonl, write shards"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    if args.bbc:
        sizes = (args.min_sentences, args.max_sentences)
        bbc_shards(args.bbc, args.per_topic, args.shards, sizes, args.seed, args.output)
        return 0
    if args.dev and args.exclude:
        sizes = (args.min_sentences, args.max_sentences)
        dev_shards(args.dev, args.exclude, args.shards, sizes, args.seed, args.output)
        return 0

    tasks = []
    if args.dev:
        records = [json.loads(line) for line in args.dev.open(encoding="utf-8")]
        eligible = [r for r in records if args.min_sentences <= len(segment(r["article"])) <= args.max_sentences]
        random.Random(args.seed).shuffle(eligible)
        tasks += [task(r["id"], "cnndm_dev", r["article"]) for r in eligible[: args.count]]
    if args.written:
        for path in sorted(args.written.glob("*.txt")):
            tasks.append(task(path.stem, "written", path.read_text(encoding="utf-8")))
    write(args.output, tasks)
    return 0


if __name__ == "__main__":
    sys.exit(main())

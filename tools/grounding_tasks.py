"""Generate with SmolLM2 on dev articles, record the grounding guard's verdicts, write blind label tasks.

    python tools/grounding_tasks.py [--data ../shared/eval/cnndm_dev.jsonl] [--count 40]
                                    [--out benchmarks/data/grounding] [--max-new-tokens 160]
    python tools/grounding_tasks.py --tasks-only      # rewrite the task files from generated.jsonl

Runs the llm backend (local SmolLM2-135M-Instruct, the default GGUF; SUMMARIZER_LLM_UNSUPPORTED=drop)
over ``--count`` articles sampled from the dev file (seed 13; CNN/DailyMail dev articles only, never
the reserved test data). Every generated sentence the reader would see (kept) or that the guard
removed (dropped) is one item; sentences past max_sentences are neither shown nor labelled.

Writes to ``--out``:
- ``generated.jsonl``: one line per article, appended as it finishes (a rerun resumes):
  {"id", "items": [{"part", "text", "guard": "supported" | "unsupported", "issues", "sources"}],
   "grounding": meta.grounding, "seconds"}
- ``tasks_annotator_1.jsonl``, ``tasks_annotator_2.jsonl``: the same items, numbered ``n`` the same way,
  each file in its own order, without the guard's verdict: {"n", "article_id", "article", "sentence"}.
  Annotators answer {"n", "label": "supported" | "not_supported", "note"} one line per item.
``tools/grounding_score.py`` scores the answers.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Settings, Summarizer, Summary

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "data" / "grounding"


def items_of(summary: Summary) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for part, spans in (("summary", summary.sentences), ("why_it_matters", summary.why_it_matters)):
        for span in spans:
            if span.generated:
                sources = [[s.start, s.end] for s in span.sources]
                items.append({"part": part, "text": span.text, "guard": "supported", "issues": [], "sources": sources})
    grounding = summary.meta.grounding
    for rejected in grounding.rejected if grounding is not None else []:
        items.append({"part": rejected.part, "text": rejected.text, "guard": "unsupported", "issues": rejected.issues})
    return items


def load_records(path: Path, count: int, seed: int) -> list[dict[str, str]]:
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    return random.Random(seed).sample(records, count)


def generate(args: argparse.Namespace) -> None:
    out = args.out / "generated.jsonl"
    done = {json.loads(line)["id"] for line in out.open(encoding="utf-8")} if out.exists() else set()
    settings = Settings(backend="llm", device="cpu", llm_max_new_tokens=args.max_new_tokens, torch_threads=args.threads)
    summarizer = Summarizer.load(settings=settings)
    for k, record in enumerate(load_records(args.data, args.count, args.seed)):
        if record["id"] in done:
            continue
        started = time.perf_counter()
        summary = summarizer.summarize(record["article"])
        seconds = round(time.perf_counter() - started, 2)
        grounding = summary.meta.grounding.model_dump() if summary.meta.grounding is not None else None
        line = {"id": record["id"], "items": items_of(summary), "grounding": grounding, "seconds": seconds}
        with out.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        print(f"{k + 1}/{args.count} {record['id']}: {len(line['items'])} items, {seconds} s", flush=True)


def write_tasks(args: argparse.Namespace) -> None:
    articles = {r["id"]: r["article"] for r in load_records(args.data, args.count, args.seed)}
    lines = [json.loads(line) for line in (args.out / "generated.jsonl").open(encoding="utf-8")]
    tasks = [
        {"n": n, "article_id": article_id, "article": articles[article_id], "sentence": text}
        for n, (article_id, text) in enumerate(
            (line["id"], item["text"]) for line in lines if line["id"] in articles for item in line["items"]
        )
    ]
    for annotator in (1, 2):
        shuffled = tasks[:]
        random.Random(100 + annotator).shuffle(shuffled)  # each annotator sees its own order
        with (args.out / f"tasks_annotator_{annotator}.jsonl").open("w", encoding="utf-8") as fh:
            for task in shuffled:
                fh.write(json.dumps(task, ensure_ascii=False) + "\n")
    print(f"{len(tasks)} items from {len(lines)} articles -> {args.out}/tasks_annotator_{{1,2}}.jsonl")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--max-new-tokens", type=int, default=160)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tasks-only", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.tasks_only:
        generate(args)
    write_tasks(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

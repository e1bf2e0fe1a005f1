"""Seconds per article and tokens/s of the llm backend's local model on CPU, beside the extractive backend, in one run.

    python benchmarks/llm_speed.py [--data ../shared/eval/cnndm_dev.jsonl] [--articles 5] [--threads 2]
                                   [--max-new-tokens 160]

Both backends summarize the same dev articles (sampled with seed 7), one article per call, after
one warm-up call each. For the llm backend (default local model, SmolLM2-135M-Instruct) it also
reports prompt and generated tokens and generated tokens per second of generation time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch

from summarizer import Settings, Summarizer

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"


def timed(summarizer: Summarizer, articles: list[str]) -> tuple[list[float], list]:
    summarizer.summarize(articles[0])  # warm-up
    seconds, results = [], []
    for text in articles:
        started = time.perf_counter()
        results.append(summarizer.summarize(text))
        seconds.append(time.perf_counter() - started)
    return seconds, results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-new-tokens", type=int, default=160)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    records = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    articles = [r["article"] for r in random.Random(7).sample(records, args.articles)]
    words = statistics.mean(len(a.split()) for a in articles)

    base = Settings(device="cpu", torch_threads=args.threads)
    extractive = Summarizer.load(settings=base)
    ext_seconds, _ = timed(extractive, articles)
    llm = Summarizer.load(
        settings=base.model_copy(update={"backend": "llm", "llm_max_new_tokens": args.max_new_tokens})
    )
    llm_seconds, results = timed(llm, articles)
    prompt = sum(r.meta.tokens.prompt for r in results if r.meta.tokens)
    generated = sum(r.meta.tokens.completion for r in results if r.meta.tokens)
    generate_s = sum(r.meta.timings_ms.get("generate", 0.0) for r in results) / 1000

    print(f"{args.articles} CNN/DailyMail dev articles ({words:.0f} words on average), CPU, {args.threads} threads")
    print("| backend | model | s/article (mean) | s/article (median) | generated tokens/s | tokens in / out |")
    print("|---|---|---|---|---|---|")
    print(
        f"| extractive | {extractive.model_name} | {statistics.mean(ext_seconds):.2f} | "
        f"{statistics.median(ext_seconds):.2f} | - | - |"
    )
    print(
        f"| llm (local) | {llm.model_name} | {statistics.mean(llm_seconds):.2f} | {statistics.median(llm_seconds):.2f} "
        f"| {generated / max(generate_s, 1e-9):.1f} | {prompt} / {generated} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

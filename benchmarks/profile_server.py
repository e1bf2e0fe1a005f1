"""Where the service spends its CPU under load: py-spy samples of the real server, by thread and by function.

    python benchmarks/profile_server.py [--clients 8 32] [--seconds 10] [--rate 40]

Starts ``summarizer serve`` (default settings, result cache off) on 127.0.0.1, drives it with N
concurrent clients posting the dev articles (as benchmarks/throughput.py does), and samples the
server with py-spy (``--nonblocking``, so the sampler never pauses the process it measures) for
the same seconds. For each client count it prints the rate, the server's CPU time per article
(from /proc) and the client's, the share of samples per thread kind (the model's threads, the
event loop, the pool threads that validate and segment requests) and the functions that hold the
most samples. py-spy comes with the ``bench`` extra; it needs ptrace rights over the server (a
child of this script, so the default ``ptrace_scope`` of 1 allows it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from throughput import DEFAULT_DATA, NO_CACHE, drive, free_port, running  # benchmarks/throughput.py

# Thread names as py-spy reports them, grouped by what the thread does in the service. Only Python
# threads are sampled: torch's OpenMP workers count through the model thread that waits on them.
THREAD_KINDS = (
    ("model (encoder, heads, ranking)", re.compile(r"onnx_|summarizer-model")),
    ("request preparation (anyio pool)", re.compile(r"AnyIO worker")),
    ("event loop (HTTP, JSON, batcher)", re.compile(r"MainThread")),
)
OWN_CODE = ("summarizer", "fastapi", "starlette", "uvicorn", "pydantic")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_kind(name: str) -> str:
    return next((kind for kind, pattern in THREAD_KINDS if pattern.search(name)), "other")


def summarize_samples(raw: Path, top: int) -> tuple[Counter, Counter, int]:
    """Samples per thread kind and per innermost function of ours (or the leaf frame), and the total."""
    kinds: Counter = Counter()
    functions: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        n = int(count)
        total += n
        kinds[thread_kind(frames[0])] += n
        ours = [f for f in frames[1:] if any(name in f for name in OWN_CODE)]
        functions[(ours[-1] if ours else frames[-1])[:100]] += n
    return kinds, Counter(dict(functions.most_common(top))), total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=40, help="py-spy samples per second (higher disturbs more)")
    parser.add_argument("--top", type=int, default=12, help="functions to list")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: pip install -e '.[bench]'")
    with args.data.open(encoding="utf-8") as fh:
        articles = [json.loads(line)["article"] for line in fh]
    port = free_port()
    command = [sys.executable, "-m", "summarizer", "serve", "--port", str(port)]
    with running(command, port, NO_CACHE) as server, tempfile.TemporaryDirectory() as tmp:
        asyncio.run(drive(port, articles, 8, 3))  # warm-up
        for clients in args.clients:
            raw = Path(tmp) / f"samples-{clients}.txt"
            record = ["record", "-p", str(server.pid), "-r", str(args.rate), "-d", str(int(args.seconds))]
            sampler = subprocess.Popen(
                [spy, *record, "-f", "raw", "-o", str(raw), "--threads", "--nonblocking"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
            result = asyncio.run(drive(port, articles, clients, args.seconds))
            _, err = sampler.communicate(timeout=60)
            if not raw.exists():
                raise SystemExit(f"py-spy recorded nothing: {err.strip()[-500:]}")
            done = max(result["done"], 1)
            kinds, functions, total = summarize_samples(raw, args.top)
            print(
                f"\n{clients} clients: {result['rate']:.2f} articles/s, p50 {result['p50']:.0f} ms; "
                f"server CPU {(cpu_seconds(server.pid) - server_cpu) / done * 1000:.1f} ms/article, "
                f"client CPU {(time.process_time() - client_cpu) / done * 1000:.1f} ms/article; {total} samples"
            )
            print("| thread | share of samples |\n|---|---|")
            for kind, n in kinds.most_common():
                print(f"| {kind} | {n / total:.1%} |")
            print("| function (innermost of the service's own code, else the leaf) | share |\n|---|---|")
            for function, n in functions.items():
                print(f"| `{function}` | {n / total:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

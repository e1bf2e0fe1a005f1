"""Service throughput and latency against the naive baseline and the library, in the same run, on loopback.

    python benchmarks/throughput.py [--data ../shared/eval/cnndm_dev.jsonl] [--seconds 20]
                                    [--clients 1 2 4 8 16 32] [--cores 1 2] [--float32]

Starts the real service (``summarizer serve``) and ``benchmarks/naive_baseline.py`` one after
the other on 127.0.0.1, drives each with N concurrent clients posting CNN/DailyMail articles for
a fixed time (bounded: no request is sent after the deadline), and prints articles/s, latency
percentiles, non-200 answers and the server's peak RSS, with the ratio to the baseline. The
library's own rate on the same articles (``summarize_many``, 16 per call, in a child process with
the service's settings) is measured in the same run, and the service at 8 clients is measured
again on 1..N cores (CPU affinity and torch threads set to the core count). The result cache is
off throughout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
from plots import throughput_chart  # benchmarks/plots.py (this script's folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"
DEFAULT_PLOT = ROOT / "docs" / "images" / "throughput.png"
HOST = "127.0.0.1"
# The result cache is off in the benchmarks: they replay the same articles and measure the model path.
NO_CACHE = {"SUMMARIZER_RESULT_CACHE_ENTRIES": "0"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def start(
    command: list[str], port: int, extra_env: dict[str, str] | None = None, cpus: list[int] | None = None
) -> subprocess.Popen:
    env = {**os.environ, "SUMMARIZER_LOG_LEVEL": "warning", **(extra_env or {})}
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=pin
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited early: {' '.join(command)}")
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"server not ready in 120 s: {' '.join(command)}")


@contextlib.contextmanager
def running(
    command: list[str], port: int, extra_env: dict[str, str] | None = None, cpus: list[int] | None = None
) -> Iterator[subprocess.Popen]:
    """A server started and ready for the block, stopped (SIGTERM, then kill) after it."""
    process = start(command, port, extra_env, cpus)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


async def drive(port: int, articles: list[str], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    async def client(http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            text = articles[next(counter) % len(articles)]
            started = time.monotonic()
            try:
                response = await http.post(f"http://{HOST}:{port}/v1/summarize", json={"text": text})
                status = response.status_code
            except httpx.HTTPError:
                status = -1
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                latencies.append(time.monotonic() - started)

    limits = httpx.Limits(max_connections=clients)
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    elapsed = time.monotonic() - started
    ms = np.array(latencies) * 1000 if latencies else np.array([float("nan")])
    return {
        "rate": len(latencies) / elapsed,
        "done": len(latencies),
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "p99": float(np.percentile(ms, 99)),
        "errors": sum(n for s, n in statuses.items() if s != 200),
    }


LIBRARY_CHUNK = 16  # articles per summarize_many call, as in benchmarks/library.py


def library_rate(articles: list[str]) -> float:
    """Articles/s of ``summarize_many`` over ``articles``, each once, in a fresh process (the service's
    default settings, no HTTP)."""
    code = (
        "import json, sys, time\n"
        "from summarizer import Summarizer\n"
        "articles = json.load(sys.stdin); s = Summarizer.load(); s.summarize_many(articles[:4])\n"
        "started = time.perf_counter()\n"
        f"for lo in range(0, len(articles), {LIBRARY_CHUNK}):\n"
        f"    s.summarize_many(articles[lo : lo + {LIBRARY_CHUNK}])\n"
        "print(len(articles) / (time.perf_counter() - started))\n"
    )
    env = {**os.environ, "SUMMARIZER_LOG_LEVEL": "warning"}
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(articles), capture_output=True, text=True, cwd=ROOT, env=env
    )
    if out.returncode != 0:
        raise SystemExit(f"library run failed: {out.stderr[-2000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument(
        "--cores", type=int, nargs="*", default=None, help="core counts for the 8-client scaling table (default 1..N)"
    )
    parser.add_argument("--float32", action="store_true", help="also run the service forced to the fp32 encoder")
    parser.add_argument("--plot", default=str(DEFAULT_PLOT), help="throughput/latency chart PNG ('' for none)")
    args = parser.parse_args(argv)
    with args.data.open(encoding="utf-8") as fh:
        articles = [json.loads(line)["article"] for line in fh]

    def serve(port: int) -> list[str]:
        return [sys.executable, "-m", "summarizer", "serve", "--port", str(port)]

    # (command, environment): the service as auto configures it, optionally the service forced to
    # the fp32 encoder (what the precision choice is worth), and the naive baseline.
    servers = {"summarizer serve": (serve, NO_CACHE)}
    if args.float32:
        servers["summarizer serve, float32"] = (serve, {**NO_CACHE, "SUMMARIZER_PRECISION": "float32"})
    servers["naive baseline"] = (lambda port: [sys.executable, "benchmarks/naive_baseline.py", "--port", str(port)], {})
    # Must-show of the throughput issue: one ~500-word article, one client.
    single = min(articles, key=lambda a: abs(len(a.split()) - 500))
    results: dict[tuple[str, int | str], dict] = {}
    for name, (command, env) in servers.items():
        port = free_port()
        with running(command(port), port, env) as process:
            asyncio.run(drive(port, articles, 1, 3))  # warm-up
            results[(name, "1 (500 words)")] = asyncio.run(drive(port, [single], 1, min(args.seconds, 10)))
            results[(name, "1 (500 words)")]["rss"] = peak_rss_mb(process.pid)
            for clients in args.clients:
                results[(name, clients)] = asyncio.run(drive(port, articles, clients, args.seconds))
                results[(name, clients)]["rss"] = peak_rss_mb(process.pid)
    # The library on the very articles the service completed at 8 clients (clients start at the first
    # article and go in order), so the two rates are over the same texts.
    at8 = results.get(("summarizer serve", 8))
    compared = articles[: max(int(at8["done"]), LIBRARY_CHUNK)] if at8 else articles[:64]
    library = library_rate(compared)
    cpus = sorted(os.sched_getaffinity(0))
    scaling: dict[int, dict] = {}
    for cores in args.cores if args.cores is not None else range(1, len(cpus) + 1):
        port = free_port()
        pinned = {**NO_CACHE, "SUMMARIZER_TORCH_THREADS": str(cores)}
        with running(serve(port), port, pinned, cpus=cpus[:cores]):
            asyncio.run(drive(port, articles, 8, 3))  # warm-up
            scaling[cores] = asyncio.run(drive(port, articles, 8, args.seconds))

    print(f"{len(articles)} articles, {args.seconds:.0f} s per level, loopback, {os.cpu_count()} CPUs")
    print(f"'1 (500 words)': one client sending one {len(single.split())}-word article repeatedly")
    print("| server | clients | articles/s | vs naive | p50 ms | p95 ms | p99 ms | non-200 | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (name, clients), r in results.items():
        base = results.get(("naive baseline", clients))
        ratio = f"{r['rate'] / base['rate']:.2f}x" if base and base["rate"] else "-"
        print(
            f"| {name} | {clients} | {r['rate']:.2f} | {ratio} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
            f"| {r['errors']} | {r['rss']:.0f} |"
        )
    which = "articles the service completed at 8 clients" if at8 else "first articles (8 clients not measured)"
    print(
        f"\nlibrary, summarize_many ({LIBRARY_CHUNK} per call, no HTTP) on the {len(compared)} {which}: "
        f"{library:.2f} articles/s"
    )
    if at8:
        print(f"service at 8 clients / library: {at8['rate'] / library:.0%}")
    if scaling:
        print("\n| cores (affinity and torch threads) | clients | articles/s | p50 ms | p95 ms | non-200 |")
        print("|---|---|---|---|---|---|")
        for cores, r in scaling.items():
            print(f"| {cores} | 8 | {r['rate']:.2f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['errors']} |")
    if args.plot:  # Path('') would be '.', so the empty string stays a string
        title = f"{len(articles)} articles, {args.seconds:.0f} s per level, loopback, {os.cpu_count()} CPUs"
        print(f"chart: {throughput_chart(results, Path(args.plot), title)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

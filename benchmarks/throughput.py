"""Service throughput and latency against the naive baseline, in the same run, on loopback only.

    python benchmarks/throughput.py [--data ../shared/eval/cnndm_dev.jsonl] [--seconds 20]
                                    [--clients 1 8 32]

Starts the real service (``summarizer serve``) and ``benchmarks/naive_baseline.py`` one after
the other on 127.0.0.1, drives each with N concurrent clients posting CNN/DailyMail articles for
a fixed time (bounded: no request is sent after the deadline), and prints articles/s, latency
percentiles, non-200 answers and the server's peak RSS, with the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
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


def start(command: list[str], port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {**os.environ, "SUMMARIZER_LOG_LEVEL": "warning", **(extra_env or {})}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "p99": float(np.percentile(ms, 99)),
        "errors": sum(n for s, n in statuses.items() if s != 200),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="throughput/latency chart PNG ('' for none)")
    args = parser.parse_args(argv)
    with args.data.open(encoding="utf-8") as fh:
        articles = [json.loads(line)["article"] for line in fh]

    def serve(port: int) -> list[str]:
        return [sys.executable, "-m", "summarizer", "serve", "--port", str(port)]

    # (command, environment): the service as auto configures it, the service forced to the fp32
    # encoder (what the precision choice is worth), and the naive baseline.
    servers = {
        "summarizer serve": (serve, NO_CACHE),
        "summarizer serve, float32": (serve, {**NO_CACHE, "SUMMARIZER_PRECISION": "float32"}),
        "naive baseline": (lambda port: [sys.executable, "benchmarks/naive_baseline.py", "--port", str(port)], {}),
    }
    # Must-show of the throughput issue: one ~500-word article, one client.
    single = min(articles, key=lambda a: abs(len(a.split()) - 500))
    results: dict[tuple[str, int | str], dict] = {}
    for name, (command, env) in servers.items():
        port = free_port()
        process = start(command(port), port, env)
        try:
            asyncio.run(drive(port, articles, 1, 3))  # warm-up
            results[(name, "1 (500 words)")] = asyncio.run(drive(port, [single], 1, min(args.seconds, 10)))
            results[(name, "1 (500 words)")]["rss"] = peak_rss_mb(process.pid)
            for clients in args.clients:
                results[(name, clients)] = asyncio.run(drive(port, articles, clients, args.seconds))
                results[(name, clients)]["rss"] = peak_rss_mb(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()

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
    if str(args.plot):
        title = f"{len(articles)} articles, {args.seconds:.0f} s per level, loopback, {os.cpu_count()} CPUs"
        print(f"chart: {throughput_chart(results, args.plot, title)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Soak and overload test of the real service on loopback (bounded in time and request count).

    python benchmarks/soak.py [--seconds 60] [--clients 16] [--burst 48] [--data ../shared/eval/cnndm_dev.jsonl]

Phase 1 (soak): ``summarizer serve`` with default settings, result cache off; N clients for M seconds send a mix of
valid articles (80%), malformed requests (17%: not JSON, invalid UTF-8, wrong types, empty text,
unknown fields) and bodies over the byte limit (3%). Reports counts by kind and status, p50/p99
latency of valid requests, and the server's RSS after warm-up and at the end.

Phase 2 (overload): a server with admission capacity 2 (``SUMMARIZER_MAX_QUEUE=2``) gets a burst
of concurrent requests; reports how fast the 503s come back, their Retry-After, and whether the
next requests after the burst succeed.

Expected: no 5xx except deliberate 503/504, every valid request answered 200 or 503, malformed
ones 4xx, RSS growth under 10%. Exits 1 when an expectation fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
from throughput import DEFAULT_DATA, HOST, NO_CACHE, free_port, running

JSON = {"Content-Type": "application/json"}
MALFORMED: list[tuple[bytes, dict[str, str]]] = [
    (b"this is not json", JSON),
    (b'{"text": "caf\xe9 \xff"}', JSON),
    (b'{"text": 42}', JSON),
    (b'{"text": ""}', JSON),
    (b'{"text": "The plan passed.", "max_sentence": 3}', JSON),
    (b'{"text": "The council approved', JSON),
    (b'{"text": "The plan passed on Tuesday."}', {"Content-Type": "text/plain"}),
    (b'{"text": "\\u200b\\u200b"}', JSON),
    (b"[" * 50_000 + b"]" * 50_000, JSON),
]
OVERSIZE = b'{"text": "' + b"x" * 4_100_000 + b'"}'  # over the default 4,000,000-byte body limit


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def soak(port: int, articles: list[str], clients: int, seconds: float, seed: int) -> tuple[Counter, list[float]]:
    rng = random.Random(seed)
    outcomes: Counter = Counter()
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.80:
                kind, body, headers = "valid", json.dumps({"text": rng.choice(articles)}).encode(), JSON
            elif roll < 0.97:
                kind, (body, headers) = "malformed", rng.choice(MALFORMED)
            else:
                kind, body, headers = "oversize", OVERSIZE, JSON
            started = time.monotonic()
            try:
                response = await http.post(f"http://{HOST}:{port}/v1/summarize", content=body, headers=headers)
                status = response.status_code
            except httpx.HTTPError:
                status = -1  # connection-level failure
            outcomes[(kind, status)] += 1
            if kind == "valid" and status == 200:
                latencies.append(time.monotonic() - started)

    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=clients)) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return outcomes, latencies


async def burst(port: int, article: str, size: int) -> dict:
    async def one(http: httpx.AsyncClient) -> tuple[int, float, str | None]:
        started = time.monotonic()
        response = await http.post(f"http://{HOST}:{port}/v1/summarize", json={"text": article})
        return response.status_code, time.monotonic() - started, response.headers.get("retry-after")

    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=size)) as http:
        results = await asyncio.gather(*(one(http) for _ in range(size)))
        after = [(await http.post(f"http://{HOST}:{port}/v1/summarize", json={"text": article})).status_code]
        after += [(await http.post(f"http://{HOST}:{port}/v1/summarize", json={"text": article})).status_code]
    rejected = [r for r in results if r[0] == 503]
    return {
        "statuses": Counter(r[0] for r in results),
        "reject_ms": np.array([r[1] for r in rejected]) * 1000,
        "ok_ms": np.array([r[1] for r in results if r[0] == 200]) * 1000,
        "retry_after": sorted({r[2] for r in rejected}),
        "after": after,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--burst", type=int, default=48)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    articles = [json.loads(line)["article"] for line in args.data.read_text().splitlines() if line.strip()]
    failures: list[str] = []

    port = free_port()
    with running([sys.executable, "-m", "summarizer", "serve", "--port", str(port)], port, NO_CACHE) as server:
        rss_ready = rss_mb(server.pid)
        asyncio.run(soak(port, articles, args.clients, min(10.0, args.seconds / 6), args.seed + 1))  # warm-up
        rss_start = rss_mb(server.pid)
        outcomes, latencies = asyncio.run(soak(port, articles, args.clients, args.seconds, args.seed))
        rss_end = rss_mb(server.pid)

    print(f"## Soak: {args.clients} clients, {args.seconds:.0f} s, default settings but the result cache off\n")
    print("| kind | status | count |\n|---|---|---|")
    for (kind, status), count in sorted(outcomes.items()):
        print(f"| {kind} | {status} | {count} |")
        if status == -1 or (status >= 500 and status not in (503, 504)):
            failures.append(f"{count} {kind} requests got {status}")
        if kind == "valid" and status not in (200, 503):
            failures.append(f"{count} valid requests got {status}")
        if kind != "valid" and not 400 <= status < 500:
            failures.append(f"{count} {kind} requests got {status} instead of a 4xx")
    ms = np.array(latencies) * 1000
    growth = (rss_end - rss_start) / rss_start * 100
    print(f"\nvalid 200s: {len(ms)}, p50 {np.percentile(ms, 50):.0f} ms, p99 {np.percentile(ms, 99):.0f} ms")
    print(f"RSS: {rss_ready:.0f} MB when ready, {rss_start:.0f} MB after warm-up, {rss_end:.0f} MB at the end ")
    print(f"(growth during the soak {growth:+.1f}%)")
    if growth >= 10:
        failures.append(f"RSS grew {growth:.1f}%")

    port = free_port()
    command = [sys.executable, "-m", "summarizer", "serve", "--port", str(port)]
    with running(command, port, {**NO_CACHE, "SUMMARIZER_MAX_QUEUE": "2"}):
        result = asyncio.run(burst(port, articles[0], args.burst))
    reject = result["reject_ms"]
    print(f"\n## Overload: burst of {args.burst} concurrent requests, admission capacity 2 (SUMMARIZER_MAX_QUEUE=2)\n")
    print(f"statuses: {dict(sorted(result['statuses'].items()))}; Retry-After on 503s: {result['retry_after']}")
    if len(reject):
        print(f"503 latency: median {np.median(reject):.1f} ms, max {reject.max():.1f} ms")
    if len(result["ok_ms"]):
        print(f"200 latency: median {np.median(result['ok_ms']):.0f} ms, max {result['ok_ms'].max():.0f} ms")
    print(f"the next two requests after the burst: {result['after']}")
    if not len(reject) or result["retry_after"] != ["1"]:
        failures.append("the burst got no 503 with Retry-After")
    if result["after"] != [200, 200]:
        failures.append("the service did not recover right after the burst")

    print("\n" + ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

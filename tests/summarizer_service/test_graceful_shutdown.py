"""SIGTERM on a real server process: it stops accepting, finishes in-flight requests with 200, exits 0."""

from __future__ import annotations

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
import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"
SEED = ROOT / "seeds" / "000_05444940e5ccca5a.txt"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _in_flight(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    line = next(line for line in text.splitlines() if line.startswith("summarizer_requests_in_flight "))
    return float(line.split()[1]) - 1  # minus this metrics request


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited during start-up"
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("server not ready in time")


def test_sigterm_finishes_in_flight_requests_then_exits_0(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SUMMARIZER_PORT": str(port), "SUMMARIZER_HOST": "127.0.0.1", "SUMMARIZER_DEVICE": "cpu"}
    env.update(SUMMARIZER_TORCH_THREADS="1", SUMMARIZER_SHUTDOWN_GRACE_S="60", SUMMARIZER_LOG_FORMAT="json")
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "summarizer", "serve"], env=env, stdout=log, stderr=log)
    try:
        _wait_ready(base, proc)
        text = SEED.read_text()
        # Several articles per request so each takes a while; the single model worker serialises them.
        body = {"articles": [{"text": text}] * 6}

        async def run() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=base, timeout=120) as client:
                tasks = [asyncio.create_task(client.post("/v1/summarize/batch", json=body)) for _ in range(4)]
                deadline = time.monotonic() + 30
                while await asyncio.to_thread(_in_flight, base) < 4:
                    assert time.monotonic() < deadline, "requests never became in-flight"
                    await asyncio.sleep(0.05)
                proc.send_signal(signal.SIGTERM)
                return [await t for t in tasks]

        responses = asyncio.run(run())
        assert [r.status_code for r in responses] == [200] * 4
        assert all(len(r.json()["results"]) == 6 for r in responses)
        assert proc.wait(timeout=60) == 0
        with pytest.raises(httpx.TransportError):  # no longer accepting
            httpx.get(f"{base}/healthz", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("{")]
    finished = [entry for entry in lines if entry.get("path") == "/v1/summarize/batch"]
    assert len(finished) == 4 and all(entry["status"] == 200 and entry["request_id"] for entry in finished)

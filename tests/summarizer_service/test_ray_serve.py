"""The Ray Serve deployment: the same app, one model per replica, requests batched by @serve.batch.

Starts a local Ray instance (2 CPUs, loopback only) once for the module and deploys the real
embedded model. Skipped when ray is not installed (pip install '.[ray]').
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

pytest.importorskip("ray.serve", reason="ray[serve] is not installed (pip install '.[ray]')")

import ray
import yaml  # a ray dependency
from ray import serve
from ray.serve.handle import DeploymentHandle

from summarizer_service.ray_serve import AppArgs, SummarizerDeployment, build_app

pytestmark = pytest.mark.ray

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("0*.txt"))
CONCURRENT = 16
MAX_BATCH_SIZE = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def serve_url() -> Iterator[tuple[str, DeploymentHandle]]:
    """A local Ray instance serving the deployment on a free loopback port; the URL and the app's handle."""
    env = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "disabled"}  # loopback only, no token
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    temp_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # Ray's socket paths must stay short
    port = _free_port()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=temp_dir)
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        # One replica, so every request and the batch statistics meet in the same place.
        deployment = SummarizerDeployment.options(num_replicas=1, ray_actor_options={"num_cpus": 1})
        args = AppArgs(settings={"device": "cpu"}, max_batch_size=MAX_BATCH_SIZE, batch_wait_timeout_s=0.05)
        app = deployment.bind(args.settings, args.max_batch_size, args.batch_wait_timeout_s)
        handle = serve.run(app, name="summarizer", route_prefix="/")
        yield f"http://127.0.0.1:{port}", handle
    finally:
        serve.shutdown()
        ray.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(temp_dir, ignore_errors=True)


def _check_summary(body: dict, text: str) -> None:
    assert body["summary"] and body["sentences"]
    assert body["summary"] == " ".join(s["text"] for s in body["sentences"])
    for item in body["sentences"] + body["why_it_matters"]:
        assert 0 <= item["start"] < item["end"] <= len(text)
    assert body["meta"]["backend"] == "extractive"
    assert isinstance(body["warnings"], list)


def test_concurrent_requests_are_answered_and_batched(serve_url: tuple[str, DeploymentHandle]) -> None:
    url, handle = serve_url
    texts = [SEEDS[i % len(SEEDS)].read_text(encoding="utf-8") for i in range(CONCURRENT)]
    with httpx.Client(base_url=url, timeout=120) as client:
        assert client.get("/readyz").status_code == 200  # the replica's constructor loaded the model

        def post(text: str) -> httpx.Response:
            return client.post("/v1/summarize", json={"text": text})

        with ThreadPoolExecutor(CONCURRENT) as pool:
            responses = list(pool.map(post, texts))
    for text, response in zip(texts, responses, strict=True):
        assert response.status_code == 200, response.text
        _check_summary(response.json(), text)
    # Same article, same answer, whichever batch it shared.
    first = {json.dumps(r.json()["sentences"]) for t, r in zip(texts, responses, strict=True) if t == texts[0]}
    assert len(first) == 1

    stats = handle.batch_stats.remote().result()
    assert sum(stats["requests"]) >= CONCURRENT
    assert max(stats["requests"]) > 1, stats  # concurrent requests shared a model pass
    assert max(stats["requests"]) <= MAX_BATCH_SIZE, stats
    print(f"requests per model pass: {stats['requests']}")


def test_same_app_errors_and_batch_route(serve_url: tuple[str, DeploymentHandle]) -> None:
    url, _ = serve_url
    with httpx.Client(base_url=url, timeout=120) as client:
        bad = client.post("/v1/summarize", json={"text": "   "})
        batch = client.post("/v1/summarize/batch", json={"articles": [{"text": p.read_text()} for p in SEEDS[:2]]})
        info = client.get("/v1/info")
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "empty_text"
    assert batch.status_code == 200
    assert len(batch.json()["results"]) == 2
    assert info.json()["status"] == "ready"


def test_serve_config_matches_the_builder() -> None:
    """deploy/serve_config.yaml names the builder, its args validate, and batches can fill."""
    config = yaml.safe_load((ROOT / "deploy" / "serve_config.yaml").read_text())
    assert config["http_options"]["host"] in ("0.0.0.0", "127.0.0.1")
    (application,) = config["applications"]
    assert application["import_path"] == "summarizer_service.ray_serve:build_app"
    args = AppArgs.model_validate(application.get("args", {}))
    build_app(application.get("args", {}))
    (deployment,) = application["deployments"]
    assert deployment["name"] == "summarizer"
    assert deployment["max_ongoing_requests"] >= args.max_batch_size
    scaling = deployment["autoscaling_config"]
    assert 1 <= scaling["min_replicas"] <= scaling["max_replicas"]


def test_kuberay_service_uses_the_same_serve_config() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "serve_config.yaml").read_text())
    service = yaml.safe_load((ROOT / "deploy" / "kuberay" / "rayservice.yaml").read_text())
    assert service["kind"] == "RayService"
    assert yaml.safe_load(service["spec"]["serveConfigV2"])["applications"] == config["applications"]
    assert service["spec"]["rayClusterConfig"]["rayVersion"] in (ROOT / "deploy" / "kuberay" / "Dockerfile").read_text()


def test_build_app_rejects_unknown_arguments() -> None:
    with pytest.raises(ValueError):
        build_app({"max_batch_size": 0})
    with pytest.raises(ValueError):
        build_app({"settings": {"max_text_chars": 0}})  # checked against Settings before deploying
    with pytest.raises(ValueError):
        build_app({"max_batch": 8})  # a misspelt argument is an error, not a silent default

"""Optional API keys: 401 without or with a wrong key, 200 with a right one, health stays open."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_checks import ARTICLE, assert_error

from summarizer import Settings
from summarizer_service import create_app
from summarizer_service.auth import ConfigurationError

KEY_A = "key-a-0123456789abcdef"
KEY_B = "key-b-fedcba9876543210"


@pytest.fixture
def secured(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(Settings(api_keys=[KEY_A, KEY_B]))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-key-0123456789"},
        {"Authorization": f"Bearer {KEY_A}x"},
        {"Authorization": f"Basic {KEY_A}"},
        {"Authorization": KEY_A},
        {"Authorization": "Bearer "},
    ],
    ids=["none", "wrong", "prefix-of-longer", "basic-scheme", "no-scheme", "empty"],
)
@pytest.mark.parametrize("method,path", [("POST", "/v1/summarize"), ("GET", "/v1/info"), ("GET", "/metrics")])
def test_missing_or_wrong_key_is_401_with_one_message(secured: TestClient, headers, method, path) -> None:
    response = secured.request(method, path, json={"text": ARTICLE}, headers=headers)
    assert assert_error(response, 401, "unauthorized") == "a valid API key is required"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("key", [KEY_A, KEY_B])
def test_each_configured_key_is_accepted(secured: TestClient, key: str) -> None:
    response = secured.post("/v1/summarize", json={"text": ARTICLE}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_and_readiness_stay_open(secured: TestClient, path: str) -> None:
    assert secured.get(path).status_code == 200


def test_no_keys_means_open(client: TestClient) -> None:
    assert client.post("/v1/summarize", json={"text": ARTICLE}).status_code == 200


def test_keys_from_a_file(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(f"# team keys\n{KEY_A}\n\n  {KEY_B}  \n")
    client = make_client(Settings(api_keys_file=path))
    for key in (KEY_A, KEY_B):
        ok = client.post("/v1/summarize", json={"text": ARTICLE}, headers={"Authorization": f"Bearer {key}"})
        assert ok.status_code == 200
    assert_error(client.post("/v1/summarize", json={"text": ARTICLE}), 401, "unauthorized")


@pytest.mark.parametrize(
    "settings,message",
    [
        (lambda p: Settings(api_keys=["short"]), "at least 16"),
        (lambda p: Settings(api_keys_file=p / "missing"), "cannot read the API key file"),
    ],
)
def test_bad_key_configuration_stops_start_up(tmp_path: Path, settings, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        create_app(settings(tmp_path))


def test_keys_never_reach_the_logs(secured: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        secured.post("/v1/summarize", json={"text": ARTICLE}, headers={"Authorization": f"Bearer {KEY_A}"})
        secured.post("/v1/summarize", json={"text": ARTICLE}, headers={"Authorization": "Bearer guess-0123456789ab"})
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert KEY_A not in logged and "guess-0123456789ab" not in logged


def test_openapi_declares_the_bearer_scheme(secured: TestClient) -> None:
    schema = secured.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"

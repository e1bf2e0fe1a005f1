"""Fixtures for the HTTP service tests: an app around the fast fake summarizer, and sample articles."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from service_checks import ARTICLE

from summarizer import Settings, Summarizer
from summarizer_service import create_app


@pytest.fixture
def article() -> str:
    return ARTICLE


@pytest.fixture
def make_client(fake_summarizer: Summarizer) -> Iterator[Callable[..., TestClient]]:
    """Build started TestClients (lifespan run); all are closed at teardown."""
    clients: list[TestClient] = []

    def make(settings: Settings | None = None, summarizer: Summarizer | None = fake_summarizer) -> TestClient:
        client = TestClient(create_app(settings or Settings(), summarizer=summarizer))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()

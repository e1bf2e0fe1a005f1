"""Property-based API fuzzing with schemathesis against the service's own OpenAPI schema.

A real uvicorn server on loopback (fake encoder, so thousands of requests stay fast); every
generated request must get a documented status, never a 5xx, and a body that matches the schema.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from fakes import make_summarizer
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from summarizer import Settings
from summarizer_service import create_app

KEY = "fuzz-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def api_schema(fake_encoder) -> Iterator[schemathesis.BaseSchema]:
    # With a key configured, schemathesis also checks that requests with a missing or wrong key are refused.
    app_settings = Settings(request_timeout_s=30, api_keys=[KEY])
    app = create_app(app_settings, summarizer=make_summarizer(fake_encoder, app_settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield schemathesis.openapi.from_url(f"http://127.0.0.1:{port}/openapi.json")
    finally:
        server.should_exit = True
        thread.join(15)


def test_api_follows_its_schema(api_schema: schemathesis.BaseSchema) -> None:
    # schemathesis' pytest loader does not support pytest 9 yet, so drive hypothesis per operation directly.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/summarize", "/v1/summarize/batch", "/healthz", "/v1/info"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            # 422 for schema-valid but unsummarizable text ("a", emoji only) is correct: the schema
            # cannot say "contains a sentence", so the positive-data check does not apply.
            case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance])

        check()

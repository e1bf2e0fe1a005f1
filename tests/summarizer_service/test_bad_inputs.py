"""Every row of the bad-input table in docs/reliability.md, run against the service: a 4xx or a summary, no 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_input_cases import CASES, Case, readme_row, send
from fakes import make_summarizer
from fastapi.testclient import TestClient
from service_checks import assert_error, assert_offsets

from summarizer import Settings

TABLE_DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


@pytest.fixture
def client(make_client, fake_encoder) -> TestClient:
    """Default settings, as the table shows them."""
    return make_client(Settings(), summarizer=make_summarizer(fake_encoder, Settings()))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(client: TestClient, case: Case) -> None:
    response = send(client, case)
    if case.code is None:
        assert response.status_code == 200, response.text
        body = response.json()
        assert_offsets(case.json["text"], body["sentences"] + body["why_it_matters"])
        return
    message = assert_error(response, case.status, case.code)
    assert len(message) < 300
    # Nothing the client sent comes back beyond a short escaped excerpt.
    raw = case.content.decode("utf-8", "replace") if case.content is not None else str(case.json)
    assert raw[:200] not in message or len(raw) < 40


def test_the_readme_table_matches_the_cases(client: TestClient) -> None:
    readme = TABLE_DOC.read_text(encoding="utf-8")
    for case in CASES:
        message = send(client, case).json()["error"]["message"] if case.code else ""
        assert readme_row(case, message) in readme, f"docs/reliability.md row out of date: {case.name}"

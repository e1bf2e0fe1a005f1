"""Every row of the bad-input table in docs/reliability.md, run against the service: a 4xx or a summary, no 5xx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from bad_input_cases import CASES, Case, error_message, readme_row, send
from fakes import make_summarizer
from fastapi.testclient import TestClient
from service_checks import assert_article_error, assert_error, assert_offsets

from summarizer import Settings

TABLE_DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


@pytest.fixture
def client_for(make_client, fake_encoder) -> Callable[[Case], TestClient]:
    """A client with the case's settings: the defaults, as the table shows them, unless the case names more."""
    clients: dict[str, TestClient] = {}

    def get(case: Case) -> TestClient:
        key = repr(sorted(case.settings.items()))
        if key not in clients:
            settings = Settings(**case.settings)
            clients[key] = make_client(settings, summarizer=make_summarizer(fake_encoder, settings))
        return clients[key]

    return get


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(client_for: Callable[[Case], TestClient], case: Case) -> None:
    response = send(client_for(case), case)
    if case.code is None:
        assert response.status_code == 200, response.text
        body = response.json()
        assert_offsets(case.json["text"], body["sentences"] + body["why_it_matters"])
        return
    if case.article is not None:
        message = assert_article_error(response, case.article, case.status, case.code)
    else:
        message = assert_error(response, case.status, case.code)
    assert len(message) < 300 and message.isprintable()
    # Nothing the client sent comes back beyond a short escaped excerpt.
    raw = case.content.decode("utf-8", "replace") if case.content is not None else str(case.json)
    assert raw[:200] not in message or len(raw) < 40


def test_the_table_matches_the_cases(client_for: Callable[[Case], TestClient]) -> None:
    table = TABLE_DOC.read_text(encoding="utf-8")
    for case in CASES:
        row = readme_row(case, error_message(case, send(client_for(case), case)))
        assert row in table, f"docs/reliability.md row out of date: {case.name}\n{row}"

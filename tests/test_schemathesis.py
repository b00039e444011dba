"""Schemathesis against the server's own OpenAPI description (/openapi.json), over real HTTP on 127.0.0.1.

For every operation the description lists (the saved queries with their typed parameters,
the SPARQL endpoint, the graph store), schemathesis generates requests that fit the
description and requests that break it, a bounded number of each (derandomized, so CI
sees the same ones), and checks every answer: never a 5xx, a documented status code and
content type, a body and headers that match the described schema, and schema-breaking
requests refused. (It does not check that every schema-valid request is accepted: any
string is a valid `query` to the schema, and most strings are not SPARQL.)
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from server_fixtures import REPO, LiveServer

from kgbuild.server import ServeSettings, create_app
from kgbuild.store import KgStore

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection]
EXAMPLES = 100


@pytest.fixture(scope="module")
def url(seed_store: KgStore) -> Iterator[str]:
    app = create_app(seed_store, ServeSettings(queries_dirs=(REPO / "queries",), query_timeout=10))
    with LiveServer(app) as base:
        yield base


def test_the_api_matches_its_openapi_description(url: str) -> None:
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    assert {"GET /queries", "GET /sparql", "POST /sparql", "GET /rdf-graph-store", "GET /queries/who-said-what",
            "GET /queries/sentence"} <= labels
    failures: list[str] = []
    for op in operations:
        strategy = st.one_of(op.as_strategy(GenerationMode.POSITIVE), op.as_strategy(GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=url, timeout=30)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except (AssertionError, FailureGroup) as exc:
            failures.append(f"{op.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_the_description_names_every_saved_query_and_its_parameter_types(url: str) -> None:
    schema = schemathesis.openapi.from_url(url + "/openapi.json").raw_schema
    names = {p.stem for p in Path(REPO / "queries").glob("*.rq")}
    assert {f"/queries/{n}" for n in names} <= set(schema["paths"])
    sentence = schema["paths"]["/queries/sentence"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["type"] for p in sentence} == {"n": "integer", "article": "string"}

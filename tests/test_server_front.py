"""The answer cache in front of the app: a repeated GET is answered without the store, until the data changes.

Store evaluations are counted by a wrapper around the KgStore the server
holds (never by time); answers are compared byte for byte and parsed as CSV.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_fixtures import TOKEN, Live, queries_dir, serve, small_store  # noqa: F401

NAMES = "SELECT ?name WHERE { ?s <http://schema.org/name> ?name } ORDER BY ?name"
INSERT = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/z> <http://schema.org/name> "Zed" } }'


class CountingStore:
    """Stands in for the server's KgStore: counts query evaluations, passes everything on."""

    def __init__(self, store: Any):
        self._store = store
        self.queries: list[str] = []

    def query(self, text: str, **kwargs: Any) -> Any:
        self.queries.append(text)
        return self._store.query(text, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def counted(live: Live) -> CountingStore:
    counter = CountingStore(live.state.store)
    live.state.store = counter
    return counter


@pytest.fixture()
def rw(queries_dir: Path) -> Iterator[tuple[Live, CountingStore]]:  # noqa: F811
    for live in serve(small_store(), queries_dir, write_token=TOKEN):
        yield live, counted(live)


@pytest.fixture()
def uncached(queries_dir: Path) -> Iterator[tuple[Live, CountingStore]]:  # noqa: F811
    for live in serve(small_store(), queries_dir, answer_cache=False):
        yield live, counted(live)


def names(text: str) -> list[str]:
    return [row["name"] for row in csv.DictReader(io.StringIO(text))]


def get(live: Live, query: str, **headers: str) -> Any:
    r = live.client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv", **headers})
    assert r.status_code == 200, r.text
    return r


def test_a_repeated_query_is_evaluated_once_per_generation(rw: tuple[Live, CountingStore]) -> None:
    live, store = rw
    first = get(live, NAMES)
    again = get(live, NAMES)
    assert len(store.queries) == 1
    assert again.content == first.content and again.headers == first.headers and "Bob" in names(again.text)
    as_json = live.client.get("/sparql", params={"query": NAMES}, headers={"Accept": "application/sparql-results+json"})
    assert as_json.headers["content-type"] == "application/sparql-results+json" and len(store.queries) == 2
    stats = live.client.get("/.well-known/kgbuild-stats").json()["http_answer_cache"]
    assert stats["hits"] == 1 and stats["entries"] == 2

    assert live.client.post("/sparql", content=INSERT.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}).status_code == 204
    after = get(live, NAMES)  # a write is a new generation: the old answer is never replayed
    assert "Zed" in names(after.text) and "Zed" not in names(first.text) and len(store.queries) == 3


def test_answers_that_can_change_without_the_store_are_not_kept(rw: tuple[Live, CountingStore]) -> None:
    live, store = rw
    for query in ("SELECT (NOW() AS ?t) WHERE {}", "SELECT (STRUUID() AS ?u) WHERE {}",
                  "SELECT ?x WHERE { BIND(rand() AS ?x) }"):
        first, second = get(live, query), get(live, query)
        assert first.status_code == second.status_code == 200
    assert len(store.queries) == 6
    with_origin = [get(live, NAMES, Origin="https://site.example") for _ in range(2)]
    assert all(r.headers["access-control-allow-origin"] == "*" for r in with_origin)  # CORS answered each time
    assert len(store.queries) == 8
    assert live.client.get("/sparql", params={"query": "SELEC nothing"}).status_code == 400
    assert live.client.get("/sparql", params={"query": "SELEC nothing"}).status_code == 400
    assert len(live.state.http_cache) == 0  # errors are not kept either


def test_saved_query_answers_are_replayed_with_their_etag(rw: tuple[Live, CountingStore]) -> None:
    live, store = rw
    first = live.client.get("/queries/names.csv")
    again = live.client.get("/queries/names.csv")
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert len(store.queries) == 1
    assert live.client.get("/queries/names.csv", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_without_the_answer_cache_every_request_is_evaluated(uncached: tuple[Live, CountingStore]) -> None:
    live, store = uncached
    assert get(live, NAMES).content == get(live, NAMES).content
    assert len(store.queries) == 2
    assert live.client.get("/.well-known/kgbuild-stats").json()["http_answer_cache"] is None

"""Saved queries as an API: list, run with typed bound parameters, formats, caching, OpenAPI."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from server_fixtures import ALICE, BASE, BOB, SAVED, TRICKY_NAME, Live, live, queries_dir, serve, small_store  # noqa: F401

from kgbuild.server import saved


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_list(live: Live) -> None:
    r = live.client.get("/queries")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    listed = {q["name"]: q for q in r.json()}
    assert set(listed) == set(SAVED)
    by_name = listed["by-name"]
    assert by_name["title"] == "People by name"
    assert by_name["description"].startswith("Subjects whose")
    assert by_name["parameters"] == [{"name": "name", "type": "string", "optional": False, "default": None,
                                      "description": "the exact name"}]


def test_run_with_parameters_and_formats(live: Live) -> None:
    r = live.client.get("/queries/by-name.csv", params={"name": "Bob"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert rows(r.text) == [{"s": BOB.value, "name": "Bob"}]
    r = live.client.get("/queries/by-name", params={"name": "Bob"})
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert json.loads(r.text)["results"]["bindings"][0]["s"]["value"] == BOB.value
    for ext, media in (("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
                       ("tsv", "text/tab-separated-values")):
        r = live.client.get(f"/queries/by-name.{ext}", params={"name": "Bob"})
        assert r.headers["content-type"].split(";")[0] == media
        assert len(list(rdflib.query.Result.parse(io.BytesIO(r.content), format=ext))) == 1
    r = live.client.get("/queries/by-name", params={"name": "Bob"}, headers={"Accept": "text/tab-separated-values"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    r = live.client.get("/queries/by-subject.csv", params={"subject": ALICE.value})
    assert {row["p"] for row in rows(r.text)} >= {"http://schema.org/name", "http://www.w3.org/2002/07/owl#sameAs"}


def test_construct_saved_query_as_turtle(live: Live) -> None:
    r = live.client.get("/queries/graph-of.ttl", params={"subject": BOB.value})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert {str(s) for s in g.subjects()} == {BOB.value}


def test_parameter_errors_are_400_and_unknown_query_404(live: Live) -> None:
    assert live.client.get("/queries/by-name").status_code == 400  # required parameter missing
    r = live.client.get("/queries/by-name", params={"name": "Bob", "nmae": "x"})
    assert r.status_code == 400 and "nmae" in r.text
    r = live.client.get("/queries/by-subject", params={"subject": "not an iri"})
    assert r.status_code == 400 and "iri" in r.text
    assert live.client.get("/queries/by-name", params=[("name", "a"), ("name", "b")]).status_code == 400
    r = live.client.get("/queries/nope")
    assert r.status_code == 404 and "by-name" in r.text
    assert live.client.get("/queries/by-name.csv", params={"name": "Bob"}, headers={"Accept": "x/y"}).status_code == 200
    assert live.client.get("/queries/by-name", params={"name": "Bob"}, headers={"Accept": "text/turtle"}
                           ).status_code == 406


def test_a_stored_value_with_syntax_characters_matches_only_itself(live: Live) -> None:
    r = live.client.get("/queries/by-name.csv", params={"name": TRICKY_NAME})
    assert [row["name"] for row in rows(r.text)] == [TRICKY_NAME]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.lists(st.sampled_from(list('}{"\'<>#\n\r\\ ?$.;*') + ["UNION", "Bob", "x", "\u00e9", "?s ?p ?o"]),
                      max_size=20).map("".join))
@example(value='Bob" } UNION { ?s ?p ?name } #')  # closes the string and the group, comments out the rest
@example(value='x"} ?s ?p ?name . {"')
@example(value="Bob> . ?s ?p ?name #")
@example(value='Bob"\n} UNION {\n?s ?p ?name\n} #')
@example(value="# }")
def test_no_value_changes_the_query_shape(live: Live, value: str) -> None:
    """Whatever the value, the answer is exactly the subjects with that name: never all rows, never an error."""
    r = live.client.get("/queries/by-name.csv", params={"name": value})
    assert r.status_code == 200, r.text
    names = [row["name"] for row in rows(r.text)]
    assert all(n == value for n in names)
    assert len(names) == (1 if value in ("Bob", TRICKY_NAME) else 0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=st.lists(st.sampled_from(list('}{"<> #\n') + ["?s ?p ?o", "UNION", "x"]), min_size=1,
                     max_size=15).map("".join))
def test_iri_values_with_syntax_characters_are_refused(live: Live, tail: str) -> None:
    r = live.client.get("/queries/by-subject.csv", params={"subject": ALICE.value + tail})
    if r.status_code == 200:  # only a valid IRI gets through, and then it is just that IRI
        assert all(row["subject"] == ALICE.value + tail for row in rows(r.text))
    else:
        assert r.status_code == 400


def test_answers_are_cached_with_etags(live: Live) -> None:
    state = live.state
    first = live.client.get("/queries/by-name.csv", params={"name": "Alice"})
    etag = first.headers["etag"]
    size = len(state.cache)
    again = live.client.get("/queries/by-name.csv", params={"name": "Alice"})
    assert again.content == first.content and again.headers["etag"] == etag and len(state.cache) == size
    assert live.client.get("/queries/by-name.csv", params={"name": "Alice"},
                           headers={"If-None-Match": etag}).status_code == 304
    other = live.client.get("/queries/by-name.json", params={"name": "Alice"})
    assert other.headers["etag"] != etag  # the format is part of the key


def test_openapi_describes_every_saved_query(live: Live) -> None:
    spec = live.client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for name in SAVED:
        assert f"/queries/{name}" in spec["paths"]
    op = spec["paths"]["/queries/by-name"]["get"]
    assert op["summary"] == "People by name"
    assert op["parameters"] == [{"name": "name", "in": "query", "required": True, "description": "the exact name",
                                 "schema": {"type": "string"}}]
    assert spec["paths"]["/queries/by-subject"]["get"]["parameters"][0]["schema"]["format"] == "iri"
    for path in ("/queries", "/sparql", "/rdf-graph-store"):
        assert path in spec["paths"]
    assert len({op["get"]["operationId"] for op in spec["paths"].values()}) == len(spec["paths"])


def test_answer_cache_is_bounded_in_entries_and_bytes() -> None:
    from kgbuild.server.cache import AnswerCache, CachedAnswer

    cache = AnswerCache(entries=3, max_bytes=10, budget=25)
    for i in range(5):
        cache.put((i,), CachedAnswer("text/csv", b"x" * 8, str(i)))
    assert len(cache) == 3 and cache.size == 24 and cache.get((0,)) is None and cache.get((4,)) is not None
    cache.put(("big",), CachedAnswer("text/csv", b"x" * 11, "b"))  # over max_bytes: not kept
    assert cache.get(("big",)) is None
    cache.put(("a",), CachedAnswer("text/csv", b"x" * 10, "a"))
    assert cache.size <= 25
    assert cache.stats()["evicted"] >= 2 and cache.stats()["too_big"] == 1


BIG_NAME = "n" * (3 * 1024 * 1024 // 2)  # a 1.5 MiB answer: over the cache's old 1 MiB limit per answer


@pytest.fixture()
def live_big(queries_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Live, list[str]]]:
    """A server over the small store plus one 1.5 MiB name, without the answer cache in front of the router
    (so that the saved-query cache is what answers again); the list records every saved-query evaluation."""
    evaluated: list[str] = []
    real = saved.run_saved_query

    def counting(store: Any, query: Any, params: dict[str, str]) -> Any:
        evaluated.append(query.name)
        return real(store, query, params)

    monkeypatch.setattr(saved, "run_saved_query", counting)
    store = small_store()
    store.add([ox.Quad(ox.NamedNode(BASE + "actor/long"), ox.NamedNode("http://schema.org/name"),
                       ox.Literal(BIG_NAME), ox.NamedNode(BASE + "graph/big"))])
    for server in serve(store, queries_dir, answer_cache=False):  # the saved-query cache alone
        yield server, evaluated


def test_a_second_identical_request_is_not_recomputed(live_big: tuple[Live, list[str]]) -> None:
    live, evaluated = live_big
    first = live.client.get("/queries/names.json")
    assert first.status_code == 200 and len(first.content) > 1024 * 1024
    assert BIG_NAME in {b["name"]["value"] for b in first.json()["results"]["bindings"]}
    second = live.client.get("/queries/names.json")
    assert second.content == first.content and evaluated == ["names"]
    stats = live.client.get("/.well-known/kgbuild-stats").json()["saved_query_cache"]
    assert stats["computed"] == 1 and stats["hits"] == 1 and stats["too_big"] == 0


def test_a_burst_of_one_request_is_computed_once(live_big: tuple[Live, list[str]]) -> None:
    """Eight clients asking at once for an answer nobody has asked for: one evaluation, eight equal answers."""
    live, evaluated = live_big
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda _: httpx.get(live.url + "/queries/names.csv", timeout=30).content, range(8)))
    assert len(set(bodies)) == 1 and BIG_NAME.encode() in bodies[0]
    assert evaluated == ["names"]


def test_stats_show_the_cache_limits(live_big: tuple[Live, list[str]]) -> None:
    live, _ = live_big
    stats = live.client.get("/.well-known/kgbuild-stats").json()
    cache = stats["saved_query_cache"]
    assert cache["max_answer_bytes"] == live.state.cache.max_bytes >= 32 * 1024 * 1024
    assert cache["budget_bytes"] >= cache["max_answer_bytes"] and cache["policy"].startswith("LRU")
    assert stats["generation"] == live.state.generation.token

"""The store wrapper: union default graph unless the query or the caller names the dataset."""
from __future__ import annotations

from helpers import BASE, SEED_GRAPH

from kgbuild.store import KgStore


def count(store: KgStore, sparql: str) -> int:
    return int(next(iter(store.select(sparql)))["n"].value)


def test_default_graph_is_the_union_of_named_graphs(seed_store: KgStore) -> None:
    union = count(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    per_graph = sum(count(seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }}")
                    for g in seed_store.graphs())
    assert union == per_graph == len(seed_store)


def test_a_from_clause_is_honoured(seed_store: KgStore) -> None:
    only_seed = count(seed_store, f"SELECT (COUNT(*) AS ?n) FROM <{SEED_GRAPH}> WHERE {{ ?s ?p ?o }}")
    assert only_seed == count(seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SEED_GRAPH}> {{ ?s ?p ?o }} }}")
    assert only_seed < len(seed_store)
    # A FROM naming the registry sees entity descriptions and no article triples.
    assert seed_store.query(f"ASK FROM <{BASE}graph/registry> {{ <{BASE}actor/trump> ?p ?o }}")
    assert not seed_store.query(f"ASK FROM <{BASE}graph/registry> {{ ?a a <http://schema.org/NewsArticle> }}")


def test_entities_are_described_once(seed_store: KgStore) -> None:
    graphs = {r["g"].value for r in seed_store.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{BASE}actor/trump> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}")}
    assert graphs == {BASE + "graph/registry"}

"""Exports: readable, deterministic, and read back identically by an independent parser."""
from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from helpers import SEED_ANNOTATION, SEED_GRAPH
from rdflib.compare import isomorphic, to_isomorphic

from kgbuild.build import build
from kgbuild.export import export
from kgbuild.formats import EXPORT_FORMATS
from kgbuild.store import KgStore


def rdflib_graph_from_store(store: KgStore, graph: str | None = None) -> rdflib.Graph:
    """The store's triples as rdflib terms, read through pyoxigraph's own N-Triples (independent path)."""
    node = ox.NamedNode(graph) if graph else None
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(node)}
    data = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")


def test_turtle_export_parses_in_rdflib_and_is_isomorphic_to_the_store(seed_store: KgStore) -> None:
    turtle = export(seed_store, "turtle")
    assert turtle is not None
    text = turtle.decode("utf-8")
    assert text.startswith("@prefix ")
    assert "schema:NewsArticle" in text and "oa:TextQuoteSelector" in text  # prefixed, readable
    parsed = rdflib.Graph().parse(data=text, format="turtle")
    assert isomorphic(to_isomorphic(parsed), to_isomorphic(rdflib_graph_from_store(seed_store)))


def test_one_graph_export(seed_store: KgStore) -> None:
    data = export(seed_store, "turtle", graph=SEED_GRAPH)
    assert data is not None
    parsed = rdflib.Graph().parse(data=data, format="turtle")
    assert isomorphic(parsed, rdflib_graph_from_store(seed_store, SEED_GRAPH))


@pytest.mark.parametrize("fmt,rdflib_format", [("trig", "trig"), ("nquads", "nquads")])
def test_dataset_exports_keep_graph_names(seed_store: KgStore, fmt: str, rdflib_format: str) -> None:
    data = export(seed_store, fmt)
    assert data is not None
    ds = rdflib.Dataset().parse(data=data, format=rdflib_format)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {g.value for g in seed_store.graphs()}
    assert sum(len(g) for g in ds.graphs()) == len(seed_store)


def test_pyoxigraph_reads_what_rdflib_writes(seed_store: KgStore) -> None:
    graph = rdflib.Graph().parse(data=export(seed_store, "turtle"), format="turtle")
    back = ox.parse(graph.serialize(format="turtle").encode("utf-8"), format=ox.RdfFormat.TURTLE)
    assert len(set(back)) == len(graph)


def test_every_format_is_parseable(seed_store: KgStore) -> None:
    for name, fmt in ((n, f.ox_format) for n, f in EXPORT_FORMATS.items()):
        data = export(seed_store, name)
        assert data, name
        parsed = list(ox.parse(data, format=fmt))
        assert parsed, name


def test_two_builds_export_identical_bytes(tmp_path: Path) -> None:
    outputs = []
    for i in range(2):
        store = KgStore(tmp_path / f"s{i}")
        build([SEED_ANNOTATION], store=store, workers=1)
        outputs.append({fmt: export(store, fmt) for fmt in ("turtle", "nquads", "trig")})
    assert outputs[0] == outputs[1]


def test_export_refuses_an_unknown_graph(seed_store: KgStore) -> None:
    from kgbuild.errors import KgbuildError

    with pytest.raises(KgbuildError, match="no graph"):
        export(seed_store, "turtle", graph="https://example.org/nope")


def test_export_to_a_stream(seed_store: KgStore) -> None:
    buffer = io.BytesIO()
    assert export(seed_store, "ntriples", output=buffer) is None
    assert buffer.getvalue().count(b"\n") == len({(q.subject, q.predicate, q.object) for q in seed_store.quads()})

"""The VoID counts kept per graph (graphstats) equal the exact COUNT(DISTINCT) queries over the store.

Two kinds of input: random quads spread over random graphs (hypothesis), with article-local
IRIs named across graphs, blank nodes, and typed literals the store normalises; and random
synthetic corpora (benchmarks/make_corpus.py) built, changed, pruned and rebuilt with
`kgbuild.build`. Every time, each number of the description read back with rdflib equals
the SPARQL aggregate over the store computed here, the way the description used to be
computed (holding every distinct term).
"""
from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path

import make_corpus
import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgbuild import graphstats
from kgbuild import void as void_module
from kgbuild.build import build
from kgbuild.store import KgStore
from kgbuild.vocab import Iris
from kgbuild.void import describe, void_graph, void_turtle

BASE = "https://w3id.org/kgbuild/id/"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DATASET = rdflib.URIRef(BASE + "dataset")
VOID_GRAPH = BASE + "graph/void"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IN_DESCRIBED = f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{VOID_GRAPH}>)"


def exact(store: KgStore) -> dict[str, object]:
    """The numbers by COUNT(DISTINCT) over every named graph but the description's."""
    def one(sparql: str) -> int:
        return int(next(iter(store.select(sparql)))["n"].value)

    properties = {r["p"].value: int(r["n"].value) for r in store.select(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {IN_DESCRIBED} }} GROUP BY ?p")}
    classes = {r["c"].value: int(r["n"].value) for r in store.select(
        f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{RDF_TYPE}> ?c }}
            FILTER(?g != <{VOID_GRAPH}> && isIRI(?c)) }} GROUP BY ?c""")}
    return {
        "triples": sum(properties.values()),
        "properties": properties,
        "subjects": one(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {IN_DESCRIBED} }}"),
        "entities": one(f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {IN_DESCRIBED}
                            FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }}"""),
        "objects": one(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {IN_DESCRIBED} }}"),
        "classes": classes,
    }


def described(turtle: bytes) -> dict[str, object]:
    """The same numbers as the description states them (parsed with rdflib)."""
    g = rdflib.Graph()
    g.parse(data=turtle, format="turtle")

    def value(s: rdflib.term.Node, p: rdflib.URIRef) -> int:
        (v,) = g.objects(s, p)
        return int(v)

    return {
        "triples": value(DATASET, VOID.triples),
        "properties": {str(next(g.objects(part, VOID.property))): value(part, VOID.triples)
                       for part in g.objects(DATASET, VOID.propertyPartition)},
        "subjects": value(DATASET, VOID.distinctSubjects),
        "entities": value(DATASET, VOID.entities),
        "objects": value(DATASET, VOID.distinctObjects),
        "classes": {str(next(g.objects(part, VOID["class"]))): value(part, VOID.entities)
                    for part in g.objects(DATASET, VOID.classPartition)},
    }


def totals_as_numbers(t: graphstats.Totals) -> dict[str, object]:
    return {"triples": sum(t.triples.values()), "properties": dict(t.triples), "subjects": t.subjects,
            "entities": t.entities, "objects": t.objects, "classes": dict(t.classes)}


# ---------------------------------------------------------------- random quads over random graphs
ARTICLES = ["a0", "a1", "a%C3%A9"]  # a percent-encoded id, as Iris writes a non-ASCII one
LOCAL = [f"{BASE}article/{a}{tail}" for a in ARTICLES for tail in ("", "/event/e1", "/annotation/claim/c1/1#target")]
IRIS = [*LOCAL, f"{BASE}actor/p1", f"{BASE}state/s1", f"{BASE}article/a9/event/e1",  # a9: no graph of its own
        "http://example.org/x", "https://w3id.org/kgbuild/ontology#Claim", "http://schema.org/Person"]
CLASSES = ["https://w3id.org/kgbuild/ontology#Claim", "http://schema.org/Person", f"{BASE}actor/p1"]
PREDICATES = [RDF_TYPE, "http://schema.org/about", "http://www.w3.org/ns/oa#start", "http://www.w3.org/2000/01/rdf-schema#label"]
GRAPHS = [f"{BASE}graph/{a}" for a in ARTICLES] + [f"{BASE}graph/registry", "http://example.org/theirs"]
LITERALS = [
    ox.Literal("7", datatype=ox.NamedNode(XSD + "nonNegativeInteger")),  # stored as "7"^^xsd:integer
    ox.Literal("007", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2025-06-01T10:00:00+00:00", datatype=ox.NamedNode(XSD + "dateTime")),
    ox.Literal("2025-06-01T10:00:00Z", datatype=ox.NamedNode(XSD + "dateTime")),
    ox.Literal("x", datatype=ox.NamedNode(XSD + "string")),  # the same term as the plain "x"
    ox.Literal("x"), ox.Literal("x", language="en"), ox.Literal('say "x"\n'),
]

iris = st.sampled_from(IRIS).map(ox.NamedNode)
subjects = st.one_of(iris, st.sampled_from(["b1", "b2"]).map(ox.BlankNode))
objects = st.one_of(iris, st.sampled_from(LITERALS), st.sampled_from(CLASSES).map(ox.NamedNode), subjects)
quad = st.builds(lambda s, p, o, g: ox.Quad(s, ox.NamedNode(p), o, ox.NamedNode(g)),
                 subjects, st.sampled_from(PREDICATES), objects, st.sampled_from(GRAPHS))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(quad, min_size=1, max_size=60))
def test_counts_of_random_graphs_equal_count_distinct(quads: list[ox.Quad]) -> None:
    store = KgStore()
    for q in quads:
        store.add([q])  # keeps blank node labels: the same _:b1 in two graphs is one term
    expected = exact(store)
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q)
    # As the build counts a mapped article (its own lines, literals as written), and as describe
    # counts a graph from the store: both add up to the exact numbers.
    mapped = []
    for graph, items in by_graph.items():
        stats = graphstats.count_lines([str(q) for q in items], graph, BASE)
        mapped.append(stats if stats is not None else graphstats.count_stored(store, ox.NamedNode(graph), BASE))
    assert totals_as_numbers(graphstats.combine(mapped, store, BASE)) == expected
    stored = [graphstats.count_stored(store, g, BASE) for g in store.graphs()]
    assert totals_as_numbers(graphstats.combine(stored, store, BASE)) == expected
    # And through the packed form the cache and the workers use.
    unpacked = [graphstats.GraphStats.unpack(*s.pack()) for s in stored]
    assert totals_as_numbers(graphstats.combine(unpacked, store, BASE)) == expected


def test_the_buckets_spill_to_disk_and_still_count_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphstats, "BUCKET_BYTES", 64)  # every bucket spills after a few records
    store = KgStore()
    rng = random.Random(5)
    for i in range(3000):
        g = ox.NamedNode(f"{BASE}graph/a{i % 7}")
        store.add([ox.Quad(ox.NamedNode(f"{BASE}article/a{i % 7}/x/{i % 50}"), ox.NamedNode(RDF_TYPE),
                           ox.NamedNode(f"http://example.org/C{rng.randrange(4)}"), g),
                   ox.Quad(ox.NamedNode(f"http://example.org/s{rng.randrange(400)}"),
                           ox.NamedNode("http://example.org/p"), ox.Literal(str(rng.randrange(900))), g)])
    stats = [graphstats.count_stored(store, g, BASE) for g in store.graphs()]
    assert totals_as_numbers(graphstats.combine(stats, store, BASE)) == exact(store)


def test_typed_literals_are_counted_as_the_store_holds_them() -> None:
    graph = BASE + "graph/a0"
    lines = [f'<{BASE}article/a0> <http://example.org/p> {lit} <{graph}>' for lit in (
        f'"007"^^<{XSD}nonNegativeInteger>', f'"7"^^<{XSD}integer>', '"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal>',
        f'"1.5"^^<{XSD}decimal>')]
    stats = graphstats.count_lines(lines, graph, BASE)
    assert stats is not None
    assert stats.triples == Counter({"http://example.org/p": 2})  # as stored: two triples, not four
    assert len(stats.pools[graphstats.OBJECT]) == 2 * graphstats.DIGEST
    assert stats.subjects == 1 and stats.objects == 0  # the article's own IRI is local to its graph


# ---------------------------------------------------------------- built corpora, changed and pruned
def check(store: KgStore) -> dict[str, object]:
    numbers = described(void_turtle(store))
    assert numbers == exact(store)
    return numbers


def cache_rows(store: KgStore) -> dict[str, tuple[str, bytes, bytes]]:
    assert store.path is not None
    with sqlite3.connect(store.path.with_name(store.path.name + graphstats.StatsCache.SUFFIX)) as db:
        return {g: (k, h, d) for g, k, h, d in db.execute("SELECT graph, key, head, digests FROM graph_stats")}


@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(1, 10_000), n=st.integers(3, 9))
def test_built_changed_and_pruned_corpora_are_counted_exactly(tmp_path: Path, seed: int, n: int) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path))  # hypothesis runs many examples in one tmp_path
    corpus = make_corpus.write_corpus(n, root / "corpus", seed=seed, actors=60)
    store = KgStore(root / "store")
    build([corpus], store=store, workers=1)
    check(store)
    articles = {g for g in store.graph_hashes() if g != BASE + "graph/registry"}
    rows = cache_rows(store)
    assert articles <= rows.keys()  # the build kept each article's counts; describe added the registry's
    assert all(rows[g][0] == f"{graphstats.VERSION}:{h}" for g, h in store.graph_hashes().items())

    # Change one article, delete another, rebuild with --prune: only the changed article is counted anew.
    files = sorted((corpus / "articles").glob("*.yaml"))
    changed, gone = files[0], files[-1]
    text = changed.read_text("utf-8")
    assert '    label: "' in text
    changed.write_text(text.replace('    label: "', '    label: "Revised: ', 1), "utf-8")
    gone.unlink()
    gone.with_suffix(".txt").unlink()
    report = build([corpus], store=store, workers=1, prune=True)
    assert len(report.built) == 1 and len(report.removed) == 1
    check(store)
    after = cache_rows(store)
    assert len(after) == len(rows) - 1
    renewed = {g for g in after if after[g] != rows.get(g)}
    assert renewed == {BASE + f"graph/{report.built[0]}"}


def test_a_graph_pointing_into_an_article_and_a_lost_cache_are_counted_exactly(tmp_path: Path) -> None:
    corpus = make_corpus.write_corpus(5, tmp_path / "corpus", seed=3, actors=60)
    store = KgStore(tmp_path / "store")
    build([corpus], store=store, workers=1)
    article = next(g for g in store.graph_hashes() if g != BASE + "graph/registry").replace("/graph/", "/article/")
    # Someone else's graph names IRIs minted for an article: ones the article's graph holds (counted
    # there already) and one it does not, as subject, object and typed instance.
    store.update(f"""INSERT DATA {{ GRAPH <http://example.org/theirs> {{
        <{article}> <http://www.w3.org/2000/01/rdf-schema#comment> "seen" .
        <{article}/event/nothing> a <http://schema.org/Event> .
        <http://example.org/x> <http://schema.org/about> <{article}> , <{article}/event/nothing> ,
            "7"^^<{XSD}nonNegativeInteger> . }} }}""")
    quads = describe(store, Iris(), endpoint_url="http://127.0.0.1:8000/sparql")
    turtle = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.TURTLE)
    assert turtle is not None
    numbers = described(turtle)
    assert numbers == exact(store)
    # Without its cache the store is counted from scratch (and the cache made again): the same numbers.
    assert store.path is not None
    cache = store.path.with_name(store.path.name + graphstats.StatsCache.SUFFIX)
    cache.unlink()
    assert totals_as_numbers(graphstats.store_totals(store, BASE, leave_out=void_graph(Iris()))) == numbers
    assert cache.is_file()
    # A row whose key does not match its graph is not believed.
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE graph_stats SET key = 'stale', head = (SELECT head FROM graph_stats LIMIT 1)")
    assert totals_as_numbers(graphstats.store_totals(store, BASE, leave_out=void_graph(Iris()))) == numbers


def test_a_fresh_build_beside_another_stores_cache_counts_only_its_own_graphs(tmp_path: Path) -> None:
    # A fresh build describes itself from the counts it wrote (graphstats.store_totals' `uncounted`): the
    # rows left beside the folder by a store that was deleted must not count.
    store = KgStore(tmp_path / "store")
    build([make_corpus.write_corpus(6, tmp_path / "old", seed=5, actors=60)], store=store, workers=1)
    store.close()
    shutil.rmtree(tmp_path / "store")
    store = KgStore(tmp_path / "store")
    build([make_corpus.write_corpus(3, tmp_path / "new", seed=6, actors=60)], store=store, workers=1)
    check(store)
    assert set(cache_rows(store)) == set(store.graph_hashes())


def test_a_build_stopped_before_describing_leaves_no_stale_description(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = make_corpus.write_corpus(4, tmp_path / "corpus", seed=8, actors=60)
    store = KgStore(tmp_path / "store")
    build([corpus], store=store, workers=1)
    before = check(store)
    sorted((corpus / "articles").glob("*.yaml"))[0].unlink()

    def killed(*_: object, **__: object) -> None:
        raise KeyboardInterrupt  # as if the build died after writing and before describing

    monkeypatch.setattr(void_module, "refresh", killed)
    with pytest.raises(KeyboardInterrupt):
        build([corpus], store=store, workers=1, prune=True)
    monkeypatch.undo()
    assert not store.has_graph(void_graph(Iris()))  # the old description went before the first write
    assert check(store) != before  # counted on request, from the cache and the store as they are
    report = build([corpus], store=store, workers=1, prune=True)
    assert report.built == [] and not report.changed  # nothing left to write, but
    assert store.has_graph(void_graph(Iris()))  # the description is made again
    check(store)

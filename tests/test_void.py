"""The VoID/DCAT self-description: built with the store, and every count in it matches the store.

The description is read back with rdflib (an independent parser) from `void_turtle`, and
each count is checked against its own SPARQL COUNT on the store and, for the dataset
totals, against sets computed in Python from the raw quads.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from helpers import BASE, DATA, SEED_ANNOTATION, select
from rdflib.namespace import RDF

from kgbuild import loader
from kgbuild.build import build
from kgbuild.formats import EXPORT_FORMATS as FORMATS
from kgbuild.store import KgStore
from kgbuild.vocab import Iris
from kgbuild.void import describe, void_turtle

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
VOID_GRAPH = BASE + "graph/void"
DATASET = rdflib.URIRef(BASE + "dataset")
NOT_VOID = f"FILTER(?g != <{VOID_GRAPH}>)"


def description(store: KgStore, **kwargs: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=void_turtle(store, **kwargs), format="turtle")
    return graph


def one(graph: rdflib.Graph, s: rdflib.term.Node, p: rdflib.URIRef) -> rdflib.term.Node:
    values = list(graph.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return values[0]


def count(store: KgStore, sparql: str) -> int:
    return int(select(store, sparql)[0]["n"])


def described_triples(store: KgStore) -> list[tuple[ox.Term, ...]]:
    """The triples of every described graph, one per graph that states it (void:triples counts them so)."""
    return [(q.subject, q.predicate, q.object) for q in store.quads()
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != VOID_GRAPH]


@pytest.fixture(scope="module")
def void(seed_store: KgStore) -> rdflib.Graph:
    return description(seed_store)


def test_the_build_writes_the_description_into_its_own_graph(seed_store: KgStore, void: rdflib.Graph) -> None:
    assert VOID_GRAPH in {g.value for g in seed_store.graphs()}
    assert {(DATASET, RDF.type, VOID.Dataset), (DATASET, RDF.type, DCAT.Dataset)} <= set(void)
    assert str(one(void, DATASET, VOID.uriSpace)) == BASE
    assert str(one(void, DATASET, VOID.sparqlEndpoint)) == "https://w3id.org/kgbuild/sparql"
    assert str(one(void, DATASET, DCT.license)) == "https://www.apache.org/licenses/LICENSE-2.0"
    examples = {str(x) for x in void.objects(DATASET, VOID.exampleResource)}
    assert BASE + "article/a2fbfe0915b87551" in examples and len(examples) == 3
    for example in examples:  # each example resource is really in the data
        assert seed_store.query(f"ASK {{ GRAPH ?g {{ <{example}> ?p ?o }} {NOT_VOID} }}")
    assert rdflib.URIRef("https://w3id.org/kgbuild/ontology") in set(void.objects(DATASET, VOID.vocabulary))


def test_dataset_totals_match_the_store(seed_store: KgStore, void: rdflib.Graph) -> None:
    triples = described_triples(seed_store)
    subjects = {s for s, _, _ in triples}
    expected = {
        VOID.triples: len(triples),
        VOID.distinctSubjects: len(subjects),
        VOID.distinctObjects: len({o for _, _, o in triples}),
        VOID.properties: len({p for _, p, _ in triples}),
        VOID.classes: len({o for _, p, o in triples if p.value == str(RDF.type) and isinstance(o, ox.NamedNode)}),
        VOID.entities: len({s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(BASE)}),
    }
    got = {p: int(one(void, DATASET, p)) for p in expected}
    assert got == expected
    # The same numbers by direct SPARQL counts: over every graph but the description's, and over
    # the union default graph the endpoint serves (its COUNT(*) is what void:triples promises).
    assert got[VOID.triples] == count(seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {NOT_VOID} }}")
    assert got[VOID.triples] == count(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") - count(
        seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{VOID_GRAPH}> {{ ?s ?p ?o }} }}")
    assert got[VOID.entities] == count(seed_store, f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
        GRAPH ?g {{ ?s ?p ?o }} {NOT_VOID} FILTER(STRSTARTS(STR(?s), "{BASE}")) }}""")
    assert got[VOID.entities] > 500 and got[VOID.triples] > 5000


def test_every_class_partition_counts_its_instances(seed_store: KgStore, void: rdflib.Graph) -> None:
    partitions = list(void.objects(DATASET, VOID.classPartition))
    classes = {str(one(void, part, VOID["class"])): int(one(void, part, VOID.entities)) for part in partitions}
    assert len(classes) == len(partitions) == int(one(void, DATASET, VOID.classes))
    for cls, n in classes.items():
        assert n == count(seed_store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} {NOT_VOID} }}"), cls
    assert classes["https://w3id.org/kgbuild/ontology#Person"] == 2
    assert classes["https://w3id.org/kgbuild/ontology#Claim"] == 27


def test_every_property_partition_counts_its_triples(seed_store: KgStore, void: rdflib.Graph) -> None:
    partitions = list(void.objects(DATASET, VOID.propertyPartition))
    props = {str(one(void, part, VOID.property)): int(one(void, part, VOID.triples)) for part in partitions}
    assert len(props) == int(one(void, DATASET, VOID.properties))
    assert sum(props.values()) == int(one(void, DATASET, VOID.triples))
    for prop, n in props.items():
        assert n == count(seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{prop}> ?o }} {NOT_VOID} }}"), prop


def test_linksets_count_the_links_to_wikidata_and_dbpedia(seed_store: KgStore, void: rdflib.Graph) -> None:
    linksets = {}
    for ls in void.objects(DATASET, VOID.subset):
        assert (ls, RDF.type, VOID.Linkset) in void
        assert one(void, ls, VOID.subjectsTarget) == DATASET
        space = str(one(void, one(void, ls, VOID.objectsTarget), VOID.uriSpace))
        predicate = str(one(void, ls, VOID.linkPredicate))
        linksets[(space, predicate)] = int(one(void, ls, VOID.triples))
    for (space, predicate), n in linksets.items():
        assert n == count(seed_store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{
            GRAPH ?g {{ ?s <{predicate}> ?o }} {NOT_VOID} FILTER(STRSTARTS(STR(?o), "{space}")) }} }}""")
    # And against the curated links themselves: every owl:sameAs to Wikidata comes from links.yaml.
    article = loader.load_article(SEED_ANNOTATION, loader.load_registry(DATA))
    same_wd = sum(1 for link in article.links.values() if link.match == "same" and link.wikidata)
    same_db = sum(1 for link in article.links.values() if link.match == "same" and link.dbpedia)
    owl_same = "http://www.w3.org/2002/07/owl#sameAs"
    assert linksets[("http://www.wikidata.org/entity/", owl_same)] == same_wd
    assert linksets[("http://dbpedia.org/resource/", owl_same)] == same_db


def test_dcat_entry_has_a_licence_and_one_distribution_per_export_format(void: rdflib.Graph) -> None:
    distributions = list(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(FORMATS)
    media = {str(one(void, d, DCAT.mediaType)) for d in distributions}
    assert "https://www.iana.org/assignments/media-types/text/turtle" in media
    assert "https://www.iana.org/assignments/media-types/application/ld+json" in media
    for d in distributions:
        assert (d, RDF.type, DCAT.Distribution) in void
        assert one(void, d, DCT.license)
        service = one(void, d, DCAT.accessService)
        assert one(void, service, DCAT.servesDataset) == DATASET


def test_endpoint_url_can_be_given_when_serving(seed_store: KgStore, void: rdflib.Graph) -> None:
    served = description(seed_store, endpoint_url="http://127.0.0.1:8000/sparql")
    assert str(one(served, DATASET, VOID.sparqlEndpoint)) == "http://127.0.0.1:8000/sparql"
    service = next(served.subjects(DCAT.servesDataset, DATASET))
    assert str(one(served, service, DCAT.endpointURL)) == "http://127.0.0.1:8000/sparql"
    assert {str(o) for o in served.objects(None, DCAT.accessURL)} == {"http://127.0.0.1:8000/sparql"}
    # Only the endpoint differs from the stored description: every count is the build's.
    stored_endpoint = one(void, DATASET, VOID.sparqlEndpoint)
    assert len(served) == len(void)
    assert {t for t in void if stored_endpoint not in t} == {t for t in served if rdflib.URIRef(
        "http://127.0.0.1:8000/sparql") not in t}


def test_counts_follow_an_incremental_build(corpus: Path, fresh_store: KgStore) -> None:
    build([corpus], store=fresh_store, workers=1)
    before = int(one(description(fresh_store), DATASET, VOID.triples))
    (corpus / "articles" / "002_second.txt").write_text("Trump met Netanyahu in Florida.", "utf-8")
    (corpus / "articles" / "002_second.yaml").write_text(
        "kgbuild: 1\nid: second\nmentions:\n  trump: Trump\n  florida: Florida\n", "utf-8")
    assert build([corpus], store=fresh_store, workers=1).built == ["second"]
    after = int(one(description(fresh_store), DATASET, VOID.triples))
    assert after > before
    assert after == len(described_triples(fresh_store))
    text = void_turtle(fresh_store)
    assert build([corpus], store=fresh_store, workers=1).built == []  # nothing changed: same description
    assert void_turtle(fresh_store) == text


def test_entities_count_base_iri_subjects_of_graphs_kgbuild_did_not_build(corpus: Path, fresh_store: KgStore) -> None:
    build([corpus], store=fresh_store, workers=1)
    # A graph written by someone else (as over the Graph Store Protocol): one subject under the base
    # IRI that no article has, one already described by the registry, and two that are not entities.
    fresh_store.update(f"""INSERT DATA {{ GRAPH <http://example.org/theirs> {{
        <{BASE}note/1> <http://www.w3.org/2000/01/rdf-schema#comment> "new" .
        <{BASE}actor/trump> <http://www.w3.org/2000/01/rdf-schema#comment> "seen elsewhere" .
        <http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#comment> "not ours" .
        _:b <http://www.w3.org/2000/01/rdf-schema#comment> "blank" . }} }}""")
    served = rdflib.Graph()
    served.parse(data=ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in describe(
        fresh_store, Iris(), endpoint_url="http://127.0.0.1:8000/sparql")], format=ox.RdfFormat.N_TRIPLES), format="nt")
    subjects = {s for s, _, _ in described_triples(fresh_store)}
    expected = {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(BASE)}
    assert ox.NamedNode(f"{BASE}note/1") in expected
    assert int(one(served, DATASET, VOID.entities)) == len(expected)
    assert ox.NamedNode("http://example.org/x") in subjects - expected
    assert int(one(served, DATASET, VOID.distinctSubjects)) == len(subjects)

"""The ontology: it parses, it declares every term the mapper writes, and its axioms say what we mean.

rdflib and owlready2 read the Turtle independently of pyoxigraph, which builds the store.
"""
from __future__ import annotations

import re
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from helpers import REPO
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

from kgbuild import model, vocab
from kgbuild.store import KgStore
from kgbuild.validate import data_triples

ONTOLOGY = REPO / "ontology" / "kgbuild.ttl"
ONTOLOGY_IRI = URIRef(vocab.ONTOLOGY_IRI)
KG = Namespace(vocab.KG)
SCHEMA = Namespace("http://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
MAPPER_SOURCE = (REPO / "src" / "kgbuild" / "mapper.py").read_text("utf-8")
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)
BUILT_IN = {str(RDF.type), str(RDFS.label), str(OWL.sameAs)}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def seed_triples(seed_store: KgStore) -> set[ox.Triple]:
    """What the mapper wrote for the seed article (the store's copy of the ontology left out)."""
    return data_triples(seed_store)


def declared(onto: Graph, iri: str) -> set[URIRef]:
    return {t for t in onto.objects(URIRef(iri), RDF.type) if t in DECLARATIONS}


def mapper_terms() -> dict[str, str]:
    """Every kg: term the mapper and vocab tables can emit -> what it must be declared as."""
    terms = {c: "Class" for c, _, _ in vocab.ENTITY_CLASSES.values()}
    terms |= {k: "Class" for k in model.EVENT_KINDS}
    for table, cls in ((vocab.STATUS_TERMS, "ActionStatus"), (vocab.MODALITY_TERMS, "Modality"),
                       (vocab.CASUALTY_TERMS, "CasualtyKind")):
        terms |= {v: cls for v in table.values()}
    terms |= {role: "AnchorRole" for role in re.findall(r'"(\w+Span)"', MAPPER_SOURCE)}
    for name in set(re.findall(r"KGNS\.(\w+)", MAPPER_SOURCE)) - {"term"}:
        terms.setdefault(name, "Class" if name[0].isupper() else "Property")
    return terms


def test_ontology_header_has_version_and_metadata(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{vocab.ONTOLOGY_IRI}/{vocab.ONTOLOGY_VERSION}")
    assert str(onto.value(ONTOLOGY_IRI, OWL.versionInfo)) == vocab.ONTOLOGY_VERSION
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator):
        assert onto.value(ONTOLOGY_IRI, prop) is not None, prop
    assert not list(onto.objects(None, OWL.imports)), "owl:imports would make reasoners fetch the network"


def test_every_kg_term_has_english_label_and_definition(onto: Graph) -> None:
    kg_terms = {s for s in onto.subjects() if isinstance(s, URIRef) and s.startswith(vocab.KG)}
    used = {o for o in onto.objects() if isinstance(o, URIRef) and o.startswith(vocab.KG)}
    assert len(kg_terms) > 100
    assert used <= kg_terms, f"kg: terms used but never described: {sorted(used - kg_terms)}"
    for term in sorted(kg_terms):
        assert declared(onto, term), f"{term} has no OWL declaration"
        for prop in (RDFS.label, SKOS.definition):
            values = list(onto.objects(term, prop))
            assert any(isinstance(v, Literal) and v.language == "en" for v in values), f"{term}: no @en {prop}"
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in onto, term


def test_every_kg_term_the_mapper_emits_is_declared(onto: Graph, seed_triples: set[ox.Triple]) -> None:
    terms = mapper_terms()
    for t in seed_triples:  # and what the seed graph actually holds
        for node, kind in ((t.predicate, "Property"), (t.object, "Class" if t.predicate.value == str(RDF.type) else "")):
            if isinstance(node, ox.NamedNode) and node.value.startswith(vocab.KG):
                terms.setdefault(node.value[len(vocab.KG):], kind or "Individual")
    assert {"Disputed", "Denied", "MainSpan", "statusAttributedTo", "RealizedEvent"} <= set(terms)
    for name, kind in sorted(terms.items()):
        types = declared(onto, vocab.KG + name)
        if kind == "Class":
            assert OWL.Class in types, name
        elif kind == "Property":
            assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, name
        else:  # a controlled value: an individual of its class, and a SKOS concept in that class's scheme
            assert OWL.NamedIndividual in types, name
            if kind != "Individual":
                assert (KG[name], RDF.type, KG[kind]) in onto, name
                assert (KG[name], SKOS.inScheme, KG[kind + "Scheme"]) in onto, name
                assert (KG[name], RDF.type, SKOS.Concept) in onto, name


def test_every_term_in_the_built_graph_is_typed_as_it_is_used(onto: Graph, seed_triples: set[ox.Triple]) -> None:
    """OWL 2 DL needs each property to be object or datatype, and each class declared, HermiT or not."""
    problems = []
    for t in seed_triples:
        p = t.predicate.value
        if p == str(RDF.type):
            if not declared(onto, t.object.value) & {OWL.Class}:
                problems.append(f"class {t.object.value} is not an owl:Class")
            continue
        if p in BUILT_IN:
            continue
        kinds = declared(onto, p)
        expected = {OWL.DatatypeProperty, OWL.AnnotationProperty} if isinstance(t.object, ox.Literal) else \
            {OWL.ObjectProperty, OWL.AnnotationProperty}
        if not kinds & expected:
            problems.append(f"{p} has a {'literal' if isinstance(t.object, ox.Literal) else 'node'} value "
                            f"but is declared {sorted(kinds) or 'nothing'}")
    assert sorted(set(problems)) == []


@pytest.mark.parametrize("cls,scheme", [("ActionStatus", "ActionStatusScheme"), ("Modality", "ModalityScheme"),
                                        ("CasualtyKind", "CasualtyKindScheme"), ("AnchorRole", "AnchorRoleScheme")])
def test_controlled_values_are_distinct_individuals_in_one_scheme(onto: Graph, cls: str, scheme: str) -> None:
    members = set(onto.subjects(RDF.type, KG[cls]))
    assert len(members) >= 2
    assert set(onto.subjects(SKOS.inScheme, KG[scheme])) == members
    assert (KG[scheme], RDF.type, SKOS.ConceptScheme) in onto
    distinct = [set(Collection(onto, lst)) for ad in onto.subjects(RDF.type, OWL.AllDifferent)
                for lst in onto.objects(ad, OWL.distinctMembers)]
    assert members in distinct, f"no owl:AllDifferent over exactly the {cls} values"


def test_status_values_match_the_model(onto: Graph) -> None:
    assert {str(s)[len(vocab.KG):] for s in onto.subjects(RDF.type, KG.ActionStatus)} == set(vocab.STATUS_TERMS.values())
    assert {str(s)[len(vocab.KG):] for s in onto.subjects(RDF.type, KG.Modality)} == set(vocab.MODALITY_TERMS.values())


@pytest.mark.parametrize("sub,sup", [
    (KG.Person, SCHEMA.Person), (KG.State, SCHEMA.Country), (KG.Actor, SEM.Actor), (KG.Actor, PROV.Agent),
    (KG.Organisation, SCHEMA.Organization), (KG.CollectiveActor, SCHEMA.Organization),
    (KG.Event, SEM.Event), (KG.Event, SCHEMA.Event), (KG.Statement, SCHEMA.Quotation), (KG.Statement, PROV.Entity),
    (KG.Claim, SCHEMA.Claim), (KG.Claim, PROV.Entity), (KG.Place, SEM.Place), (KG.Place, SCHEMA.Place),
    (KG.Article, SCHEMA.NewsArticle), (KG.Airstrike, KG.MilitaryAction), (KG.Meeting, KG.Event),
])
def test_class_alignment(onto: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in onto


def test_property_alignment_and_characteristics(onto: Graph) -> None:
    for prop in (KG.agent, KG.supporter, KG.participant):
        assert (prop, RDFS.subPropertyOf, SEM.hasActor) in onto
        assert (prop, RDFS.range, KG.Actor) in onto
    # A target can be a facility, a programme or an event, so it is no sem:hasActor.
    assert (KG.target, RDFS.subPropertyOf, SEM.hasActor) not in onto
    assert onto.value(KG.target, RDFS.range) is None
    assert (KG.weapon, RDFS.subPropertyOf, SCHEMA.instrument) in onto
    assert (KG.holder, RDFS.domain, KG.PositionHolding) in onto and (KG.holder, RDFS.range, KG.Person) in onto
    for prop in (KG.status, KG.modality, KG.casualtyKind):
        assert (prop, RDF.type, OWL.FunctionalProperty) in onto
    assert not list(onto.subjects(RDF.type, OWL.InverseFunctionalProperty))
    assert not list(onto.objects(None, OWL.hasKey))


def test_disjointness_that_catches_mistakes(onto: Graph) -> None:
    assert (KG.RealizedEvent, OWL.disjointWith, KG.UnrealizedEvent) in onto
    groups = [set(Collection(onto, lst)) for d in onto.subjects(RDF.type, OWL.AllDisjointClasses)
              for lst in onto.objects(d, OWL.members)]
    assert any({KG.Person, KG.State, KG.Organisation, KG.CollectiveActor} <= g for g in groups)
    assert any({KG.Statement, KG.Claim, KG.Event, KG.Place, KG.Facility, KG.Programme, KG.WeaponType, KG.Actor} <= g
               for g in groups)
    # A state is a place too: schema:Country must stay compatible with schema:Place.
    assert (SCHEMA.Country, OWL.disjointWith, SCHEMA.Place) not in onto
    assert not any(SCHEMA.Country in g and SCHEMA.Place in g for g in groups)


def test_owlready2_loads_it_and_hermit_finds_every_class_satisfiable(tmp_path: Path) -> None:
    nt = ox.serialize(ox.parse(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    world = owlready2.World()
    world.get_ontology(vocab.ONTOLOGY_IRI).load(fileobj=__import__("io").BytesIO(nt), format="ntriples")
    try:
        event, status = world[vocab.KG + "Event"], world[vocab.KG + "status"]
        assert isinstance(event, owlready2.ThingClass)
        assert owlready2.FunctionalProperty in status.is_a
        assert world[vocab.KG + "Threatened"] in world[vocab.KG + "ActionStatus"].instances()
        owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
        assert list(world.inconsistent_classes()) == []
    finally:
        world.close()

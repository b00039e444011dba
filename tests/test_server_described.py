"""The served self-description: VoID at /.well-known/void and the ontology at its IRI's path."""
from __future__ import annotations

from pathlib import Path

import rdflib
from helpers import REPO
from starlette.testclient import TestClient

from kgbuild.server import ServeSettings, create_app
from kgbuild.store import KgStore

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
OWL = rdflib.OWL


def client(store: KgStore) -> TestClient:
    return TestClient(create_app(store, ServeSettings(queries_dirs=(REPO / "queries",))), base_url="http://127.0.0.1:8000")


def test_void_names_this_endpoint_and_matches_the_store(seed_store: KgStore) -> None:
    reply = client(seed_store).get("/.well-known/void")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=reply.text, format="turtle")
    endpoints = set(graph.objects(None, VOID.sparqlEndpoint))
    assert rdflib.URIRef("http://127.0.0.1:8000/sparql") in endpoints
    triples = {int(o) for s, o in graph.subject_objects(VOID.triples) if (s, rdflib.RDF.type, VOID.Dataset) in graph}
    assert triples, "the dataset states its triple count"


def test_ontology_is_served_by_content_negotiation(seed_store: KgStore) -> None:
    http = client(seed_store)
    html = http.get("/ontology", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Claim" in html.text and "Accept" in html.headers["vary"]
    turtle = http.get("/ontology", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    source = rdflib.Graph().parse(Path(REPO / "ontology" / "kgbuild.ttl"), format="turtle")
    assert len(graph) == len(source)
    version = next(graph.objects(rdflib.URIRef("https://w3id.org/kgbuild/ontology"), OWL.versionIRI))
    assert http.get("/ontology/" + str(version).rsplit("/", 1)[1], headers={"Accept": "text/turtle"}).status_code == 200
    assert http.get("/ontology/9.9.9").status_code == 404
    assert http.get("/ontology", headers={"Accept": "image/png"}).status_code == 406

"""The ontology at its IRI: generated HTML for browsers, the same ontology in RDF for machines."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import rdflib
from helpers import REPO
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from kgbuild import ontology_docs
from kgbuild.errors import NotAcceptable, UnknownVersion
from kgbuild.ontology_docs import (
    negotiate,
    ontology_document,
    ontology_info,
    version_from_path,
)

ONTOLOGY = REPO / "ontology" / "kgbuild.ttl"
KG = "https://w3id.org/kgbuild/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def source() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def html() -> str:
    body, content_type = ontology_document(BROWSER)
    assert content_type == "text/html; charset=utf-8"
    return body.decode("utf-8")


def test_browsers_get_generated_html_documenting_every_kg_term(html: str, source: rdflib.Graph) -> None:
    assert "<title>kgbuild ontology</title>" in html
    assert "pyLODE" in html or "pylode" in html  # generated, not hand-written
    assert "https://w3id.org/kgbuild/ontology/0.1.0" in html  # owl:versionIRI shown
    terms = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in source.subjects(RDF.type, t) if str(s).startswith(KG)}
    assert len(terms) > 40
    missing = [str(t) for t in terms if str(t) not in html]
    assert missing == []


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", "turtle"),
    ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
    ("text/turtle;q=0.5, application/rdf+xml", "xml"),
])
def test_machines_get_the_same_ontology_in_their_format(accept: str, fmt: str, source: rdflib.Graph) -> None:
    body, content_type = ontology_document(accept)
    assert content_type.split(";")[0] in accept
    graph = rdflib.Graph().parse(data=body, format=fmt)
    assert isomorphic(graph, source)


def test_turtle_is_the_source_file_itself() -> None:
    assert ontology_document("text/turtle")[0] == ONTOLOGY.read_bytes()


def test_version_iri_path_serves_that_version_and_only_that() -> None:
    info = ontology_info()
    assert info.iri == "https://w3id.org/kgbuild/ontology"
    assert info.version_iri == "https://w3id.org/kgbuild/ontology/0.1.0" and info.version == "0.1.0"
    assert version_from_path("/ontology") is None
    assert version_from_path("/ontology/0.1.0") == "0.1.0"
    assert ontology_document("text/turtle", version="0.1.0") == ontology_document("text/turtle")
    with pytest.raises(UnknownVersion, match="no version '9.9.9'"):
        ontology_document("text/turtle", version="9.9.9")
    with pytest.raises(UnknownVersion):
        version_from_path("/ontology/0.1.0/extra")


def test_negotiation_defaults_to_html_and_refuses_what_it_cannot_give() -> None:
    assert negotiate(None).media_type == "text/html"
    assert negotiate("*/*").media_type == "text/html"
    assert negotiate("text/*").media_type == "text/html"
    assert negotiate("application/json").media_type == "application/ld+json"
    assert negotiate("text/html;q=0, */*;q=0.1").media_type == "text/turtle"
    with pytest.raises(NotAcceptable, match="text/turtle"):
        negotiate("image/png")


def test_html_is_regenerated_when_the_ontology_changes_and_cached_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGBUILD_CACHE", str(tmp_path / "cache"))  # a fresh cache
    changed = tmp_path / "kgbuild.ttl"
    changed.write_text(ONTOLOGY.read_text("utf-8").replace('"kgbuild ontology"@en', '"kgbuild ontology (draft)"@en'),
                       "utf-8")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    html = ontology_docs.ontology_html(changed).decode("utf-8")
    assert "<title>kgbuild ontology (draft)</title>" in html
    assert (root.handlers, root.level) == (handlers, level)  # pyLODE left the application's logging alone
    assert list((tmp_path / "cache" / "ontology-docs").glob("*.html"))
    calls = []
    monkeypatch.setattr(ontology_docs, "_generate_html", lambda text: calls.append(text) or b"")
    assert ontology_docs.ontology_html(changed).decode("utf-8") == html
    assert calls == []

"""Publish the ontology at its IRI: generated HTML for people, RDF for machines, by content negotiation.

`ontology_document(accept)` answers a request for https://w3id.org/kgbuild/ontology (or
its version IRI, `.../ontology/0.1.0`): HTML documentation generated from
ontology/kgbuild.ttl by pyLODE, or the ontology itself as Turtle, RDF/XML, JSON-LD or
N-Triples. Nothing here is hand-written: the page is regenerated whenever the file changes
(cached in memory and in the user's cache folder, keyed by the file's hash; see paths.cache_dir).

pyLODE takes the document title and metadata from every owl:Ontology *and every
skos:ConceptScheme* in the file; the ontology's status, modality, ... schemes would take
over the page, so the copy given to pyLODE leaves out their skos:ConceptScheme typing
(they are still documented as named individuals).

    >>> body, content_type = ontology_document("text/turtle")  # doctest: +SKIP
    >>> content_type
    'text/turtle; charset=utf-8'
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import formats
from .errors import KgbuildError, UnknownVersion
from .formats import EXPORT_FORMATS, HTML, Format
from .paths import atomic_write, cache_dir, ontology_files
from .vocab import ONTOLOGY_IRI, PREFIXES

ONTOLOGY_FILE = "kgbuild.ttl"
DOCS_VERSION = "1"  # bump when the preprocessing below changes, to invalidate cached pages
OWL_VERSION_IRI = "http://www.w3.org/2002/07/owl#versionIRI"
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"


# Server preference order: on a tie (e.g. Accept: */*) the first wins, so a bare browser or
# curl gets the HTML page; RDF clients name their format.
REPRESENTATIONS = (HTML, *(EXPORT_FORMATS[name] for name in ("turtle", "rdfxml", "jsonld", "ntriples")))


@dataclass(frozen=True)
class OntologyInfo:
    path: Path
    iri: str
    version_iri: str | None
    version: str | None  # the last path segment of owl:versionIRI (else owl:versionInfo)


def ontology_path() -> Path:
    """ontology/kgbuild.ttl (in $KGBUILD_ONTOLOGY's folder when that is set)."""
    for path in ontology_files():
        if path.name == ONTOLOGY_FILE:
            return path
    raise KgbuildError(f"no {ONTOLOGY_FILE} in the ontology folder")


def ontology_info(path: Path | None = None) -> OntologyInfo:
    """The ontology IRI and its owl:versionIRI, read from the file."""
    path = path or ontology_path()
    node = ox.NamedNode(ONTOLOGY_IRI)
    version_iri = version = None
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        if triple.subject == node and triple.predicate.value == OWL_VERSION_IRI:
            version_iri = triple.object.value
        elif triple.subject == node and triple.predicate.value == OWL_VERSION_INFO and version is None:
            version = triple.object.value
    if version_iri is not None:
        version = version_iri.rstrip("/").rsplit("/", 1)[-1]
    return OntologyInfo(path=path, iri=ONTOLOGY_IRI, version_iri=version_iri, version=version)


def version_from_path(url_path: str) -> str | None:
    """'/ontology' -> None (the current version); '/ontology/0.1.0' -> '0.1.0'."""
    parts = [p for p in url_path.split("/") if p]
    if parts and parts[0] == "ontology" and len(parts) <= 2:
        return parts[1] if len(parts) == 2 else None
    raise UnknownVersion(f"{url_path!r} is not the ontology's IRI path (/ontology or /ontology/VERSION)")


# ---------------------------------------------------------------- content negotiation
def negotiate(accept: str | None) -> Format:
    """The representation to send for an Accept header (none or empty: the first, HTML)."""
    return formats.negotiate(accept, REPRESENTATIONS)


# ---------------------------------------------------------------- HTML
_HTML_CACHE: dict[str, bytes] = {}


@contextmanager
def _contained_logging() -> Iterator[None]:
    """pyLODE configures the root logger (DEBUG, to stderr) on import and logs through it: keep that out."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.addHandler(logging.NullHandler())  # basicConfig() does nothing while the root has a handler
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _generate_html(text: str) -> bytes:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=text, format="turtle")
    scheme = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")
    graph.remove((None, rdflib.RDF.type, scheme))
    with _contained_logging():
        from pylode import OntPub

        html = OntPub(ontology=graph).make_html()
    return html.encode("utf-8") if isinstance(html, str) else html


def ontology_html(path: Path | None = None) -> bytes:
    """The generated HTML documentation of the ontology file (regenerated only when the file changes)."""
    path = path or ontology_path()
    data = path.read_bytes()
    key = hashlib.sha256(data + DOCS_VERSION.encode()).hexdigest()
    if key in _HTML_CACHE:
        return _HTML_CACHE[key]
    cached = cache_dir() / "ontology-docs" / f"{key}.html"
    if cached.is_file():
        html = cached.read_bytes()
    else:
        html = _generate_html(data.decode("utf-8"))
        try:
            atomic_write(cached, html)
        except OSError:
            pass  # a read-only install still serves the page, from memory
    _HTML_CACHE[key] = html
    return html


def ontology_rdf(media_type: str, path: Path | None = None) -> bytes:
    """The ontology as Turtle (the source file, comments kept), RDF/XML, JSON-LD or N-Triples."""
    path = path or ontology_path()
    if media_type == "text/turtle":
        return path.read_bytes()
    fmt = next(f.ox_format for f in REPRESENTATIONS if f.media_type == media_type)
    assert isinstance(fmt, ox.RdfFormat)
    triples = sorted(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), key=str)
    prefixes = None
    if fmt in (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD):
        prefixes = {k: v for k, v in PREFIXES.items() if k not in ("wd", "dbr", "cameo")}
    data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert data is not None
    return data


def ontology_document(accept: str, *, version: str | None = None, path: Path | None = None) -> tuple[bytes, str]:
    """(body, Content-Type) for a request of the ontology IRI or, with `version`, its version IRI.

    Raises UnknownVersion (404) for a version other than the file's owl:versionIRI, and
    NotAcceptable (406) when the client accepts none of HTML, Turtle, RDF/XML, JSON-LD, N-Triples.
    """
    info = ontology_info(path)
    if version is not None and version != info.version:
        have = f"version {info.version} ({info.version_iri})" if info.version else "no version"
        raise UnknownVersion(f"no version {version!r} of the ontology; this server has {have}")
    rep = negotiate(accept)
    body = ontology_html(info.path) if rep.media_type == "text/html" else ontology_rdf(rep.media_type, info.path)
    return body, rep.content_type

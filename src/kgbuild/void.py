"""The store describes itself: a VoID description and a DCAT dataset entry, counted from the store.

`describe` returns the description as quads in the named graph `<base>graph/void`;
`refresh` (called at the end of every build) replaces that graph; `void_turtle` gives it
as Turtle, for `/.well-known/void` and for export bundles. The counts come from
graphstats (each graph counted once, kept beside the store, added up in bounded memory:
the same numbers as COUNT(DISTINCT) over the store, which held every distinct term at
once); the links and example resources from SPARQL.

What is counted: the dataset is every named graph except the description's own graph.
`void:triples` counts the triples of each of those graphs, summed: what a client counting
over the endpoint's default graph (the union of the named graphs) gets, since a triple two
articles both state is two statements, each with its own provenance. `void:entities`
counts the distinct subjects minted under the base IRI (`void:uriSpace`). A class
partition counts the distinct instances of its class, a property partition the triples of
its property (summed over graphs, like the dataset's), a linkset the distinct link triples
from kgbuild into Wikidata or DBpedia with one link predicate. The output has no blank nodes and no time stamps, so an
unchanged store gives the same description, byte for byte.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pyoxigraph as ox

from . import graphstats
from .errors import KgbuildError
from .formats import EXPORT_FORMATS
from .store import KgStore
from .vocab import DBPEDIA_RESOURCE, KG, ONTOLOGY_IRI, PREFIXES, WIKIDATA_ENTITY, Iris

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LINK_PREDICATES = (OWL_SAME_AS, SKOS + "exactMatch", SKOS + "closeMatch")

ENDPOINT_ENV = "KGBUILD_ENDPOINT"
DEFAULT_LICENSE = "https://www.apache.org/licenses/LICENSE-2.0"
TITLE = "kgbuild knowledge graph"
DESCRIPTION = ("Actors, events, quotations and attributed claims from annotated news articles, each anchored "
               "to the characters of the article it came from, with curated links to Wikidata and DBpedia.")

# The graphs kgbuild links into: name -> (title, uriSpace, public SPARQL endpoint).
TARGETS: dict[str, tuple[str, str, str]] = {
    "wikidata": ("Wikidata", WIKIDATA_ENTITY, "https://query.wikidata.org/sparql"),
    "dbpedia": ("DBpedia", DBPEDIA_RESOURCE, "https://dbpedia.org/sparql"),
}

# Prefixes for partition names; prefix names have no '-', so names cannot collide.
SLUG_PREFIXES = {**PREFIXES, "sh": "http://www.w3.org/ns/shacl#", "vann": "http://purl.org/vocab/vann/",
                 "foaf": "http://xmlns.com/foaf/0.1/", "dc": "http://purl.org/dc/elements/1.1/"}

_P = f"""PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX kg: <{KG}>
"""
# ?void (the graph left out) stands for a typed term that _rows writes in: no raw string is spliced.
# The links come from the registry (a few thousand triples on the link predicates' index); each
# example is a MIN, which holds one value. They run beside the counting (Oxigraph releases the GIL).
Q_LINKS = """SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?void && isIRI(?o))
  VALUES ?p { <http://www.w3.org/2002/07/owl#sameAs> <http://www.w3.org/2004/02/skos/core#exactMatch>
              <http://www.w3.org/2004/02/skos/core#closeMatch> } }"""
# An example of a class: its first IRI in the store's index order (the same for the same data: Oxigraph
# orders IRIs by a hash of their text). MIN(STR(?x)) decoded every instance: at 100,000 articles those
# lookups filled Oxigraph's 128 MB cache of strings (+135 MB RSS at the build's end).
Q_EXAMPLES = [_P + f"""SELECT ?first WHERE {{ GRAPH ?g {{ ?first rdf:type {cls} {extra}}}
  FILTER(?g != ?void && isIRI(?first)) }} LIMIT 1""" for cls, extra in (("kg:Article", ""), ("kg:Actor", "; owl:sameAs ?i "),
                                                             ("kg:MilitaryAction", ""))]


def void_graph(iris: Iris) -> ox.NamedNode:
    """The named graph holding the description: <base>graph/void."""
    return ox.NamedNode(iris.base + "graph/void")


def default_endpoint(iris: Iris) -> str:
    """$KGBUILD_ENDPOINT, else `sparql` beside the IRI base (https://w3id.org/kgbuild/id/ -> .../kgbuild/sparql)."""
    if os.environ.get(ENDPOINT_ENV):
        return os.environ[ENDPOINT_ENV]
    base = iris.base
    return (base[: -len("id/")] if base.endswith("/id/") else base) + "sparql"


def _slug(iri: str) -> str:
    """A readable, stable, unique name for a class or property: kg-Person, sh-NodeShape, or local-name + hash."""
    best = max((p for p in SLUG_PREFIXES.items() if iri.startswith(p[1])), key=lambda p: len(p[1]), default=None)
    if best is not None and len(iri) > len(best[1]):
        return f"{best[0]}-{quote(iri[len(best[1]):], safe='-._~')}"
    local = re.split(r"[#/]", iri.rstrip("#/"))[-1]
    return f"{quote(local, safe='-._~')}-{hashlib.sha256(iri.encode('utf-8')).hexdigest()[:12]}"


def _vocabulary(iri: str) -> str | None:
    if iri.startswith(KG):
        return ONTOLOGY_IRI
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and prefix not in ("wd", "dbr"):
            return ns
    return None


def _rows(store: KgStore, sparql: str, **bindings: ox.NamedNode | ox.Literal) -> list[ox.QuerySolution]:
    """Run `sparql` with ?name replaced by typed RDF terms (pyoxigraph's `substitutions` binds only
    projected variables, and these sit in filters): each term writes itself in escaped N-Triples form."""
    for name, term in bindings.items():
        sparql = sparql.replace(f"?{name}", str(term))
    result = store.query(sparql, default_graph=[ox.DefaultGraph()])  # every pattern names its GRAPH
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def describe(store: KgStore, iris: Iris, *, endpoint_url: str, license: str = DEFAULT_LICENSE,
             uncounted: Sequence[ox.NamedNode] | None = None) -> list[ox.Quad]:
    """The VoID + DCAT description of what `store` holds (all named graphs but the description's own).

    `uncounted`: see graphstats.store_totals (a build that filled an empty store passes it).

    >>> quads = describe(store, Iris(), endpoint_url="http://127.0.0.1:8000/sparql")  # doctest: +SKIP
    """
    for name, value in (("endpoint URL", endpoint_url), ("licence", license)):
        try:
            ox.NamedNode(value)
        except ValueError:
            raise KgbuildError(f"the {name} {value!r} is not an absolute IRI (e.g. https://example.org/sparql)") from None
    graph = void_graph(iris)
    dataset = iris.dataset()
    ds = dataset.value + "#"  # partitions, linksets and distributions are parts of the dataset's document
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal | str) -> None:
        quads.append(ox.Quad(s, ox.NamedNode(p), ox.NamedNode(o) if isinstance(o, str) else o, graph))

    def count(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=XSD_INTEGER)

    def en(text: str) -> ox.Literal:
        return ox.Literal(text, language="en")

    queries = [Q_LINKS, *Q_EXAMPLES]
    with ThreadPoolExecutor(max_workers=min(len(queries), os.cpu_count() or 1)) as pool:
        answers = pool.map(lambda q: _rows(store, q, void=graph), queries)
        totals = graphstats.store_totals(store, iris.base, leave_out=graph, uncounted=uncounted)
        link_rows, *example_rows = answers
    properties, classes = totals.triples, totals.classes
    examples = [ox.NamedNode(row["first"].value) for rows in example_rows for row in rows if row["first"] is not None]
    links: Counter[tuple[str, str]] = Counter()
    for row in link_rows:
        hit = next((name for name, (_, space, _) in TARGETS.items() if row["o"].value.startswith(space)), None)
        if hit is not None:
            links[(hit, row["p"].value)] += 1

    add(dataset, RDF_TYPE.value, VOID + "Dataset")
    add(dataset, RDF_TYPE.value, DCAT + "Dataset")
    add(dataset, DCTERMS + "title", en(TITLE))
    add(dataset, DCTERMS + "description", en(DESCRIPTION))
    add(dataset, DCTERMS + "license", license)
    add(dataset, DCTERMS + "conformsTo", ONTOLOGY_IRI)
    add(dataset, VOID + "triples", count(sum(properties.values())))
    add(dataset, VOID + "entities", count(totals.entities))
    add(dataset, VOID + "distinctSubjects", count(totals.subjects))
    add(dataset, VOID + "distinctObjects", count(totals.objects))
    add(dataset, VOID + "properties", count(len(properties)))
    add(dataset, VOID + "classes", count(len(classes)))
    add(dataset, VOID + "uriSpace", ox.Literal(iris.base))
    add(dataset, VOID + "sparqlEndpoint", endpoint_url)
    for example in examples:
        add(dataset, VOID + "exampleResource", example)
    for vocabulary in sorted({v for v in map(_vocabulary, [*properties, *classes]) if v}):
        add(dataset, VOID + "vocabulary", vocabulary)

    for iri, n in sorted(classes.items()):
        part = ox.NamedNode(f"{ds}class-{_slug(iri)}")
        add(dataset, VOID + "classPartition", part)
        add(part, VOID + "class", iri)
        add(part, VOID + "entities", count(n))
    for iri, n in sorted(properties.items()):
        part = ox.NamedNode(f"{ds}property-{_slug(iri)}")
        add(dataset, VOID + "propertyPartition", part)
        add(part, VOID + "property", iri)
        add(part, VOID + "triples", count(n))

    for name, (title, space, endpoint) in TARGETS.items():
        target = ox.NamedNode(f"{ds}{name}")
        add(target, RDF_TYPE.value, VOID + "Dataset")
        add(target, DCTERMS + "title", en(title))
        add(target, VOID + "uriSpace", ox.Literal(space))
        add(target, VOID + "sparqlEndpoint", endpoint)
        for predicate in LINK_PREDICATES:
            n = links[(name, predicate)]
            if not n:
                continue
            linkset = ox.NamedNode(f"{ds}linkset-{name}-{_slug(predicate)}")
            add(dataset, VOID + "subset", linkset)
            add(linkset, RDF_TYPE.value, VOID + "Linkset")
            add(linkset, VOID + "subjectsTarget", dataset)
            add(linkset, VOID + "objectsTarget", target)
            add(linkset, VOID + "linkPredicate", predicate)
            add(linkset, VOID + "triples", count(n))

    service = ox.NamedNode(f"{ds}sparql-service")
    add(service, RDF_TYPE.value, DCAT + "DataService")
    add(service, DCTERMS + "title", en(f"{TITLE}, SPARQL endpoint"))
    add(service, DCAT + "endpointURL", endpoint_url)
    add(service, DCAT + "servesDataset", dataset)
    add(service, DCTERMS + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    for fmt, form in EXPORT_FORMATS.items():
        name, media_type, format_iri = form.title, form.media_type, form.iri
        dist = ox.NamedNode(f"{ds}distribution-{fmt}")
        add(dataset, DCAT + "distribution", dist)
        add(dataset, VOID + "feature", format_iri)
        add(dist, RDF_TYPE.value, DCAT + "Distribution")
        add(dist, DCTERMS + "title", en(f"{TITLE} in {name} (kgbuild export -f {fmt}, .{form.extension})"))
        add(dist, DCAT + "mediaType", "https://www.iana.org/assignments/media-types/" + media_type)
        add(dist, DCTERMS + "format", format_iri)
        add(dist, DCTERMS + "license", license)
        add(dist, DCAT + "accessURL", endpoint_url)
        add(dist, DCAT + "accessService", service)
    return sorted(set(quads), key=str)


def refresh(store: KgStore, iris: Iris, *, endpoint_url: str | None = None,
            uncounted: Sequence[ox.NamedNode] | None = None) -> list[ox.Quad]:
    """Recompute the description from the store and replace its graph; return the new quads."""
    quads = describe(store, iris, endpoint_url=endpoint_url or default_endpoint(iris), uncounted=uncounted)
    store.replace_graph(void_graph(iris), quads)
    return quads


def _at_endpoint(quads: list[ox.Quad], dataset: ox.NamedNode, endpoint_url: str) -> list[ox.Quad]:
    """The stored description with its endpoint (the build-time default) replaced by `endpoint_url`."""
    try:
        new = ox.NamedNode(endpoint_url)
    except ValueError:
        raise KgbuildError(f"the endpoint URL {endpoint_url!r} is not an absolute IRI") from None
    old = next((q.object for q in quads if q.subject == dataset and q.predicate.value == VOID + "sparqlEndpoint"), None)
    return [ox.Quad(q.subject, q.predicate, new, q.graph_name) if q.object == old else q for q in quads]


def void_turtle(store: KgStore, *, endpoint_url: str | None = None) -> bytes:
    """The description as Turtle: the stored one (computed now if none is stored).

    The server serves this at /.well-known/void; pass the public endpoint URL to describe
    the endpoint as it is reached (the stored description names the build-time default).
    Counting is the build's job: a request only reads the stored graph (recounting took
    3.5 s on 10,000 articles).
    """
    iris = Iris(store.base)
    graph = void_graph(iris)
    if store.has_graph(graph):
        quads = list(store.quads(graph))
        if endpoint_url is not None:
            quads = _at_endpoint(quads, iris.dataset(), endpoint_url)
    else:
        quads = describe(store, iris, endpoint_url=endpoint_url or default_endpoint(iris))
    first = iris.dataset().value  # the dataset's own description first, then its parts
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads},
                     key=lambda t: (str(t.subject) != f"<{first}>", str(t)))
    prefixes = {k: PREFIXES[k] for k in ("void", "dcat", "dcterms", "xsd", "owl", "skos", "kg", "schema")}
    prefixes["id"] = iris.base
    prefixes["ds"] = iris.dataset().value + "#"
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert data is not None
    return data
